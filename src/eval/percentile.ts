// Percentiles and a latency summary, shared by the metrics and the per-stage timing tables.
import { EvalError } from '../core/errors.js';

/**
 * The p-th percentile (p in [0, 100]) of ascending-sorted values by LINEAR INTERPOLATION between the
 * closest ranks (Hyndman–Fan type 7, numpy's default): h = (n − 1)·p/100, x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).
 * So the p50 of [1, 2, 3, 4] is 2.5 and the p100 is the maximum.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new EvalError('percentile of an empty list is undefined; record at least one value');
  if (!(p >= 0 && p <= 100)) throw new EvalError(`percentile must be in [0, 100], got ${p}`);
  const h = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The middle of the values without interpolation: for an even count the upper of the two middle
 * ones, so the result is always one of the values (a measured distance, not a blend). NaN when empty.
 */
export function upperMedian(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

/** p50/p95/p99 (linear interpolation, see percentileSorted), mean and max of the values; null when empty. */
export function summariseLatency(values: readonly number[]): LatencySummary | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return {
    p50: percentileSorted(sorted, 50),
    p95: percentileSorted(sorted, 95),
    p99: percentileSorted(sorted, 99),
    mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    max: sorted[sorted.length - 1],
  };
}
