// Dense float32 vector helpers used on the hot path. Plain loops over typed arrays: V8 compiles
// them to tight machine code, and they allocate nothing unless they return a new array.

/** Dot product of a[aOff..aOff+n) and b[bOff..bOff+n). */
export function dot(a: Float32Array, b: Float32Array, n = a.length, aOff = 0, bOff = 0): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[aOff + i] * b[bOff + i];
    s1 += a[aOff + i + 1] * b[bOff + i + 1];
    s2 += a[aOff + i + 2] * b[bOff + i + 2];
    s3 += a[aOff + i + 3] * b[bOff + i + 3];
  }
  for (; i < n; i++) s0 += a[aOff + i] * b[bOff + i];
  return s0 + s1 + s2 + s3;
}

/** Euclidean norm. */
export function norm(v: Float32Array): number {
  return Math.sqrt(dot(v, v));
}

/** L2-normalises in place (norm floored at 1e-12, as the reference code does) and returns v. */
export function l2NormalizeInPlace(v: Float32Array): Float32Array {
  const n = Math.max(norm(v), 1e-12);
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/** Squared Euclidean distance. */
export function squaredL2(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

/** Cosine distance 1 - a.b for unit vectors (callers normalise first). */
export function cosineDistanceUnit(a: Float32Array, b: Float32Array): number {
  return 1 - dot(a, b);
}

/** True when every element is finite (no NaN or Infinity). */
export function isFiniteVector(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}
