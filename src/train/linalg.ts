// Dense linear algebra for the training tools, on row-major typed arrays: a blocked matrix product
// (the hot loop of PCA and SeqNet), transposition, and a symmetric eigen-solver (Householder
// tridiagonalisation + implicit QL, after JAMA / EISPACK tred2+tql2) with a subspace iteration for
// the leading eigenpairs of large matrices. No dependency offers these for plain typed arrays.

export type Floats = Float32Array | Float64Array;

// Block sizes: a KB x NB panel of B (128 x 512 floats = 256 KiB as float32) stays in L2 while the
// rows of A stream past it.
const KB = 128;
const NB = 512;

/**
 * C[m x n] = A[m x k] · B[k x n] (+ C when `accumulate`). Row-major, tightly packed. The micro-kernel
 * updates two rows of C from four rows of B per pass (each B value loaded once for two rows), as
 * axpys over contiguous memory that V8 keeps in registers: about 1.6 GMAC/s on one core.
 */
export function matmul<T extends Floats>(a: Floats, b: Floats, m: number, k: number, n: number, c: T, accumulate = false): T {
  if (!accumulate) c.fill(0, 0, m * n);
  for (let j0 = 0; j0 < n; j0 += NB) {
    const j1 = Math.min(n, j0 + NB);
    for (let p0 = 0; p0 < k; p0 += KB) {
      const p1 = Math.min(k, p0 + KB);
      let i = 0;
      for (; i + 1 < m; i += 2) {
        const ci = i * n;
        const cj = ci + n;
        const ai = i * k;
        const aj = ai + k;
        let p = p0;
        for (; p + 3 < p1; p += 4) {
          const a0 = a[ai + p];
          const a1 = a[ai + p + 1];
          const a2 = a[ai + p + 2];
          const a3 = a[ai + p + 3];
          const e0 = a[aj + p];
          const e1 = a[aj + p + 1];
          const e2 = a[aj + p + 2];
          const e3 = a[aj + p + 3];
          const b0 = p * n;
          const b1 = b0 + n;
          const b2 = b1 + n;
          const b3 = b2 + n;
          for (let j = j0; j < j1; j++) {
            const x0 = b[b0 + j];
            const x1 = b[b1 + j];
            const x2 = b[b2 + j];
            const x3 = b[b3 + j];
            c[ci + j] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
            c[cj + j] += e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3;
          }
        }
        for (; p < p1; p++) {
          const a0 = a[ai + p];
          const e0 = a[aj + p];
          const b0 = p * n;
          for (let j = j0; j < j1; j++) {
            const x = b[b0 + j];
            c[ci + j] += a0 * x;
            c[cj + j] += e0 * x;
          }
        }
      }
      for (; i < m; i++) {
        const ci = i * n;
        const ai = i * k;
        for (let p = p0; p < p1; p++) {
          const a0 = a[ai + p];
          const b0 = p * n;
          for (let j = j0; j < j1; j++) c[ci + j] += a0 * b[b0 + j];
        }
      }
    }
  }
  return c;
}

/** out[cols x rows] = transpose of a[rows x cols]. */
export function transpose<T extends Floats>(a: Floats, rows: number, cols: number, out: T): T {
  const TB = 32;
  for (let i0 = 0; i0 < rows; i0 += TB) {
    const i1 = Math.min(rows, i0 + TB);
    for (let j0 = 0; j0 < cols; j0 += TB) {
      const j1 = Math.min(cols, j0 + TB);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * rows + i] = a[i * cols + j];
    }
  }
  return out;
}

/** C[m x n] = A[m x k] · B[n x k]ᵀ (rows of A against rows of B). `bt` is scratch for Bᵀ. */
export function matmulTransB<T extends Floats>(a: Floats, b: Floats, m: number, k: number, n: number, c: T, bt?: Floats, accumulate = false): T {
  const t = bt && bt.length >= k * n ? bt : new Float32Array(k * n);
  transpose(b, n, k, t);
  return matmul(a, t, m, k, n, c, accumulate);
}

/** C[m x n] = A[k x m]ᵀ · B[k x n]. `at` is scratch for Aᵀ. */
export function matmulTransA<T extends Floats>(a: Floats, b: Floats, k: number, m: number, n: number, c: T, at?: Floats, accumulate = false): T {
  const t = at && at.length >= k * m ? at : new Float32Array(k * m);
  transpose(a, k, m, t);
  return matmul(t, b, m, k, n, c, accumulate);
}

