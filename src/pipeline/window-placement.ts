// The query window placed by the path travelled. Sequence matchers otherwise assume one map frame
// per query frame (SeqSLAM searches 0.8-1.25 around it): a query that outruns the map's frames (a
// faster vehicle, a lower camera rate, a keyframed run: keyframes 2 m apart against a map 0.9 m
// apart are 2.2 map frames per frame) then matches no trajectory it may try, and a map recorded
// at changing speed or with a stop holds a different number of rows per metre along its route.
// Placed by the path, each window frame sits at its odometry distance before the newest frame,
// measured along the map's own path (path-rows.ts), and the matcher's scales are only the
// tolerance on the odometry's scale.
import type { MapFrameMeta, Pose } from '../core/types.js';
import type { PathPlacement } from '../match/path-rows.js';

/**
 * How many metres each frame lies before the newest along the camera's path (oldest first, the
 * newest 0): planar steps between consecutive frames, summed. Undefined when a frame has no pose.
 */
export function pathMetres(frames: readonly { readonly pose?: Pose }[]): number[] | undefined {
  if (frames.length === 0) return undefined;
  const metres = new Array<number>(frames.length);
  metres[frames.length - 1] = 0;
  for (let t = frames.length - 2; t >= 0; t--) {
    const a = frames[t].pose?.position;
    const b = frames[t + 1].pose?.position;
    if (!a || !b) return undefined;
    const step = Math.hypot(b.x - a.x, b.y - a.y);
    if (!Number.isFinite(step)) return undefined;
    metres[t] = metres[t + 1] + step;
  }
  return metres;
}

/**
 * Metres between sessions in the arc: more than any window spans, so a trajectory never reaches
 * into another session (it clips at the session start, as at the map start).
 */
const SESSION_GAP_M = 1e9;

/**
 * The map's path length at each row (PathPlacement.arc), extended as a live map grows. A step
 * between two posed rows is their planar distance; a step to or from a row without a pose counts
 * the map's median spacing (`spacingM`); a session start jumps by SESSION_GAP_M. Undefined while the
 * spacing is unknown (a map without poses: the window stays one row per frame).
 */
export class MapArc {
  private arc = new Float64Array(0);
  private rows = 0;

  constructor(
    private readonly map: { readonly frames: readonly MapFrameMeta[]; readonly sessionStarts?: readonly number[] },
    private readonly spacingM: () => number | undefined,
  ) {}

  current(): Float64Array | undefined {
    const spacing = this.spacingM();
    if (spacing === undefined) return undefined;
    if (this.map.frames.length > this.rows) this.extend(spacing);
    return this.arc.subarray(0, this.rows);
  }

  /** Appends the arc of the rows the map gained since the last call. */
  private extend(spacing: number): void {
    const frames = this.map.frames;
    if (frames.length > this.arc.length) {
      const grown = new Float64Array(Math.max(frames.length, 2 * this.arc.length));
      grown.set(this.arc.subarray(0, this.rows));
      this.arc = grown;
    }
    const starts = new Set(this.map.sessionStarts ?? [0]);
    for (let r = Math.max(this.rows, 1); r < frames.length; r++) {
      const a = frames[r - 1].pose?.position;
      const b = frames[r].pose?.position;
      const step = starts.has(r) ? SESSION_GAP_M : a && b ? Math.hypot(b.x - a.x, b.y - a.y) : spacing;
      this.arc[r] = this.arc[r - 1] + step;
    }
    this.rows = frames.length;
  }
}

/** The placement of a window of `frames` on a map with `arc`, when both exist. */
export function placeWindow(frames: readonly { readonly pose?: Pose }[], arc: Float64Array | undefined): PathPlacement | undefined {
  const metres = arc && pathMetres(frames);
  return metres && arc ? { metres, arc } : undefined;
}
