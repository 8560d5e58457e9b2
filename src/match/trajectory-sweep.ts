// What the sequence matchers' trajectory families share: a few patterns per end row, each a map row
// per window column; an end's score is the mean difference along its best pattern.
import type { DifferenceMatrix } from './types.js';

export abstract class TrajectorySweep {
  /** Pattern index of the last `scoreEnd` winner. */
  bestPattern = 0;
  private rows = new Int32Array(0);

  /** Patterns tried per end row (after the last prepare). */
  abstract get patterns(): number;
  /** Window columns (after the last prepare). */
  protected abstract get cols(): number;
  /** Writes pattern p's map row per column (oldest first) for the trajectory ending at `end`. */
  protected abstract fill(p: number, end: number, rows: Int32Array): void;

  /** Mean of D along the best pattern ending at row `end` (first pattern on a tie); sets bestPattern. */
  scoreEnd(D: DifferenceMatrix, end: number): number {
    const cols = this.cols;
    if (this.rows.length < cols) this.rows = new Int32Array(cols);
    const rows = this.rows;
    let best = Number.POSITIVE_INFINITY;
    let bestPattern = 0;
    for (let p = 0; p < this.patterns; p++) {
      this.fill(p, end, rows);
      let sum = 0;
      for (let t = 0; t < cols; t++) sum += D.get(rows[t], t);
      if (sum < best) {
        best = sum;
        bestPattern = p;
      }
    }
    this.bestPattern = bestPattern;
    return best / cols;
  }

  /** Map row per column (oldest first) of pattern p ending at `end`. */
  path(pattern: number, end: number): number[] {
    const rows = new Int32Array(this.cols);
    this.fill(pattern, end, rows);
    return Array.from(rows);
  }
}