/**
 * Gram matrix G[c x c] = Xᵀ X of X[r x c] (float32), accumulated in float64 over row blocks so the
 * float32 products never sum more than a block of terms. Only blocks on and above the diagonal are
 * computed (G is symmetric).
 */
export function gramOfColumns(x: Float32Array, rows: number, cols: number): Float64Array {
  const g = new Float64Array(cols * cols);
  const RB = 256;
  const CB = 512;
  const xt = new Float32Array(cols * RB);
  const part = new Float32Array(CB * CB);
  const scratch = new Float32Array(CB * RB);
  for (let r0 = 0; r0 < rows; r0 += RB) {
    const rb = Math.min(RB, rows - r0);
    transpose(x.subarray(r0 * cols, (r0 + rb) * cols), rb, cols, xt); // row c of xt = column c of the block
    for (let i0 = 0; i0 < cols; i0 += CB) {
      const ni = Math.min(CB, cols - i0);
      for (let j0 = i0; j0 < cols; j0 += CB) {
        const nj = Math.min(CB, cols - j0);
        matmulTransB(xt.subarray(i0 * rb, (i0 + ni) * rb), xt.subarray(j0 * rb, (j0 + nj) * rb), ni, rb, nj, part, scratch);
        for (let i = 0; i < ni; i++) for (let j = 0; j < nj; j++) g[(i0 + i) * cols + j0 + j] += part[i * nj + j];
      }
    }
  }
  // Mirror the upper triangle (blocks on the diagonal hold both halves; keep their upper one too).
  for (let i = 0; i < cols; i++) for (let j = i + 1; j < cols; j++) g[j * cols + i] = g[i * cols + j];
  return g;
}

export interface EigenPairs {
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** vectors[i * n + j]: component j of eigenvector i (rows are unit eigenvectors). */
  vectors: Float64Array;
}

/**
 * All eigenpairs of a symmetric n x n matrix (row-major; only symmetry is assumed, not checked).
 * Householder reduction to tridiagonal form, then the implicit QL algorithm (tred2 + tql2).
 */
export function symmetricEigen(matrix: Float64Array, n: number): EigenPairs {
  // JAMA keeps V as columns; work on V[i][j] stored row-major and read eigenvectors from columns.
  const V = Float64Array.from(matrix.subarray(0, n * n));
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(V, d, e, n);
  tql2(V, d, e, n);
  // tql2 sorts ascending; return descending with vectors as rows.
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    const col = n - 1 - r;
    values[r] = d[col];
    for (let i = 0; i < n; i++) vectors[r * n + i] = V[i * n + col];
  }
  return { values, vectors };
}

function tred2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j * n + i] = f;
        g = e[j] + V[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k * n + j] * d[k];
          e[k] += V[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[k * n + j] -= f * e[k] + g * d[k];
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate transformations.
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i];
    V[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1] * V[k * n + j];
        for (let k = 0; k <= i; k++) V[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j];
    V[(n - 1) * n + j] = 0;
  }
  if (n > 0) V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

function tql2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  if (n > 0) e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      do {
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < n; k++) {
            const row = k * n;
            h = V[row + i + 1];
            V[row + i + 1] = s * V[row + i] + c * h;
            V[row + i] = c * V[row + i] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  // Sort ascending (selection sort on values, swapping columns of V).
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      for (let j = 0; j < n; j++) {
        const row = j * n;
        const t = V[row + i];
        V[row + i] = V[row + k];
        V[row + k] = t;
      }
    }
  }
}

/**
 * Orthonormalises the rows of Q[p x n] in place (modified Gram-Schmidt, two passes for stability).
 * A row that becomes (numerically) zero is replaced by a fresh direction from `fill`.
 */
export function orthonormalizeRows(q: Float64Array, p: number, n: number, fill: () => number): void {
  for (let j = 0; j < p; j++) {
    const rj = j * n;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const ri = i * n;
        let d = 0;
        for (let c = 0; c < n; c++) d += q[ri + c] * q[rj + c];
        for (let c = 0; c < n; c++) q[rj + c] -= d * q[ri + c];
      }
    }
    let norm = 0;
    for (let c = 0; c < n; c++) norm += q[rj + c] * q[rj + c];
    norm = Math.sqrt(norm);
    if (norm < 1e-10) {
      for (let c = 0; c < n; c++) q[rj + c] = fill();
      j--; // redo this row with the new direction
      continue;
    }
    for (let c = 0; c < n; c++) q[rj + c] /= norm;
  }
}

