// Trajectories of a window placed by the path travelled (path-rows.ts): for scale s and end row e,
// column t is matched to the row whose distance along the map before e is nearest to s x the
// column's odometry distance before the newest frame. The scales are the tolerance on the
// odometry's scale and the path-length difference of a parallel lane in a curve; the shape of the
// trajectory (speed changes, stops, keyframe gaps on either run) comes from the two paths.
// Rows before the map or session start clip to it, as in velocity-sweep.ts.
import { MatchInputError } from './errors.js';
import { rowsBefore, type PathPlacement } from './path-rows.js';
import { TrajectorySweep } from './trajectory-sweep.js';

export class PathSweep extends TrajectorySweep {
  /** Scales in tie-break order: closest to 1 first, then the smaller. */
  readonly scales: readonly number[];
  private placement: PathPlacement = { metres: [], arc: [] };

  /** @param scales map metres per odometry metre tried (finite, > 0) */
  constructor(scales: readonly number[]) {
    super();
    this.scales = [...scales].sort((a, b) => Math.abs(a - 1) - Math.abs(b - 1) || a - b);
  }

  /** Takes the window's placement for the next scoreEnd/path calls; throws on one that does not fit `cols`. */
  prepare(cols: number, placement: PathPlacement): void {
    const { metres } = placement;
    if (metres.length !== cols || !metres.every((m, t) => Number.isFinite(m) && m >= 0 && (t === 0 || m <= metres[t - 1]))) {
      throw new MatchInputError(`path placement must give ${cols} finite distances >= 0, oldest first and non-increasing, got [${metres.join(', ')}]`);
    }
    this.placement = placement;
  }

  get patterns(): number {
    return this.scales.length;
  }

  protected get cols(): number {
    return this.placement.metres.length;
  }

  protected fill(p: number, end: number, rows: Int32Array): void {
    rowsBefore(this.placement.arc, end, this.placement.metres, this.scales[p], rows);
  }
}
