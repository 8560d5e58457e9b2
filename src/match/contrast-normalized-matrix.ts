// SeqSLAM's local contrast normalisation as a DifferenceMatrix wrapper. In each column, a cell is
// replaced by its z-score within the rows [row - R, row + R] of that column (clipped to the map).
// This removes what a query frame has in common with a whole stretch of the map (lighting,
// weather), so a trajectory is scored by how much better a place is than its neighbourhood.
//
// The z-score is then shifted by sqrt(2R), Samuelson's bound: within n = 2R + 1 values no z-score
// (population std) is below -sqrt(n - 1). So every value stays >= 0, as DifferenceMatrix promises,
// and the matchers' uniqueness ratios (best / rival) keep their meaning. Where a window has no
// spread (std ~ 0) the cell carries no contrast and gets z = 0.
//
// Cells are computed on first read and cached, so a hierarchical matcher on a lazy matrix only
// pays for the rows around the regions it looks at.
import { ConfigError } from '../core/errors.js';
import type { DifferenceMatrix } from './types.js';

const MIN_STD = 1e-9;

/** Throws a ConfigError unless the half-window is a whole number of rows >= 1. */
export function checkContrastRadius(radiusRows: number): void {
  if (!Number.isInteger(radiusRows) || radiusRows < 1) {
    throw new ConfigError(`contrast normalisation radius must be an integer >= 1 map row, got ${radiusRows}`);
  }
}

export class ContrastNormalizedMatrix implements DifferenceMatrix {
  private source: DifferenceMatrix;
  private cache = new Float32Array(0);
  /** The window's source values, read once per computed cell. */
  private readonly window: Float64Array;
  /** Shift that keeps every normalised value >= 0 (Samuelson's bound for a full window). */
  readonly offset: number;

  constructor(
    source: DifferenceMatrix,
    /** Half-window R in map rows (frames): the window is 2R + 1 rows centred on the cell. */
    readonly radiusRows: number,
  ) {
    checkContrastRadius(radiusRows);
    this.offset = Math.sqrt(2 * radiusRows);
    this.window = new Float64Array(2 * radiusRows + 1);
    this.source = source;
    this.bind(source);
  }

  get rows(): number {
    return this.source.rows;
  }

  get cols(): number {
    return this.source.cols;
  }

  /** Wraps another matrix, reusing the cache buffer (one per live pipeline, not one per frame). */
  bind(source: DifferenceMatrix): void {
    this.source = source;
    const n = source.rows * source.cols;
    if (this.cache.length < n) this.cache = new Float32Array(n);
    this.cache.fill(Number.NaN, 0, n);
  }

  get(row: number, col: number): number {
    const i = row * this.source.cols + col;
    const cached = this.cache[i];
    if (cached === cached) return cached; // not NaN: already computed
    this.cache[i] = this.compute(row, col);
    return this.cache[i];
  }

  private compute(row: number, col: number): number {
    const src = this.source;
    const lo = Math.max(0, row - this.radiusRows);
    const hi = Math.min(src.rows - 1, row + this.radiusRows);
    const n = hi - lo + 1;
    const w = this.window;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      w[i] = src.get(lo + i, col);
      sum += w[i];
    }
    const mean = sum / n;
    // Two passes (mean, then squared deviations): no cancellation when the spread is small.
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (w[i] - mean) * (w[i] - mean);
    const std = Math.sqrt(sq / n);
    const z = std > MIN_STD ? (w[row - lo] - mean) / std : 0;
    return Math.max(0, z + this.offset);
  }
}
