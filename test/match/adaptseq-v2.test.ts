import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import { AdaptSeqV2Matcher } from '../../src/match/adaptseq-v2.js';
import { DenseDifferenceMatrix } from '../../src/match/dense-difference-matrix.js';
import { MatchInputError } from '../../src/match/errors.js';
import { background, diagonal, drawPath } from './helpers.js';

const hit = (mapIndex: number) => ({ mapIndex, distance: 0 });

describe('AdaptSeqV2Matcher', () => {
  it('traces a hand-made 10 x 5 matrix from the region minimum in both directions', () => {
    // Coarse hit 7, L = 3: region rows 5..7 x columns 2..4, minimum 0.1 at (5, 2).
    // Backward (KK = 3): col 1 over rows 3..5 -> 4 (0.25); col 0 over rows 2..4 -> 2 (0.2).
    // Forward: col 3 over rows 5..7 -> 7 (0.35); col 4 over rows 7..9 -> 7 (0.2, a stop).
    // The 0.05 cells are traps just outside the windows: (1, 0) one row too far back, (8, 3) one
    // row too far ahead, (4, 4) behind the trajectory (it never goes backwards).
    const x = 0.9;
    const D = DenseDifferenceMatrix.fromRows([
      [x, x, x, x, x],
      [0.05, x, x, x, x],
      [0.2, x, x, x, x],
      [x, 0.3, x, x, x],
      [x, 0.25, x, x, 0.05],
      [x, x, 0.1, x, x],
      [x, x, x, 0.4, x],
      [x, x, x, 0.35, 0.2],
      [x, x, x, 0.05, 0.5],
      [x, x, x, x, x],
    ]);
    const out = new AdaptSeqV2Matcher({ coarseSequenceLength: 3, stepWindow: 3 }).match({ D, coarse: [hit(7)] });
    assert.deepEqual(out.path, [2, 4, 5, 7, 7]);
    assert.equal(out.mapIndex, 7);
    assert.ok(Math.abs(out.score - (0.2 + 0.25 + 0.1 + 0.35 + 0.2) / 5) < 1e-6, `score ${out.score}`);
  });

  it('follows a speed change from 1 to 2 frames per step exactly', () => {
    const path = [10, 11, 12, 14, 16, 18];
    const D = drawPath(background(50, 6), path);
    const out = new AdaptSeqV2Matcher().match({ D, coarse: [hit(18)] });
    assert.deepEqual(out.path, path);
    assert.equal(out.mapIndex, 18);
    assert.ok(Math.abs(out.score - 0.1) < 1e-6);
  });

  it('follows a stop (several query frames matching one map row)', () => {
    const path = [10, 11, 12, 12, 12, 13];
    const D = drawPath(background(50, 6), path);
    const out = new AdaptSeqV2Matcher().match({ D, coarse: [hit(13)] });
    assert.deepEqual(out.path, path);
    assert.equal(out.mapIndex, 13);
  });

  it('trusts the coarse regions: a wrong hit wins with confidence 0, a right one with a high confidence', () => {
    const D = drawPath(drawPath(background(80, 5), diagonal(30, 5), 0.1), diagonal(60, 5), 0.3);
    const m = new AdaptSeqV2Matcher();
    const wrong = m.match({ D, coarse: [hit(60)] });
    assert.equal(wrong.mapIndex, 60);
    assert.equal(wrong.confidence, 0, 'the fallback starts found a better place elsewhere');
    const right = m.match({ D, coarse: [hit(30)] });
    assert.equal(right.mapIndex, 30);
    assert.ok(Math.abs(right.confidence - (1 - 0.1 / 0.3)) < 1e-6, `confidence ${right.confidence}`);
    assert.equal(m.match({ D, coarse: [hit(60), hit(30)] }).mapIndex, 30, 'best of the K trajectories');
  });

  it('without coarse hits starts from row minima and finds the place', () => {
    const D = drawPath(drawPath(background(80, 5), diagonal(30, 5), 0.1), diagonal(60, 5), 0.3);
    const out = new AdaptSeqV2Matcher().match({ D });
    assert.equal(out.mapIndex, 30);
    assert.deepEqual(out.path, diagonal(30, 5));
    assert.equal(out.candidates[1].mapIndex, 60);
  });

  it('clips regions of coarse hits near row 0 and past the map end', () => {
    const start = drawPath(background(20, 5), [0, 0, 0, 0, 1]);
    assert.deepEqual(new AdaptSeqV2Matcher().match({ D: start, coarse: [hit(1)] }).path, [0, 0, 0, 0, 1]);
    const end = drawPath(background(20, 5), diagonal(19, 5));
    const m = new AdaptSeqV2Matcher();
    assert.deepEqual(m.match({ D: end, coarse: [hit(22)] }).path, diagonal(19, 5), 'region rows 18..19');
    assert.equal(m.match({ D: end, coarse: [hit(40), hit(-3)] }).mapIndex, 19, 'no usable hit: fallback');
    assert.throws(() => m.match({ D: end, coarse: [hit(Number.NaN)] }), MatchInputError);
  });

  it('works with one column and with fewer columns than the coarse length', () => {
    const one = drawPath(background(20, 1), [6]);
    assert.equal(new AdaptSeqV2Matcher().match({ D: one, coarse: [hit(8)] }).mapIndex, 6);
    const three = drawPath(background(20, 3), [5, 6, 8]);
    assert.deepEqual(new AdaptSeqV2Matcher().match({ D: three, coarse: [hit(9)] }).path, [5, 6, 8]);
  });

  it('rejects invalid options', () => {
    assert.throws(() => new AdaptSeqV2Matcher({ stepWindow: 0 }), ConfigError);
    assert.throws(() => new AdaptSeqV2Matcher({ coarseSequenceLength: 2.5 }), ConfigError);
  });
});
