import assert from 'node:assert/strict';
import { CoarseOnlyMatcher } from '../../src/match/coarse-only.js';
import { DenseDifferenceMatrix } from '../../src/match/dense-difference-matrix.js';
import { MatchInputError } from '../../src/match/errors.js';
import { background } from './helpers.js';

const hit = (mapIndex: number, distance: number) => ({ mapIndex, distance });

describe('CoarseOnlyMatcher', () => {
  // The matrix content is not used: only its shape (50 map rows, 5 query columns).
  const D = background(50, 5);

  it('ranks the coarse hits by distance, one candidate per place', () => {
    const m = new CoarseOnlyMatcher({ maxCandidates: 3 });
    // Given out of order; 12 lies in 10's exclusion window (default 2 x 5 columns = 10 rows).
    const out = m.match({ D, coarse: [hit(30, 0.4), hit(12, 0.25), hit(45, 0.5), hit(10, 0.2)] });
    assert.equal(out.mapIndex, 10);
    assert.equal(out.score, 0.2);
    assert.deepEqual(out.candidates, [hit(10, 0.2), hit(30, 0.4), hit(45, 0.5)]);
  });

  it('takes the confidence from the best hit outside the exclusion window', () => {
    const coarse = [hit(10, 0.2), hit(12, 0.25), hit(30, 0.4)];
    // Default window 10 rows: 12 is a neighbour, the rival is 30.
    const wide = new CoarseOnlyMatcher({ maxCandidates: 5 }).match({ D, coarse });
    assert.ok(Math.abs(wide.confidence - (1 - 0.2 / 0.4)) < 1e-6, `${wide.confidence}`);
    // A 1-row window: 12 becomes the rival.
    const narrow = new CoarseOnlyMatcher({ maxCandidates: 5, exclusionRows: 1 }).match({ D, coarse });
    assert.ok(Math.abs(narrow.confidence - (1 - 0.2 / 0.25)) < 1e-6, `${narrow.confidence}`);
    assert.deepEqual(narrow.candidates.map((c) => c.mapIndex), [10, 12, 30]);
  });

  it('gives zero confidence without a rival', () => {
    const out = new CoarseOnlyMatcher({ maxCandidates: 5 }).match({ D, coarse: [hit(20, 0.3), hit(22, 0.35)] });
    assert.equal(out.mapIndex, 20);
    assert.equal(out.confidence, 0);
  });

  it('returns a unit-velocity path ending at the winner, clipped at the map start', () => {
    const m = new CoarseOnlyMatcher({ maxCandidates: 1 });
    assert.deepEqual(m.match({ D, coarse: [hit(20, 0.1)] }).path, [16, 17, 18, 19, 20]);
    assert.deepEqual(m.match({ D, coarse: [hit(2, 0.1)] }).path, [0, 0, 0, 1, 2]);
  });

  it('ignores hits outside the map', () => {
    const out = new CoarseOnlyMatcher({ maxCandidates: 5 }).match({ D, coarse: [hit(60, 0.05), hit(-1, 0.01), hit(40, 0.3)] });
    assert.equal(out.mapIndex, 40);
    assert.deepEqual(out.candidates, [hit(40, 0.3)]);
  });

  it('throws MatchInputError without coarse hits', () => {
    const m = new CoarseOnlyMatcher({ maxCandidates: 5 });
    const needsK = (e: unknown) => e instanceof MatchInputError && /retrieval\.k/.test(e.message);
    assert.throws(() => m.match({ D }), needsK);
    assert.throws(() => m.match({ D, coarse: [] }), needsK);
  });

  it('throws MatchInputError on an empty difference matrix', () => {
    const m = new CoarseOnlyMatcher({ maxCandidates: 5 });
    assert.throws(() => m.match({ D: new DenseDifferenceMatrix(0, 5), coarse: [hit(0, 0.1)] }), MatchInputError);
  });
});
