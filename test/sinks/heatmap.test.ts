import assert from 'node:assert/strict';
import sharp from 'sharp';
import { EvalError } from '../../src/core/errors.js';
import { reduceMatrix, renderHeatmapPng, renderMaskPng, viridis } from '../../src/sinks/report/heatmap.js';

// 4 map rows x 4 query columns, row-major.
const data = Float32Array.from([
  1, 2, 3, 4,
  5, 6, 7, 8,
  9, 10, 11, 12,
  13, 14, 15, NaN,
]);

describe('eval/heatmap', () => {
  it('block-min and block-mean reduce to at most maxSide cells, skipping NaN', () => {
    const min = reduceMatrix({ rows: 4, cols: 4, data }, 2, 'min');
    assert.deepEqual([min.rows, min.cols, min.rowBlock, min.colBlock], [2, 2, 2, 2]);
    assert.deepEqual(Array.from(min.data), [1, 3, 9, 11]);
    const mean = reduceMatrix({ rows: 4, cols: 4, data }, 2, 'mean');
    assert.deepEqual(Array.from(mean.data), [3.5, 5.5, 11.5, Math.fround(38 / 3)]);
  });

  it('keeps the size when it already fits and handles ragged last blocks', () => {
    assert.equal(reduceMatrix({ rows: 4, cols: 4, data }, 800).data.length, 16);
    const g = reduceMatrix({ rows: 4, cols: 4, data }, 3, 'min'); // blocks of 2 → 2 x 2
    assert.deepEqual([g.rows, g.cols], [2, 2]);
    const odd = reduceMatrix({ rows: 1, cols: 5, data: Float32Array.from([5, 4, 3, 2, 1]) }, 2, 'min'); // block 3: [5,4,3] [2,1]
    assert.deepEqual(Array.from(odd.data), [3, 1]);
  });

  it('accepts per-query columns (null = not computed) and accessor matrices', () => {
    const cols = reduceMatrix({ rows: 2, columns: [Float32Array.from([1, 2]), null, Float32Array.from([5, 6])] }, 10);
    assert.deepEqual([cols.rows, cols.cols], [2, 3]);
    assert.deepEqual(Array.from(cols.data), [1, NaN, 5, 2, NaN, 6]);
    const acc = reduceMatrix({ rows: 2, cols: 2, get: (r, c) => r * 10 + c }, 10);
    assert.deepEqual(Array.from(acc.data), [0, 1, 10, 11]);
    assert.throws(() => reduceMatrix({ rows: 3, columns: [new Float32Array(2)] }), /query 0 has 2 values, expected 3/);
    assert.throws(() => reduceMatrix({ rows: 2, cols: 2, data: new Float32Array(3) }), EvalError);
    assert.throws(() => reduceMatrix({ rows: 0, cols: 0, data: new Float32Array(0) }), /empty/);
  });

  it('renders low distances dark and high bright, one pixel per cell', async () => {
    const grid = reduceMatrix({ rows: 4, cols: 4, data }, 800);
    const { png, range } = await renderHeatmapPng(grid);
    const { data: px, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [4, 4, 3]);
    const lum = (k: number): number => px[k * 3] + px[k * 3 + 1] + px[k * 3 + 2];
    assert.ok(lum(0) < lum(5) && lum(5) < lum(14), 'brightness grows with distance');
    assert.deepEqual([...px.subarray(0, 3)], viridis(0));
    assert.deepEqual([...px.subarray(15 * 3, 16 * 3)], [40, 40, 40], 'NaN is drawn neutral grey');
    assert.ok(range[0] > 1 && range[1] < 15, 'colour range is the 2nd..98th percentile');
  });

  it('mask PNG paints only the cells holding the given pairs', async () => {
    const grid = { rows: 2, cols: 2, rowBlock: 2, colBlock: 2 };
    const png = await renderMaskPng(grid, [[3, 1], [9, 9]], [255, 0, 0, 200]); // (map 3, query 1) → cell (1, 0)
    const { data: px } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([...px], [0, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 200, 0, 0, 0, 0]);
  });
});
