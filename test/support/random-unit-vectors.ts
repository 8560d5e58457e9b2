// Reproducible random unit vectors for tests and benchmarks: a seeded PRNG (mulberry32) and
// Gaussian components (Box-Muller), so directions are uniform on the sphere.

/** A deterministic uniform [0, 1) generator. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
