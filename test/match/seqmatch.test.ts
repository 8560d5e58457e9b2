import assert from 'node:assert/strict';
import { DenseDifferenceMatrix } from '../../src/match/dense-difference-matrix.js';
import { MatchInputError } from '../../src/match/errors.js';
import { SeqMatchMatcher } from '../../src/match/seqmatch.js';
import { background, diagonal, drawPath } from './helpers.js';

describe('SeqMatchMatcher', () => {
  it('finds a constant unit-speed trajectory and answers the row of the newest column', () => {
    const D = drawPath(background(40, 5), diagonal(20, 5));
    const out = new SeqMatchMatcher().match({ D });
    assert.equal(out.mapIndex, 20);
    assert.deepEqual(out.path, [16, 17, 18, 19, 20]);
    assert.ok(Math.abs(out.score - 0.1) < 1e-6);
    assert.equal(out.candidates[0].mapIndex, 20);
  });

  it('scores only the coarse ends (+- radius) but still uses the whole map for rivals', () => {
    // True place ends at 20; a weaker look-alike ends at 33. A wrong coarse hit (33) makes 33 win,
    // but the better rival at 20 drives the confidence to 0. The right hit gives a high confidence.
    const D = drawPath(drawPath(background(40, 5), diagonal(20, 5), 0.1), diagonal(33, 5), 0.3);
    const m = new SeqMatchMatcher();
    const wrong = m.match({ D, coarse: [{ mapIndex: 33, distance: 0 }] });
    assert.equal(wrong.mapIndex, 33);
    assert.equal(wrong.confidence, 0);
    const right = m.match({ D, coarse: [{ mapIndex: 20, distance: 0 }] });
    assert.equal(right.mapIndex, 20);
    assert.ok(Math.abs(right.confidence - (1 - 0.1 / 0.3)) < 1e-6, `confidence ${right.confidence}`);
    const near = new SeqMatchMatcher({ coarseRadiusRows: 2 }).match({ D, coarse: [{ mapIndex: 22, distance: 0 }] });
    assert.equal(near.mapIndex, 20, 'the radius lets an off-by-two coarse hit reach the true end');
  });

  it("with rivalScope 'candidates' only the coarse regions are scored", () => {
    const D = drawPath(drawPath(background(40, 5), diagonal(20, 5), 0.1), diagonal(33, 5), 0.3);
    const m = new SeqMatchMatcher({ rivalScope: 'candidates', coarseRadiusRows: 1 });
    const out = m.match({ D, coarse: [{ mapIndex: 33, distance: 0 }] });
    assert.equal(out.mapIndex, 33);
    assert.ok(out.candidates.every((c) => Math.abs(c.mapIndex - 33) <= 1));
    assert.equal(out.confidence, 0, 'no rival outside the exclusion window was scored');
  });

  it('breaks ties towards the first (lowest) end row', () => {
    const D = drawPath(drawPath(new DenseDifferenceMatrix(30, 3, new Float32Array(90).fill(1)), diagonal(25, 3)), diagonal(8, 3));
    const out = new SeqMatchMatcher().match({ D });
    assert.equal(out.mapIndex, 8);
    assert.equal(out.candidates[1].mapIndex, 25);
    assert.equal(out.confidence, 0, 'an equally good distant place means no confidence');
  });

  it('clips trajectories at the map start to row 0 and handles a map shorter than the window', () => {
    const D = background(10, 5);
    drawPath(D, [0, 0, 0, 1, 2], 0.1);
    const out = new SeqMatchMatcher().match({ D });
    assert.equal(out.mapIndex, 2);
    assert.deepEqual(out.path, [0, 0, 0, 1, 2]);

    const short = drawPath(background(3, 5), [0, 0, 0, 1, 2]);
    const s = new SeqMatchMatcher().match({ D: short });
    assert.equal(s.mapIndex, 2);
    assert.equal(s.confidence, 0, 'no rival exists outside the exclusion window of a 3-row map');
  });

  it('matches at the last map row and with a single column', () => {
    const D = drawPath(background(30, 4), diagonal(29, 4));
    assert.equal(new SeqMatchMatcher().match({ D }).mapIndex, 29);
    const one = drawPath(background(30, 1), [17]);
    const out = new SeqMatchMatcher().match({ D: one });
    assert.equal(out.mapIndex, 17);
    assert.deepEqual(out.path, [17]);
  });

  it('ignores coarse hits outside the map (searches everything when none is usable) and rejects non-integers', () => {
    const D = drawPath(background(30, 4), diagonal(12, 4));
    const m = new SeqMatchMatcher();
    assert.equal(m.match({ D, coarse: [{ mapIndex: 99, distance: 0 }, { mapIndex: -5, distance: 0 }] }).mapIndex, 12);
    assert.equal(m.match({ D, coarse: [] }).mapIndex, 12);
    assert.throws(() => m.match({ D, coarse: [{ mapIndex: 1.5, distance: 0 }] }), MatchInputError);
    assert.throws(() => m.match({ D: new DenseDifferenceMatrix(0, 4) }), MatchInputError);
    assert.throws(() => m.match({ D: new DenseDifferenceMatrix(4, 0) }), MatchInputError);
  });

  it('returns distinct candidates, best first, none inside the exclusion window of another', () => {
    const D = background(100, 5);
    drawPath(D, diagonal(20, 5), 0.1);
    drawPath(D, diagonal(50, 5), 0.2);
    drawPath(D, diagonal(80, 5), 0.3);
    const out = new SeqMatchMatcher({ exclusionRows: 10, maxCandidates: 3 }).match({ D });
    assert.deepEqual(
      out.candidates.map((c) => c.mapIndex),
      [20, 50, 80],
    );
    assert.ok(out.candidates[0].distance < out.candidates[1].distance);
  });

  it('gives a unique minimum a higher confidence than an ambiguous one', () => {
    const unique = drawPath(background(60, 5), diagonal(20, 5), 0.1);
    const ambiguous = drawPath(drawPath(background(60, 5), diagonal(20, 5), 0.1), diagonal(45, 5), 0.12);
    const m = new SeqMatchMatcher();
    const u = m.match({ D: unique });
    const a = m.match({ D: ambiguous });
    assert.equal(u.mapIndex, 20);
    assert.equal(a.mapIndex, 20);
    assert.ok(u.confidence > 0.8, `unique ${u.confidence}`);
    assert.ok(a.confidence < 0.2, `ambiguous ${a.confidence}`);
  });
});
