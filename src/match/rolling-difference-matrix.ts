// The difference matrix the live pipeline keeps: one column per query frame in a ring buffer, so
// a new camera frame costs one column (rows dot products), not a whole matrix. In 'lazy' mode not
// even that: a cell is computed the first time a matcher reads it and cached, which is what
// hierarchical matching on a large map needs (only the coarse candidate regions get touched).
// The map may grow while the window slides (live mapping): `setMap` points the matrix at the grown
// map and limits the rows matchers see (so recent frames of the same run stay out of reach).
import { MatchInputError } from './errors.js';
import type { DescriptorMatrix } from '../core/matrix.js';
import { dot } from '../core/vector.js';
import { ResidentDot } from '../core/wasm-dot.js';
import { checkQueryDescriptor } from './descriptor-checks.js';
import type { DifferenceMatrix } from './types.js';

/** 'eager': push computes the whole column. 'lazy': cells are computed on first read. */
export type ColumnMode = 'eager' | 'lazy';

export class RollingDifferenceMatrix implements DifferenceMatrix {
  /** Number of cells computed so far (diagnostics; shows what lazy mode saves). */
  computedCells = 0;
  private count = 0;
  /** Ring slot of the oldest column. */
  private start = 0;
  private visibleRows: number;
  private rowCapacity: number;
  /** One cached column per slot; NaN = not computed. */
  private columns: Float32Array[];
  /** Query descriptor of each slot, kept so lazy cells can be computed later. */
  private readonly queries: Float32Array;
  /** The same products as `dot` (bit for bit), faster; it holds `queries`. Null without WebAssembly SIMD. */
  private readonly kernel: ResidentDot | null;

  constructor(
    private map: DescriptorMatrix,
    /** Window length: the most query columns kept. */
    readonly capacity: number,
    readonly mode: ColumnMode = 'eager',
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new MatchInputError(`window capacity must be a positive integer, got ${capacity}`);
    }
    this.visibleRows = map.rows;
    this.rowCapacity = map.rows;
    this.columns = Array.from({ length: capacity }, () => new Float32Array(map.rows).fill(Number.NaN));
    this.kernel = ResidentDot.create(capacity, map.dim);
    this.queries = this.kernel?.vectors ?? new Float32Array(capacity * map.dim);
  }

  /** Map rows matchers see. */
  get rows(): number {
    return this.visibleRows;
  }

  /** Query frames currently in the window (grows to `capacity`, then stays there). */
  get cols(): number {
    return this.count;
  }

  /**
   * Follows a map that has grown (its first rows unchanged, e.g. a new view of a live map) and shows
   * matchers only its first `visibleRows` rows. Cached cells stay valid; new rows start empty.
   */
  setMap(map: DescriptorMatrix, visibleRows = map.rows): void {
    if (map.dim !== this.map.dim) throw new MatchInputError(`map dim changed from ${this.map.dim} to ${map.dim}`);
    if (map.rows < this.map.rows) throw new MatchInputError(`a map can only grow (${this.map.rows} -> ${map.rows} rows)`);
    if (map.rows > this.rowCapacity) {
      const capacity = Math.max(map.rows, this.rowCapacity * 2);
      this.columns = this.columns.map((old) => {
        const grown = new Float32Array(capacity).fill(Number.NaN);
        grown.set(old.subarray(0, this.map.rows));
        return grown;
      });
      this.rowCapacity = capacity;
    } else if (map.rows > this.map.rows) {
      for (const column of this.columns) column.fill(Number.NaN, this.map.rows, map.rows);
    }
    this.map = map;
    this.visibleRows = Math.max(0, Math.min(visibleRows, map.rows));
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
    this.queries.set(query, slot * this.map.dim);
    const column = this.columns[slot];
    column.fill(Number.NaN);
    if (this.mode === 'lazy') return;
    for (let r = 0; r < this.visibleRows; r++) column[r] = this.cell(r, slot);
    this.computedCells += this.visibleRows;
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
    const column = this.columns[slot];
    const v = column[row];
    if (v === v) return v; // not NaN: already computed
    column[row] = this.cell(row, slot);
    this.computedCells++;
    return column[row];
  }

  /** 1 - map row . the slot's query. */
  private cell(row: number, slot: number): number {
    const { data, dim } = this.map;
    return 1 - (this.kernel ? this.kernel.dot(data, row * dim, slot) : dot(data, this.queries, dim, row * dim, slot * dim));
  }
}

/** A one-shot lazy matrix over a given window (oldest first): cells are computed when first read. */
export function lazyDifferenceMatrix(map: DescriptorMatrix, window: readonly Float32Array[]): RollingDifferenceMatrix {
  if (window.length === 0) throw new MatchInputError('query window is empty: push at least one query descriptor');
  const D = new RollingDifferenceMatrix(map, window.length, 'lazy');
  for (const q of window) D.push(q);
  return D;
}
