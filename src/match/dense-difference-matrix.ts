// A fully computed difference matrix (rows = map frames, cols = query window, oldest first).
import type { DescriptorMatrix } from '../core/matrix.js';
import { dot } from '../core/vector.js';
import { checkQueryDescriptor } from './descriptor-checks.js';
import { MatchInputError } from './errors.js';
import type { DifferenceMatrix } from './types.js';

export class DenseDifferenceMatrix implements DifferenceMatrix {
  /** Row-major values: cell (row, col) is data[row * cols + col]. */
  readonly data: Float32Array;

  constructor(
    readonly rows: number,
    readonly cols: number,
    data?: Float32Array,
  ) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new MatchInputError(`difference matrix shape ${rows} x ${cols} is not a pair of non-negative integers`);
    }
    this.data = data ?? new Float32Array(rows * cols);
    if (this.data.length !== rows * cols) {
      throw new MatchInputError(`difference matrix data has ${this.data.length} values, expected ${rows} x ${cols}`);
    }
  }

  /** No bounds check (hot path): callers stay inside rows x cols. */
  get(row: number, col: number): number {
    return this.data[row * this.cols + col];
  }

  /**
   * Cosine distance 1 - m.q between every map descriptor (row) and every query window descriptor
   * (column, oldest first). Descriptors must be unit-norm, as the encoders produce them.
   */
  static fromDescriptors(map: DescriptorMatrix, window: readonly Float32Array[]): DenseDifferenceMatrix {
    const cols = window.length;
    window.forEach((q, t) => checkQueryDescriptor(map, q, `query window descriptor ${t}`));
    const D = new DenseDifferenceMatrix(map.rows, cols);
    const { dim, data: mapData } = map;
    for (let r = 0; r < map.rows; r++) {
      for (let t = 0; t < cols; t++) D.data[r * cols + t] = 1 - dot(mapData, window[t], dim, r * dim, 0);
    }
    return D;
  }

  /** A hand-made matrix from nested arrays (one inner array per map row). */
  static fromRows(values: readonly (readonly number[])[]): DenseDifferenceMatrix {
    const cols = values[0]?.length ?? 0;
    const D = new DenseDifferenceMatrix(values.length, cols);
    values.forEach((row, r) => {
      if (row.length !== cols) throw new MatchInputError(`row ${r} has ${row.length} values, expected ${cols}`);
      D.data.set(row, r * cols);
    });
    return D;
  }
}