export interface TopEigenOptions {
  /** Source of random numbers in [-1, 1) for the start basis (seeded by the caller). */
  random: () => number;
  /**
   * Stop when no leading Ritz value changed by more than this (relative) in the last iteration.
   * Ritz values converge about twice as fast as vectors; near-equal eigenvalues may stay mixed in
   * their vectors, which leaves a (whitened) projection essentially unchanged. Default 1e-5.
   */
  tolerance?: number;
  maxIterations?: number;
  /** Matrices up to this size are solved fully (tred2+tql2). Default 400. */
  directBelow?: number;
}

export interface TopEigenResult extends EigenPairs {
  iterations: number;
  converged: boolean;
  /** Largest relative residual ‖M v − λ v‖ / λ over the returned pairs (0 for the direct solver). */
  residual: number;
}

/**
 * The k largest eigenpairs of a symmetric positive semi-definite n x n matrix. Small matrices are
 * solved directly; larger ones by subspace iteration on k + oversampling vectors with a
 * Rayleigh-Ritz step every iteration (Halko, Martinsson & Tropp 2011, Alg. 4.4 / 5.3). The basis is
 * kept as rows, so every product and the Gram-Schmidt sweeps run over contiguous memory, and the
 * product the Rayleigh-Ritz step needs is reused as the next power step: one M-product per iteration.
 */
export function topEigen(matrix: Float64Array, n: number, k: number, options: TopEigenOptions): TopEigenResult {
  const kk = Math.min(k, n);
  if (n <= (options.directBelow ?? 400) || kk * 2 >= n) {
    const all = symmetricEigen(matrix, n);
    return { values: all.values.slice(0, kk), vectors: all.vectors.slice(0, kk * n), iterations: 0, converged: true, residual: 0 };
  }
  const p = Math.min(n, kk + Math.max(16, Math.ceil(kk / 2)));
  const tol = options.tolerance ?? 1e-5;
  const maxIterations = options.maxIterations ?? 100;
  const m32 = Float32Array.from(matrix); // products in float32 (memory bandwidth); Ritz steps in float64
  const q = new Float64Array(p * n);
  for (let i = 0; i < q.length; i++) q[i] = options.random();
  orthonormalizeRows(q, p, n, options.random);
  const q32 = new Float32Array(p * n);
  const mq = new Float64Array(p * n);
  const t = new Float64Array(p * p);
  const qT = new Float64Array(n * p);
  const next = new Float64Array(p * n);
  let previous = new Float64Array(kk).fill(Number.POSITIVE_INFINITY);
  let ritz: EigenPairs = { values: new Float64Array(p), vectors: new Float64Array(p * p) };
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    for (let i = 0; i < q.length; i++) q32[i] = q[i];
    matmul(q32, m32, p, n, n, mq); // rows of Qᵀ M = (M Q)ᵀ, M symmetric
    transpose(q, p, n, qT);
    matmul(mq, qT, p, n, p, t); // T = Qᵀ M Q
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) t[i * p + j] = t[j * p + i] = (t[i * p + j] + t[j * p + i]) / 2;
    ritz = symmetricEigen(t, p);
    let change = 0;
    for (let i = 0; i < kk; i++) {
      const scale = Math.max(Math.abs(ritz.values[i]), Math.abs(ritz.values[0]) * 1e-12, 1e-300);
      change = Math.max(change, Math.abs(ritz.values[i] - previous[i]) / scale);
    }
    previous = ritz.values.slice(0, kk);
    converged = change <= tol;
    if (converged || iterations === maxIterations) break;
    // Next basis: orth(M Q W) = orth(W (M Q)ᵀ) (the Ritz rotation keeps the leading directions first).
    matmul(ritz.vectors, mq, p, p, n, next);
    q.set(next);
    orthonormalizeRows(q, p, n, options.random);
  }
  // Ritz vectors (rows of W Qᵀ), M times them (rows of W (M Q)ᵀ), and their residuals.
  const vectors = matmul(ritz.vectors.subarray(0, kk * p), q, kk, p, n, new Float64Array(kk * n));
  const mv = matmul(ritz.vectors.subarray(0, kk * p), mq, kk, p, n, new Float64Array(kk * n));
  const values = ritz.values.slice(0, kk);
  let residual = 0;
  for (let i = 0; i < kk; i++) {
    let r2 = 0;
    for (let c = i * n; c < (i + 1) * n; c++) r2 += (mv[c] - values[i] * vectors[c]) ** 2;
    residual = Math.max(residual, Math.sqrt(r2) / Math.max(Math.abs(values[i]), Math.abs(values[0]) * 1e-12, 1e-300));
  }
  return { values, vectors, iterations, converged, residual };
}
