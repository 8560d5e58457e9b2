import assert from 'node:assert/strict';
import { DescriptorError } from '../../src/core/errors.js';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { l2NormalizeInPlace } from '../../src/core/vector.js';
import { DenseDifferenceMatrix } from '../../src/match/dense-difference-matrix.js';
import { lazyDifferenceMatrix, RollingDifferenceMatrix } from '../../src/match/rolling-difference-matrix.js';
import type { DifferenceMatrix } from '../../src/match/types.js';
import { rng } from './helpers.js';

const next = rng(7);
const unit = (dim: number) => l2NormalizeInPlace(Float32Array.from({ length: dim }, () => next() - 0.5));
const map = DescriptorMatrix.fromRows(Array.from({ length: 12 }, () => unit(8)));
const queries = Array.from({ length: 5 }, () => unit(8));

function assertSame(a: DifferenceMatrix, b: DifferenceMatrix): void {
  assert.equal(a.rows, b.rows);
  assert.equal(a.cols, b.cols);
  for (let r = 0; r < a.rows; r++) for (let c = 0; c < a.cols; c++) assert.equal(a.get(r, c), b.get(r, c), `cell ${r},${c}`);
}

describe('RollingDifferenceMatrix', () => {
  it('keeps the last `capacity` query columns, oldest first, equal to a dense matrix of that window', () => {
    const D = new RollingDifferenceMatrix(map, 3);
    D.push(queries[0]);
    assert.equal(D.cols, 1);
    assertSame(D, DenseDifferenceMatrix.fromDescriptors(map, queries.slice(0, 1)));
    for (const q of queries.slice(1)) D.push(q);
    assert.equal(D.cols, 3);
    assertSame(D, DenseDifferenceMatrix.fromDescriptors(map, queries.slice(2, 5)));
    assert.equal(D.computedCells, 5 * 12, 'eager mode computes one column per push');
  });

  it('lazy mode computes only the cells that are read, once each', () => {
    const D = lazyDifferenceMatrix(map, queries);
    assert.equal(D.computedCells, 0);
    const dense = DenseDifferenceMatrix.fromDescriptors(map, queries);
    assert.equal(D.get(4, 2), dense.get(4, 2));
    assert.equal(D.get(4, 2), dense.get(4, 2));
    assert.equal(D.get(11, 4), dense.get(11, 4));
    assert.equal(D.computedCells, 2);
  });

  it('lazy mode stays correct while the ring buffer wraps', () => {
    const D = new RollingDifferenceMatrix(map, 2, 'lazy');
    for (const q of queries) D.push(q);
    assertSame(D, DenseDifferenceMatrix.fromDescriptors(map, queries.slice(3)));
  });

  it('reset empties the window; bad descriptors are rejected', () => {
    const D = new RollingDifferenceMatrix(map, 2);
    D.push(queries[0]);
    D.reset();
    assert.equal(D.cols, 0);
    assert.throws(() => D.push(new Float32Array(7)), DescriptorError);
    assert.throws(() => D.push(new Float32Array(8).fill(Number.NaN)), DescriptorError);
  });
});
