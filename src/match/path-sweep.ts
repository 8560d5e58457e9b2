// Trajectories of a window placed by the path travelled (path-rows.ts): for scale s and end row e,
// column t is matched to the row whose distance along the map before e is nearest to s x the
// column's odometry distance before the newest frame. The scales are the tolerance on the
// odometry's scale and the path-length difference of a parallel lane in a curve; the shape of the
// trajectory (speed changes, stops, keyframe gaps on either run) comes from the two paths.
// Rows before the map or session start clip to it, as in velocity-sweep.ts.
import { MatchInputError } from './errors.js';
import { rowsBefore, type PathPlacement } from './path-rows.js';
import type { DifferenceMatrix } from './types.js';

export class PathSweep {
  /** Scales in tie-break order: closest to 1 first, then the smaller. */
  readonly scales: readonly number[];
  /** Scale index of the last `scoreEnd` winner. */
  bestPattern = 0;
  private placement: PathPlacement = { metres: [], arc: [] };
  private rows = new Int32Array(0);

  /** @param scales map metres per odometry metre tried (finite, > 0) */
  constructor(scales: readonly number[]) {
    this.scales = [...scales].sort((a, b) => Math.abs(a - 1) - Math.abs(b - 1) || a - b);
  }

  /** Takes the window's placement for the next scoreEnd/path calls; throws on one that does not fit `cols`. */
  prepare(cols: number, placement: PathPlacement): void {
    const { metres } = placement;
    if (metres.length !== cols || !metres.every((m, t) => Number.isFinite(m) && m >= 0 && (t === 0 || m <= metres[t - 1]))) {
      throw new MatchInputError(`path placement must give ${cols} finite distances >= 0, oldest first and non-increasing, got [${metres.join(', ')}]`);
    }
    this.placement = placement;
    if (this.rows.length < cols) this.rows = new Int32Array(cols);
  }

  /** Mean of D along the best scale's trajectory ending at row `end` (first on a tie); sets bestPattern. */
  scoreEnd(D: DifferenceMatrix, end: number): number {
    const { metres, arc } = this.placement;
    const cols = metres.length;
    let best = Number.POSITIVE_INFINITY;
    let bestPattern = 0;
    for (let p = 0; p < this.scales.length; p++) {
      rowsBefore(arc, end, metres, this.scales[p], this.rows);
      let sum = 0;
      for (let t = 0; t < cols; t++) sum += D.get(this.rows[t], t);
      if (sum < best) {
        best = sum;
        bestPattern = p;
      }
    }
    this.bestPattern = bestPattern;
    return best / cols;
  }

  /** Map row per column (oldest first) of scale p's trajectory ending at `end`. */
  path(pattern: number, end: number): number[] {
    const out = new Int32Array(this.placement.metres.length);
    rowsBefore(this.placement.arc, end, this.placement.metres, this.scales[pattern], out);
    return Array.from(out);
  }
}
