// Hand-made difference matrices for the matcher tests.
import { DenseDifferenceMatrix } from '../../src/match/dense-difference-matrix.js';
import { mulberry32 } from '../support/random-unit-vectors.js';

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so backgrounds are reproducible. */
export const rng = mulberry32;

/** A rows x cols matrix with background values in [lo, hi) (seeded noise). */
export function background(rows: number, cols: number, lo = 0.7, hi = 0.9, seed = 1): DenseDifferenceMatrix {
  const next = rng(seed);
  const D = new DenseDifferenceMatrix(rows, cols);
  for (let i = 0; i < D.data.length; i++) D.data[i] = lo + (hi - lo) * next();
  return D;
}

/** Writes `value` at (path[t], t) for every column t (a trajectory of low differences). */
export function drawPath(D: DenseDifferenceMatrix, path: readonly number[], value = 0.1): DenseDifferenceMatrix {
  path.forEach((row, t) => {
    D.data[row * D.cols + t] = value;
  });
  return D;
}

/** Unit path ending at `end`: [end - cols + 1, ..., end]. */
export function diagonal(end: number, cols: number): number[] {
  return Array.from({ length: cols }, (_, t) => end - (cols - 1 - t));
}
