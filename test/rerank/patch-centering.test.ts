import assert from 'node:assert/strict';
import { PatchCentering, normalizeCells } from '../../src/rerank/patch-centering.js';
import { randomGrid, SHAPE } from './helpers.js';

const CENTERING = { enabled: true, windowFrames: 50, minChange: 0.05 };

/** Mean cosine between each cell of `a` and the same cell of `b`. */
function cellCosine(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  const cells = a.length / SHAPE.dim;
  for (let c = 0; c < cells; c++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let d = 0; d < SHAPE.dim; d++) {
      const [x, y] = [a[c * SHAPE.dim + d], b[c * SHAPE.dim + d]];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    sum += dot / Math.sqrt(na * nb);
  }
  return sum / cells;
}

describe('PatchCentering', () => {
  it('removes the layout every frame of a run shares and leaves unit cells', () => {
    const layout = randomGrid(1);
    const centering = new PatchCentering(CENTERING, SHAPE);
    let last: Float32Array = new Float32Array(0);
    let raw: Float32Array = new Float32Array(0);
    for (let i = 0; i < 60; i++) {
      const place = randomGrid(100 + i);
      raw = normalizeCells(layout.map((v, k) => 2 * v + place[k]), SHAPE.dim);
      last = centering.apply(raw);
    }
    assert.ok(cellCosine(raw, layout) > 0.8, 'raw frames are mostly the shared layout');
    assert.ok(cellCosine(last, layout) < 0.3, `centred: ${cellCosine(last, layout)}`);
    for (let c = 0; c < last.length / SHAPE.dim; c++) {
      const n = Math.hypot(...last.subarray(c * SHAPE.dim, (c + 1) * SHAPE.dim));
      assert.ok(Math.abs(n - 1) < 1e-5);
    }
  });

  it('disabled: only normalises the cells, into a new array', () => {
    const grid = randomGrid(3).map((v) => 3 * v);
    const out = new PatchCentering({ ...CENTERING, enabled: false }, SHAPE).apply(grid);
    assert.notEqual(out, grid);
    assert.ok(Math.abs(out[0] - grid[0] / 3) < 1e-6);
  });
});
