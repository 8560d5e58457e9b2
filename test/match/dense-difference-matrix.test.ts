import assert from 'node:assert/strict';
import { DescriptorError } from '../../src/core/errors.js';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { DenseDifferenceMatrix } from '../../src/match/dense-difference-matrix.js';
import { MatchInputError } from '../../src/match/errors.js';

const s = Math.SQRT1_2;
const map = DescriptorMatrix.fromRows([
  new Float32Array([1, 0]),
  new Float32Array([0, 1]),
  new Float32Array([s, s]),
]);

describe('DenseDifferenceMatrix', () => {
  it('holds cosine distances 1 - m.q, map frames as rows and the window (oldest first) as columns', () => {
    const D = DenseDifferenceMatrix.fromDescriptors(map, [new Float32Array([1, 0]), new Float32Array([0, -1])]);
    assert.equal(D.rows, 3);
    assert.equal(D.cols, 2);
    const expected = [
      [0, 1],
      [1, 2],
      [1 - s, 1 + s],
    ];
    expected.forEach((row, r) => row.forEach((v, c) => assert.ok(Math.abs(D.get(r, c) - v) < 1e-6, `cell ${r},${c}`)));
  });

  it('rejects a query descriptor of the wrong size or with NaN', () => {
    assert.throws(() => DenseDifferenceMatrix.fromDescriptors(map, [new Float32Array(3)]), DescriptorError);
    assert.throws(() => DenseDifferenceMatrix.fromDescriptors(map, [new Float32Array([Number.NaN, 0])]), DescriptorError);
  });

  it('builds hand-made matrices and rejects ragged rows or wrong data length', () => {
    const D = DenseDifferenceMatrix.fromRows([
      [1, 2],
      [3, 4],
    ]);
    assert.equal(D.get(1, 0), 3);
    assert.throws(() => DenseDifferenceMatrix.fromRows([[1, 2], [3]]), MatchInputError);
    assert.throws(() => new DenseDifferenceMatrix(2, 2, new Float32Array(3)), MatchInputError);
  });
});
