import assert from 'node:assert/strict';
import { dot } from '../../src/core/vector.js';
import { DotBlocks, ResidentDot } from '../../src/core/wasm-dot.js';
import { mulberry32 } from '../support/random-unit-vectors.js';

describe('ResidentDot', () => {
  const next = mulberry32(11);
  const random = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (next() - 0.5) * scale);

  it('runs here (Node 20 has WebAssembly SIMD), so the fast path is what the tests exercise', () => {
    assert.ok(ResidentDot.create(2, 8));
  });

  it('gives bit for bit the products of `dot`, tails (lengths not a multiple of 4) and offsets included', () => {
    for (const dim of [0, 1, 2, 3, 4, 5, 7, 8, 13, 512, 3072, 3075]) {
      const kernel = ResidentDot.create(3, dim)!;
      const slots = [random(dim), random(dim, 1e-3), random(dim, 1e4)];
      slots.forEach((v, s) => kernel.vectors.set(v, s * dim));
      const rows = random(5 * dim + 3);
      for (let r = 0; r < 5; r++) {
        for (let s = 0; s < 3; s++) {
          const offset = r * dim + (r % 3); // rows need not start on a multiple of dim
          assert.equal(kernel.dot(rows, offset, s), dot(rows, kernel.vectors, dim, offset, s * dim), `dim ${dim} row ${r} slot ${s}`);
        }
      }
    }
  });

  it('keeps rounding where an unordered sum would not (catastrophic cancellation)', () => {
    const dim = 9;
    const kernel = ResidentDot.create(1, dim)!;
    kernel.vectors.set(Float32Array.from([1e8, 1, -1e8, 3, 1, 1e-8, 7, -1, 0.5]));
    const row = Float32Array.from([1e8, 3, 1e8, 1, -1e8, 1e8, 0.25, 1, 3]);
    assert.equal(kernel.dot(row, 0, 0), dot(row, kernel.vectors.subarray(0, dim)));
  });
});

describe('DotBlocks', () => {
  const next = mulberry32(12);
  const random = (n: number) => Float32Array.from({ length: n }, () => next() - 0.5);

  /** Every product of every window of a cols x rows grid of B against every vector of A. */
  function checkWindows(blocks: DotBlocks, a: Float32Array, b: Float32Array, dim: number, cols: number, rows: number): void {
    blocks.load(a, b, dim);
    for (let i = 0; i < a.length / dim; i++) {
      for (const [x0, y0, count, height] of [[0, 0, cols, rows], [1, 1, cols - 2, rows - 1], [cols - 1, rows - 1, 1, 1], [2, 0, 0, rows]]) {
        const out = blocks.block(i, y0 * cols + x0, count, height, cols);
        for (let r = 0; r < height; r++) {
          for (let c = 0; c < count; c++) {
            const expected = dot(a, b, dim, i * dim, ((y0 + r) * cols + x0 + c) * dim);
            assert.equal(out[r * count + c], expected, `dim ${dim} i ${i} window ${x0},${y0} r ${r} c ${c}`);
          }
        }
      }
    }
  }

  for (const webAssembly of [true, false]) {
    it(`gives bit for bit the products of \`dot\` over search windows (${webAssembly ? 'WebAssembly' : 'plain dot'}), through loads of growing sets`, () => {
      const blocks = DotBlocks.create(webAssembly);
      // Odd counts put the products at an offset that is no multiple of 8 unless aligned; the last
      // load is larger than the memory's first page.
      for (const [dim, na, cols, rows] of [[5, 3, 7, 5], [32, 7, 16, 8], [3, 1, 4, 3], [96, 40, 16, 8]]) {
        checkWindows(blocks, random(na * dim), random(cols * rows * dim), dim, cols, rows);
      }
    });
  }
});
