// The difference matrix the live pipeline keeps: one column per query frame in a ring buffer, so
// a new camera frame costs one column (rows dot products), not a whole matrix. In 'lazy' mode not
// even that: a cell is computed the first time a matcher reads it and cached, which is what
// hierarchical matching on a large map needs (only the coarse candidate regions get touched).
import { MatchInputError } from './errors.js';
import type { DescriptorMatrix } from '../core/matrix.js';
import { dot } from '../core/vector.js';
import { checkQueryDescriptor } from './descriptor-checks.js';
import type { DifferenceMatrix } from './types.js';

/** 'eager': push computes the whole column. 'lazy': cells are computed on first read. */
export type ColumnMode = 'eager' | 'lazy';

export class RollingDifferenceMatrix implements DifferenceMatrix {
  readonly rows: number;
  /** Number of cells computed so far (diagnostics; shows what lazy mode saves). */
  computedCells = 0;
  private count = 0;
  /** Ring slot of the oldest column. */
  private start = 0;
  private readonly dim: number;
  /** Column-major per slot: cell (row, slot) is values[slot * rows + row]; NaN = not computed. */
  private readonly values: Float32Array;
  /** Query descriptor of each slot, kept so lazy cells can be computed later. */
  private readonly queries: Float32Array;

  constructor(
    private readonly map: DescriptorMatrix,
    /** Window length: the most query columns kept. */
    readonly capacity: number,
    readonly mode: ColumnMode = 'eager',
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new MatchInputError(`window capacity must be a positive integer, got ${capacity}`);
    }
    this.rows = map.rows;
    this.dim = map.dim;
    this.values = new Float32Array(capacity * map.rows);
    this.queries = new Float32Array(capacity * map.dim);
  }

  /** Query frames currently in the window (grows to `capacity`, then stays there). */
  get cols(): number {
    return this.count;
  }

  /** Appends the newest query descriptor (unit-norm); the oldest column drops out when full. */
  push(query: Float32Array): void {
    checkQueryDescriptor(this.map, query, 'query descriptor');
    let slot: number;
    if (this.count < this.capacity) {
      slot = (this.start + this.count) % this.capacity;
      this.count++;
    } else {
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    this.queries.set(query, slot * this.dim);
    const column = this.values.subarray(slot * this.rows, (slot + 1) * this.rows);
    if (this.mode === 'lazy') {
      column.fill(Number.NaN);
      return;
    }
    const mapData = this.map.data;
    for (let r = 0; r < this.rows; r++) column[r] = 1 - dot(mapData, this.queries, this.dim, r * this.dim, slot * this.dim);
    this.computedCells += this.rows;
  }

  /** Forgets every query column (a new run starts). */
  reset(): void {
    this.count = 0;
    this.start = 0;
  }

  /** No bounds check (hot path): callers stay inside rows x cols. */
  get(row: number, col: number): number {
    let slot = this.start + col;
    if (slot >= this.capacity) slot -= this.capacity;
    const i = slot * this.rows + row;
    const v = this.values[i];
    if (v === v) return v; // not NaN: already computed
    const d = 1 - dot(this.map.data, this.queries, this.dim, row * this.dim, slot * this.dim);
    this.values[i] = d;
    this.computedCells++;
    return this.values[i];
  }
}

/** A one-shot lazy matrix over a given window (oldest first): cells are computed when first read. */
export function lazyDifferenceMatrix(map: DescriptorMatrix, window: readonly Float32Array[]): RollingDifferenceMatrix {
  if (window.length === 0) throw new MatchInputError('query window is empty: push at least one query descriptor');
  const D = new RollingDifferenceMatrix(map, window.length, 'lazy');
  for (const q of window) D.push(q);
  return D;
}
