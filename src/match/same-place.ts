// "Same place" between map rows, for the confidence's rival: a map that holds a place more than
// once (merged sessions, a run that drives a loop twice) must not count the place's other visits
// as rivals of a correct answer, while a lookalike elsewhere still must count. Only poses can tell
// the two apart (descriptors cannot: a lookalike is exactly what descriptors confuse), so rows
// without poses are never the same place, and a map without poses ranks rivals by row as before.
import { ConfigError } from '../core/errors.js';
import type { MapFrameMeta, Pose } from '../core/types.js';

/** True when map row `row` shows the place of map row `anchor` (another visit of it): then it is no rival of `anchor`. */
export type SamePlace = (anchor: number, row: number) => boolean;

export interface SamePlaceOptions {
  /**
   * Fixed radius in metres; undefined = derived per anchor from its own session: the distance its
   * run moves within `neighbourRows` rows of it. 0 = off (rivals by row only).
   */
  radiusM?: number;
  /** Rows either side of the anchor, in its session, whose distance sets the derived radius (the localisation tolerance). */
  neighbourRows: number;
  /** Largest angle between the two rows' forward (x) axes: the other direction on the same road stays a rival. */
  maxHeadingDeg: number;
  /**
   * Compare rows of different sessions too (the pipeline config's default is false): only right
   * when their poses share one frame (GPS, a SLAM map frame, the demo world). Sessions with their
   * own odometry origins put unrelated places at equal coordinates.
   */
  acrossSessions?: boolean;
}

/** The map as this module reads it: poses per row and the session of a row. */
export interface PosedRows {
  readonly frames: readonly MapFrameMeta[];
  /** Session id of a row; absent = one session. */
  sessionOf?(index: number): number;
}

/** Throws a ConfigError unless the options are in range. */
export function checkSamePlaceOptions(o: SamePlaceOptions): void {
  if (o.radiusM !== undefined && !(Number.isFinite(o.radiusM) && o.radiusM >= 0)) {
    throw new ConfigError(`samePlace.radiusM must be a finite distance >= 0 (metres), got ${o.radiusM}`);
  }
  if (!(Number.isInteger(o.neighbourRows) && o.neighbourRows >= 1)) {
    throw new ConfigError(`samePlace neighbour rows must be an integer >= 1, got ${o.neighbourRows}`);
  }
  if (!(o.maxHeadingDeg >= 0 && o.maxHeadingDeg <= 180)) {
    throw new ConfigError(`samePlace.maxHeadingDeg must be in [0, 180], got ${o.maxHeadingDeg}`);
  }
}

/**
 * The same-place relation of a map by pose: `row` is `anchor`'s place when both have poses, lie
 * within the radius of each other and face within maxHeadingDeg. Why the derived radius: the
 * matcher already treats the anchor's own neighbours up to the localisation tolerance as the same
 * position (only ends `localizationRows` or more away must score worse); another visit is the same
 * place as far as that stretch of the anchor's own run reaches, so the radius follows the map's
 * spacing (dense indoor maps, sparse keyframes) instead of a constant in metres. The map is read at
 * call time, so a growing live map is seen as it grows.
 */
export function samePlaceByPose(map: PosedRows, options: SamePlaceOptions): SamePlace {
  checkSamePlaceOptions(options);
  const cosMax = Math.cos((options.maxHeadingDeg * Math.PI) / 180);
  return (anchor, row) => {
    const frames = map.frames;
    const a = frames[anchor]?.pose;
    const b = frames[row]?.pose;
    if (!a || !b || anchor === row) return false;
    if (options.acrossSessions === false && (map.sessionOf?.(anchor) ?? 0) !== (map.sessionOf?.(row) ?? 0)) return false;
    const radius = options.radiusM ?? derivedRadius(map, anchor, options.neighbourRows);
    if (!(radius > 0) || distance(a, b) > radius) return false;
    return dot(forward(a), forward(b)) >= cosMax - 1e-12;
  };
}

/**
 * How far the anchor's own run moves within `rows` rows of it (metres): the nearer of its two
 * neighbours `rows` away (clipped to its session; one side at a session's end). The nearer one, so
 * a jump on one side (odometry reset, a gap in a recording) does not widen the radius; 0 when
 * neither has a pose.
 */
function derivedRadius(map: PosedRows, anchor: number, rows: number): number {
  const frames = map.frames;
  const session = map.sessionOf?.(anchor) ?? 0;
  const inSession = (i: number): boolean => i >= 0 && i < frames.length && (map.sessionOf?.(i) ?? 0) === session;
  const a = frames[anchor].pose!;
  let radius = Number.POSITIVE_INFINITY;
  for (const step of [-1, 1]) {
    let i = anchor;
    for (let k = 1; k <= rows && inSession(anchor + step * k); k++) i = anchor + step * k;
    const p = frames[i].pose;
    if (i !== anchor && p) radius = Math.min(radius, distance(a, p));
  }
  return radius === Number.POSITIVE_INFINITY ? 0 : radius;
}

function distance(a: Pose, b: Pose): number {
  return Math.hypot(a.position.x - b.position.x, a.position.y - b.position.y, a.position.z - b.position.z);
}

/** The pose's x axis (forward for a vehicle or camera body frame) in the world frame. */
function forward(p: Pose): [number, number, number] {
  const { x, y, z, w } = p.orientation;
  const n = Math.hypot(x, y, z, w) || 1;
  const [qx, qy, qz, qw] = [x / n, y / n, z / n, w / n];
  return [1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy + qw * qz), 2 * (qx * qz - qw * qy)];
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
