import assert from 'node:assert/strict';
import { createRandom } from '../../src/core/random.js';
import { gramOfColumns, matmul, matmulTransA, matmulTransB, symmetricEigen, topEigen } from '../../src/train/linalg.js';

const rng = createRandom(11);
const rand = (): number => rng.next() * 2 - 1;
const randomArray = (n: number): Float32Array => Float32Array.from({ length: n }, rand);

function naive(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

describe('linear algebra kernels', () => {
  it('matmul and its transposed forms equal the naive triple loop (odd sizes, several blocks)', () => {
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 2], [7, 130, 517], [2, 260, 3]]) {
      const a = randomArray(m * k);
      const b = randomArray(k * n);
      const want = naive(a, b, m, k, n);
      const got = matmul(a, b, m, k, n, new Float32Array(m * n));
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4, `${m}x${k}x${n} [${i}]`));
      // A Bᵀ with B given as [n x k], and Aᵀ B with A given as [k x m].
      const bt = new Float32Array(n * k);
      for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = b[p * n + j];
      matmulTransB(a, bt, m, k, n, new Float32Array(m * n)).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4));
      const at = new Float32Array(k * m);
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) at[p * m + i] = a[i * k + p];
      matmulTransA(at, b, k, m, n, new Float32Array(m * n)).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4));
    }
    // accumulate adds to C
    const c = Float32Array.of(10);
    matmul(Float32Array.of(2), Float32Array.of(3), 1, 1, 1, c, true);
    assert.equal(c[0], 16);
  });

  it('gramOfColumns is XᵀX, exactly symmetric', () => {
    const r = 300;
    const cols = 530;
    const x = randomArray(r * cols);
    const g = gramOfColumns(x, r, cols);
    for (let i = 0; i < cols; i += 37) {
      for (let j = 0; j < cols; j += 29) {
        let s = 0;
        for (let p = 0; p < r; p++) s += x[p * cols + i] * x[p * cols + j];
        assert.ok(Math.abs(g[i * cols + j] - s) < 1e-4);
        assert.equal(g[i * cols + j], g[j * cols + i]);
      }
    }
  });

  it('symmetricEigen solves a hand-made matrix', () => {
    // [[2, 1], [1, 2]]: eigenvalues 3 (1,1)/√2 and 1 (1,-1)/√2.
    const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
    assert.ok(Math.abs(values[0] - 3) < 1e-12 && Math.abs(values[1] - 1) < 1e-12);
    assert.ok(Math.abs(Math.abs(vectors[0]) - Math.SQRT1_2) < 1e-12 && Math.abs(vectors[0] - vectors[1]) < 1e-12);
    assert.ok(Math.abs(vectors[2] + vectors[3]) < 1e-12);
    // Diagonal with repeated values and a zero.
    const d = symmetricEigen(Float64Array.of(0, 0, 0, 0, 5, 0, 0, 0, 5), 3);
    assert.deepEqual(Array.from(d.values), [5, 5, 0]);
  });

  it('topEigen by subspace iteration agrees with the direct solver', () => {
    const n = 450;
    const x = new Float32Array(2 * n * n);
    for (let r = 0; r < 2 * n; r++) for (let c = 0; c < n; c++) x[r * n + c] = rand() * (c < 20 ? 3 / (c + 1) : 0.05);
    const m = gramOfColumns(x, 2 * n, n);
    const direct = symmetricEigen(m, n);
    const iter = topEigen(m, n, 10, { random: rand, directBelow: 100 });
    assert.ok(iter.iterations > 0, 'the iterative path ran');
    assert.ok(iter.converged);
    for (let i = 0; i < 10; i++) {
      assert.ok(Math.abs(iter.values[i] - direct.values[i]) / direct.values[i] < 1e-6, `value ${i}`);
      let dotProduct = 0;
      for (let c = 0; c < n; c++) dotProduct += iter.vectors[i * n + c] * direct.vectors[i * n + c];
      assert.ok(Math.abs(Math.abs(dotProduct) - 1) < 1e-4, `vector ${i}: |cos| ${Math.abs(dotProduct)}`);
    }
  });
});
