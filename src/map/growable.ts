// Append-only typed storage with capacity doubling, so a live map can grow one frame at a time in
// amortised O(1) while searches read a zero-copy view of the rows written so far.
import { DescriptorMatrix } from '../core/matrix.js';
import { DescriptorError } from '../core/errors.js';

const MIN_CAPACITY_ROWS = 16;

function grownCapacity(current: number, needed: number): number {
  let cap = Math.max(current, MIN_CAPACITY_ROWS);
  while (cap < needed) cap *= 2;
  return cap;
}

/** Rows of float32 descriptors, appended one at a time. */
export class GrowableMatrix {
  private buf: Float32Array;
  private count: number;

  /** Starts with `initial`'s rows (its storage is adopted, not copied) and room to grow. */
  constructor(
    readonly dim: number,
    initial?: DescriptorMatrix,
  ) {
    if (initial && initial.dim !== dim) {
      throw new DescriptorError(`descriptor matrix has dim ${initial.dim}, expected ${dim}`);
    }
    this.buf = initial ? initial.data : new Float32Array(MIN_CAPACITY_ROWS * dim);
    this.count = initial ? initial.rows : 0;
  }

  get rows(): number {
    return this.count;
  }

  append(row: Float32Array): number {
    if (row.length !== this.dim) throw new DescriptorError(`descriptor has ${row.length} values, expected ${this.dim}`);
    if ((this.count + 1) * this.dim > this.buf.length) {
      const next = new Float32Array(grownCapacity(this.buf.length / this.dim, this.count + 1) * this.dim);
      next.set(this.buf.subarray(0, this.count * this.dim));
      this.buf = next;
    }
    this.buf.set(row, this.count * this.dim);
    return this.count++;
  }

  /** The rows written so far, without copying. Rows are never overwritten, so old views stay valid. */
  view(): DescriptorMatrix {
    return new DescriptorMatrix(this.count, this.dim, this.buf.subarray(0, this.count * this.dim));
  }
}

/** Int32 values appended one at a time (the map frame each sequence row ends at). */
export class GrowableInt32 {
  private buf: Int32Array;
  private count: number;

  constructor(initial?: Int32Array) {
    this.buf = initial ?? new Int32Array(MIN_CAPACITY_ROWS);
    this.count = initial ? initial.length : 0;
  }

  get length(): number {
    return this.count;
  }

  at(i: number): number {
    return this.buf[i];
  }

  append(value: number): number {
    if (this.count === this.buf.length) {
      const next = new Int32Array(grownCapacity(this.buf.length, this.count + 1));
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.count] = value;
    return this.count++;
  }

  view(): Int32Array {
    return this.buf.subarray(0, this.count);
  }
}
