import assert from 'node:assert/strict';
import { EndScores, resolveExclusionRows, uniquenessConfidence } from '../../src/match/end-scores.js';
import { MatchInputError } from '../../src/match/errors.js';

function filled(scores: number[], eligible = scores.map(() => true)): EndScores {
  const e = new EndScores();
  e.reset(scores.length);
  scores.forEach((s, r) => {
    if (Number.isFinite(s)) e.offer(r, s, eligible[r], r);
  });
  return e;
}

describe('EndScores and the uniqueness confidence', () => {
  it('confidence = 1 - best / rival, clamped to [0, 1]; no rival or a zero rival gives 0', () => {
    assert.equal(uniquenessConfidence(0.2, 0.8), 0.75);
    assert.equal(uniquenessConfidence(0.5, 0.5), 0);
    assert.equal(uniquenessConfidence(0.6, 0.5), 0);
    assert.equal(uniquenessConfidence(0, 0.5), 1);
    assert.equal(uniquenessConfidence(0.2, Number.NaN), 0);
    assert.equal(uniquenessConfidence(0, 0), 0);
  });

  it('takes the rival outside the exclusion window, even when only one candidate is asked for', () => {
    //             0    1    2    3    4    5    6
    const e = filled([0.9, 0.2, 0.1, 0.15, 0.9, 0.9, 0.4]);
    const r = e.rank({ maxCandidates: 1 }, 2);
    assert.equal(r.winner, 2);
    assert.deepEqual(r.candidates, [{ mapIndex: 2, distance: 0.1 }]);
    assert.ok(Math.abs(r.confidence - (1 - 0.1 / 0.4)) < 1e-12, 'rows 0..4 are excluded, the rival is row 6');
    const all = e.rank({ maxCandidates: 5 }, 2);
    assert.deepEqual(
      all.candidates.map((c) => c.mapIndex),
      [2, 6],
    );
    assert.equal(filled([0.9, 0.1, 0.9]).rank({ maxCandidates: 3 }, 0).candidates.length, 3);
  });

  it('localisation: a near-equal trajectory a few rows from the winner lowers the confidence', () => {
    //     rows:      0    1     2     3     4    5    6    7    8    9    10
    const sharp = filled([0.9, 0.9, 0.5, 0.15, 0.1, 0.3, 0.6, 0.9, 0.9, 0.9, 0.8]);
    const flat = filled([0.9, 0.9, 0.11, 0.1, 0.1, 0.1, 0.12, 0.9, 0.9, 0.9, 0.8]);
    // Off: both are judged by the rival outside the exclusion window (row 10) only.
    assert.ok(Math.abs(sharp.rank({ maxCandidates: 1 }, 5).confidence - (1 - 0.1 / 0.8)) < 1e-12);
    // On (2 rows): the sharp minimum is 1 - 0.1 / 0.3 (row 6 = winner + 2 is 0.6, row 2 = winner - 2 is 0.5,
    // row 5 = winner + 1 is too close to count); the flat valley has a near-equal end at row 5 or 2.
    const s = sharp.rank({ maxCandidates: 1, localizationRows: 2 }, 5);
    assert.equal(s.winner, 4);
    assert.ok(Math.abs(s.confidence - (1 - 0.1 / 0.5)) < 1e-12, `got ${s.confidence}`);
    const f = flat.rank({ maxCandidates: 1, localizationRows: 2 }, 5);
    assert.equal(f.winner, 3);
    assert.ok(f.confidence < 0.01, `an ambiguous position must not be confident, got ${f.confidence}`);
  });

  it('only eligible ends may win; an eligible hypothesis replaces a non-eligible one at the same row', () => {
    const e = new EndScores();
    e.reset(4);
    e.offer(0, 0.1, false, 7);
    e.offer(3, 0.5, true, 8);
    const r = e.rank({ maxCandidates: 2 }, 0);
    assert.equal(r.winner, 3);
    assert.equal(r.confidence, 0);
    e.offer(0, 0.3, true, 9);
    e.offer(0, 0.05, false, 10);
    assert.equal(e.tag(0), 9);
    assert.equal(e.rank({ maxCandidates: 2 }, 0).winner, 0);
  });

  it('throws when nothing finite can win, and defaults the exclusion to 2 x window length', () => {
    assert.throws(() => filled([Number.NaN, Number.NaN]).rank({ maxCandidates: 1 }, 1), MatchInputError);
    assert.equal(resolveExclusionRows({ maxCandidates: 1 }, 5), 10);
    assert.equal(resolveExclusionRows({ maxCandidates: 1, exclusionRows: 3 }, 5), 3);
  });

  it('ranks the same whatever the order rows were offered in (ties go to the lower row)', () => {
    //              0    1    2    3    4    5    6    7    8
    const scores = [0.5, 0.2, 0.9, 0.2, 0.7, 0.4, 0.4, 0.9, 0.3];
    const rank = (order: number[]) => {
      const e = new EndScores();
      e.reset(scores.length);
      for (const r of order) e.offer(r, scores[r], r !== 0, r);
      return e.rank({ maxCandidates: 4, localizationRows: 1 }, 1);
    };
    const ascending = rank([...scores.keys()]);
    assert.equal(ascending.winner, 1);
    assert.deepEqual(ascending.candidates.map((c) => c.mapIndex), [1, 3, 8, 5]);
    assert.deepEqual(rank([...scores.keys()].reverse()), ascending);
    assert.deepEqual(rank([4, 8, 1, 6, 0, 3, 7, 5, 2]), ascending);
  });

  it('reset forgets every offered row, also when the map grows or shrinks between calls', () => {
    const e = new EndScores();
    e.reset(5);
    e.offer(4, 0.1, true, 0);
    e.offer(1, 0.3, true, 0);
    e.reset(3);
    assert.equal(e.has(1), false);
    assert.equal(e.has(4), false);
    e.offer(2, 0.6, true, 0);
    assert.equal(e.rank({ maxCandidates: 3 }, 0).winner, 2);
    e.reset(1000);
    assert.equal(e.has(2), false);
    e.offer(999, 0.2, true, 5);
    e.offer(0, 0.4, false, 6);
    const r = e.rank({ maxCandidates: 3 }, 10);
    assert.equal(r.winner, 999);
    assert.deepEqual(r.candidates.map((c) => c.mapIndex), [999, 0]);
    assert.equal(r.confidence, 0.5);
  });
});
