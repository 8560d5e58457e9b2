import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import { ContrastNormalizedMatrix } from '../../src/match/contrast-normalized-matrix.js';
import { DenseDifferenceMatrix } from '../../src/match/dense-difference-matrix.js';
import { SeqMatchMatcher } from '../../src/match/seqmatch.js';
import { ContrastNormalizingMatcher } from '../../src/match/contrast-normalizing-matcher.js';
import { diagonal, drawPath } from './helpers.js';

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-6, `${msg ?? ''} ${a} != ${b}`);

describe('ContrastNormalizedMatrix', () => {
  it('replaces each cell by its z-score over rows +-R of its column, shifted by sqrt(2R)', () => {
    // Column 0 = 1,2,3,4 with R = 1. Windows: [1,2] -> z(1) = -1; [1,2,3] -> z(2) = 0;
    // [2,3,4] -> z(3) = 0; [3,4] -> z(4) = +1. Column 1 is constant: no contrast, z = 0.
    const D = DenseDifferenceMatrix.fromRows([
      [1, 5],
      [2, 5],
      [3, 5],
      [4, 5],
    ]);
    const N = new ContrastNormalizedMatrix(D, 1);
    const o = Math.SQRT2;
    [-1, 0, 0, 1].forEach((z, r) => close(N.get(r, 0), z + o, `row ${r}`));
    for (let r = 0; r < 4; r++) close(N.get(r, 1), o);
    close(N.offset, o);
  });

  it('uses the population std of the clipped window (R = 2 on five rows)', () => {
    // Row 0, window rows 0..2 = [0, 0, 3]: mean 1, std sqrt(2) -> z = -1/sqrt(2).
    // Row 2, window rows 0..4 = [0, 0, 3, 0, 0]: mean 0.6, std 1.2 -> z = 2.
    const D = DenseDifferenceMatrix.fromRows([[0], [0], [3], [0], [0]]);
    const N = new ContrastNormalizedMatrix(D, 2);
    close(N.get(0, 0), -1 / Math.SQRT2 + 2);
    close(N.get(2, 0), 2 + 2);
  });

  it('never goes below 0 (Samuelson bound) and re-binds to a new source', () => {
    const D = DenseDifferenceMatrix.fromRows([[9], [9], [0], [9], [9]]);
    const N = new ContrastNormalizedMatrix(D, 2);
    for (let r = 0; r < 5; r++) assert.ok(N.get(r, 0) >= 0);
    close(N.get(2, 0), 0, 'the single outlier of a full window sits exactly on the bound');
    N.bind(DenseDifferenceMatrix.fromRows([[1], [1], [1], [1], [1]]));
    close(N.get(2, 0), 2, 'cache is cleared on bind');
  });

  it('rejects a radius below one row', () => {
    const D = DenseDifferenceMatrix.fromRows([[1]]);
    assert.throws(() => new ContrastNormalizedMatrix(D, 0), ConfigError);
    assert.throws(() => new ContrastNormalizingMatcher(new SeqMatchMatcher(), 1.5), ConfigError);
  });

  it('lets a matcher find a place that a bland, uniformly similar map stretch would otherwise beat', () => {
    // Rows 0..9 look alike to every query (0.3 everywhere); the true place (end 30) is 0.35
    // against a 0.9 neighbourhood. Raw SeqMatch picks the bland stretch; normalised, the true one.
    const D = new DenseDifferenceMatrix(40, 5, new Float32Array(200).fill(0.9));
    for (let r = 0; r < 10; r++) for (let c = 0; c < 5; c++) D.data[r * 5 + c] = 0.3;
    drawPath(D, diagonal(30, 5), 0.35);
    const raw = new SeqMatchMatcher().match({ D });
    assert.ok(raw.mapIndex < 10);
    const normalized = new ContrastNormalizingMatcher(new SeqMatchMatcher(), 5);
    assert.equal(normalized.name, 'seqmatch+contrast');
    const out = normalized.match({ D });
    assert.equal(out.mapIndex, 30);
    assert.deepEqual(out.path, diagonal(30, 5));
  });
});
