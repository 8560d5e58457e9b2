// A row-major float32 matrix of descriptors: row i is descriptor i. The map keeps its frame and
// sequence descriptors this way so they can be searched, saved and sliced without copies.
import { DescriptorError } from './errors.js';

export class DescriptorMatrix {
  constructor(
    readonly rows: number,
    readonly dim: number,
    readonly data: Float32Array = new Float32Array(rows * dim),
  ) {
    if (data.length !== rows * dim) {
      throw new DescriptorError(`matrix data has ${data.length} values, expected ${rows} x ${dim}`);
    }
  }

  /** Stacks equal-length descriptors into one matrix (copies). */
  static fromRows(rows: readonly Float32Array[], dim?: number): DescriptorMatrix {
    const d = dim ?? rows[0]?.length ?? 0;
    const m = new DescriptorMatrix(rows.length, d);
    rows.forEach((r, i) => {
      if (r.length !== d) throw new DescriptorError(`descriptor ${i} has ${r.length} values, expected ${d}`);
      m.data.set(r, i * d);
    });
    return m;
  }

  /** A view (no copy) of row i. */
  row(i: number): Float32Array {
    return this.data.subarray(i * this.dim, (i + 1) * this.dim);
  }
}
