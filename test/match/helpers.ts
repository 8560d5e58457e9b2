// Hand-made difference matrices for the matcher tests.
import { DenseDifferenceMatrix } from '../../src/match/dense-difference-matrix.js';

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so backgrounds are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
