// Reproducible random unit vectors for tests and benchmarks: the project's seeded PRNG (mulberry32,
// src/core/random.ts) and Gaussian components (Box-Muller), so directions are uniform on the sphere.
import { createRandom } from '../../src/core/random.js';

/** A deterministic uniform [0, 1) generator: the seeded PRNG of src/core/random.ts. */
export function mulberry32(seed: number): () => number {
  return createRandom(seed).next;
}

/** One random unit vector of length `dim`. */
export function randomUnitVector(dim: number, rand: () => number): Float32Array {
  const v = new Float32Array(dim);
  let sq = 0;
  for (let i = 0; i < dim; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    v[i] = g;
    sq += g * g;
  }
  const n = Math.sqrt(sq);
  for (let i = 0; i < dim; i++) v[i] /= n;
  return v;
}

export function randomUnitVectors(count: number, dim: number, seed: number): Float32Array[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, () => randomUnitVector(dim, rand));
}
