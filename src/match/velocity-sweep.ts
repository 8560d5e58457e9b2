// Constant-velocity trajectories that END at the newest query column: for velocity v (map rows per
// query frame) and end row e, column t is matched to row round(e - v * (cols - 1 - t)).
// Rows before the map start are clipped to row 0, i.e. read as a stop at the first map frame.
// Why clip rather than drop those columns: every hypothesis then averages the same number of
// cells, so trajectories near the map start cannot win merely by being shorter (a mean of fewer
// cells is noisier and more often low by chance); a window that really runs off the map start pays
// for it with the mismatched cells at row 0.
import { ConfigError } from '../core/errors.js';
import { TrajectorySweep } from './trajectory-sweep.js';

export class VelocitySweep extends TrajectorySweep {
  /** Velocities in tie-break order: closest to 1 first, then the slower. */
  readonly velocities: readonly number[];
  private columns = -1;
  private patternCount = 0;
  /** offsets[p * cols + t] = how many rows column t lies before the end row, for pattern p. */
  private offsets = new Int32Array(0);

  constructor(velocities: readonly number[]) {
    if (velocities.length === 0 || velocities.some((v) => !(Number.isFinite(v) && v >= 0))) {
      throw new ConfigError(`velocities must be finite and >= 0 map frames per query frame, got [${velocities.join(', ')}]`);
    }
    super();
    this.velocities = [...velocities].sort((a, b) => Math.abs(a - 1) - Math.abs(b - 1) || a - b);
  }

  /** Builds the offset table for windows of `cols` columns; velocities that round alike are merged. */
  prepare(cols: number): void {
    if (cols === this.columns) return;
    const table = new Int32Array(this.velocities.length * cols);
    let count = 0;
    for (const v of this.velocities) {
      const base = count * cols;
      // -round(-x) so that e - offset equals Math.round(e - x) exactly (ties round up in rows).
      for (let t = 0; t < cols; t++) table[base + t] = -Math.round(-v * (cols - 1 - t));
      let duplicate = false;
      for (let p = 0; p < count && !duplicate; p++) {
        duplicate = true;
        for (let t = 0; t < cols; t++) {
          if (table[p * cols + t] !== table[base + t]) {
            duplicate = false;
            break;
          }
        }
      }
      if (!duplicate) count++;
    }
    this.offsets = table;
    this.patternCount = count;
    this.columns = cols;
  }

  /** Distinct trajectories per end row for the prepared window length. */
  get patterns(): number {
    return this.patternCount;
  }

  protected get cols(): number {
    return this.columns;
  }

  protected fill(p: number, end: number, rows: Int32Array): void {
    const base = p * this.columns;
    for (let t = 0; t < this.columns; t++) {
      const r = end - this.offsets[base + t];
      rows[t] = r > 0 ? r : 0;
    }
  }
}
