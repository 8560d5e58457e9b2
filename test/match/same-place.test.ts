import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import type { MapFrameMeta } from '../../src/core/types.js';
import { createMatcher } from '../../src/match/create-matcher.js';
import { EndScores } from '../../src/match/end-scores.js';
import { samePlaceByPose, type SamePlace } from '../../src/match/same-place.js';
import { SeqSlamMatcher } from '../../src/match/seqslam.js';
import { pipelineConfigSchema } from '../../src/pipeline/config.js';

/** A planar pose at (x, y) facing `yaw` radians. */
const pose = (x: number, y = 0, yaw = 0) => ({ position: { x, y, z: 0 }, orientation: { x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) } });

/** Two sessions driving x = 0..29 m, 1 m apart; the second 0.3 m to the side. Row 30 + i is row i's place. */
function twoVisits(): { frames: MapFrameMeta[]; sessionOf: (i: number) => number } {
  const frames: MapFrameMeta[] = [];
  for (let i = 0; i < 60; i++) frames.push({ index: i, stamp: BigInt(i), pose: pose(i % 30, i < 30 ? 0 : 0.3) });
  return { frames, sessionOf: (i) => (i < 30 ? 0 : 1) };
}

function filled(scores: number[]): EndScores {
  const e = new EndScores();
  e.reset(scores.length);
  scores.forEach((s, r) => e.offer(r, s, true, r));
  return e;
}

describe('ranking rivals by place', () => {
  it('another visit within the radius and heading is the same place; far, opposite or pose-less rows are not', () => {
    const map = twoVisits();
    const same = samePlaceByPose(map, { neighbourRows: 2, maxHeadingDeg: 45 });
    // Derived radius at row 10: its own rows 8 and 12 are 2 m away.
    assert.equal(same(10, 40), true, 'the other session at the same x');
    assert.equal(same(10, 41), true, '1 m along and 0.3 m aside');
    assert.equal(same(10, 43), false, '3 m along is farther than the 2 rows of the own run');
    assert.equal(same(10, 10), false, 'a row is not its own rival anyway');
    // The radius is clipped to the session: row 29 (session end) looks back only.
    assert.equal(same(29, 58), true);
    assert.equal(same(29, 56), false, "row 56 is 3 m back");
    // Opposite heading at the same spot: the other direction of the road stays a rival.
    map.frames[40] = { ...map.frames[40], pose: pose(10, 0.3, Math.PI) };
    assert.equal(same(10, 40), false);
    map.frames[40] = { ...map.frames[40], pose: pose(10, 0.3, Math.PI / 6) };
    assert.equal(same(10, 40), true, '30 degrees apart is within 45');
    // No pose on either side: never the same place.
    map.frames[41] = { index: 41, stamp: 41n };
    assert.equal(same(10, 41), false);
    assert.equal(same(41, 10), false);
    // A fixed radius overrides the derived one; 0 turns it off.
    assert.equal(samePlaceByPose(map, { radiusM: 5, neighbourRows: 2, maxHeadingDeg: 45 })(10, 44), true);
    assert.equal(samePlaceByPose(map, { radiusM: 0, neighbourRows: 2, maxHeadingDeg: 45 })(10, 40), false);
  });

  it('acrossSessions false: only revisits within one session (sessions with their own odometry origins)', () => {
    const map = twoVisits();
    const within = samePlaceByPose(map, { neighbourRows: 2, maxHeadingDeg: 45, acrossSessions: false });
    assert.equal(within(10, 40), false, 'another session at equal coordinates');
    // One session driving its loop twice: row 35 revisits row 5.
    const oneRun = { frames: map.frames };
    assert.equal(samePlaceByPose(oneRun, { neighbourRows: 2, maxHeadingDeg: 45, acrossSessions: false })(5, 35), true);
  });

  it('a run standing still has no radius: nothing is the same place (the rival stays)', () => {
    const frames: MapFrameMeta[] = Array.from({ length: 40 }, (_, i) => ({ index: i, stamp: BigInt(i), pose: pose(i < 20 ? 5 : 5.2) }));
    const same = samePlaceByPose({ frames }, { neighbourRows: 2, maxHeadingDeg: 45 });
    assert.equal(same(5, 30), false);
  });

  // Scores by end row: the winner at row 10, another visit of its place at row 40 nearly as good,
  // a different place at row 50 clearly worse.
  const scores = (): number[] => Array.from({ length: 60 }, (_, r) => (r === 10 ? 0.1 : r === 40 ? 0.11 : r === 50 ? 0.4 : 0.9));

  it('two visits of one place: the other visit is no rival, the confidence stays high; it stays a candidate', () => {
    const map = twoVisits();
    const same = samePlaceByPose(map, { neighbourRows: 2, maxHeadingDeg: 45 });
    const byRow = filled(scores()).rank({ maxCandidates: 3 }, 5);
    const byPlace = filled(scores()).rank({ maxCandidates: 3 }, 5, same);
    assert.ok(Math.abs(byRow.confidence - (1 - 0.1 / 0.11)) < 1e-12, 'by row, the other visit is the rival');
    assert.ok(Math.abs(byPlace.confidence - (1 - 0.1 / 0.4)) < 1e-12, `by place, row 50 is, got ${byPlace.confidence}`);
    assert.deepEqual(byPlace.candidates, byRow.candidates, 'the candidate list is unchanged');
  });

  it('a lookalike at another place still lowers the confidence', () => {
    const map = twoVisits();
    const same = samePlaceByPose(map, { neighbourRows: 2, maxHeadingDeg: 45 });
    const s = scores();
    s[50] = 0.105; // row 50 (x = 20 m) looks as good as the winner: an alias
    const r = filled(s).rank({ maxCandidates: 1 }, 5, same);
    assert.ok(Math.abs(r.confidence - (1 - 0.1 / 0.105)) < 1e-12, `got ${r.confidence}`);
    assert.ok(r.confidence < 0.05);
  });

  it('when no other place was scored, the other visit stays the rival (the confidence never drops below the old one)', () => {
    const map = twoVisits();
    const same = samePlaceByPose(map, { neighbourRows: 2, maxHeadingDeg: 45 });
    const e = new EndScores();
    e.reset(60);
    e.offer(10, 0.1, true, 0);
    e.offer(40, 0.12, true, 0);
    const r = e.rank({ maxCandidates: 1 }, 5, same);
    assert.ok(Math.abs(r.confidence - (1 - 0.1 / 0.12)) < 1e-12, `got ${r.confidence}`);
  });

  it('a map without poses ranks exactly as by row', () => {
    const frames: MapFrameMeta[] = Array.from({ length: 60 }, (_, i) => ({ index: i, stamp: BigInt(i) }));
    const same = samePlaceByPose({ frames }, { neighbourRows: 2, maxHeadingDeg: 45 });
    for (const s of [scores(), scores().map((v, r) => v + 0.01 * Math.sin(r))]) {
      assert.deepEqual(filled(s).rank({ maxCandidates: 5, localizationRows: 2 }, 5, same), filled(s).rank({ maxCandidates: 5, localizationRows: 2 }, 5));
    }
  });

  it('the matchers pass the relation to the ranking (SeqSLAM on a map holding its places twice)', () => {
    // D: 60 map rows x 5 query columns; rows 8..12 and 38..42 match the query (diagonal), row 40's slightly worse.
    const D = {
      rows: 60,
      cols: 5,
      get(row: number, col: number) {
        const t = row - col;
        if (t === 6) return 0.1;
        if (t === 36) return 0.12;
        return 0.3 + 0.2 * Math.abs(Math.sin(row * 1.7 + col));
      },
    };
    const map = twoVisits();
    const same: SamePlace = samePlaceByPose(map, { neighbourRows: 2, maxHeadingDeg: 45 });
    const m = new SeqSlamMatcher({ vMin: 1, vMax: 1, vSteps: 1 });
    const byRow = m.match({ D });
    const byPlace = m.match({ D, samePlace: same });
    assert.equal(byRow.mapIndex, 10);
    assert.equal(byPlace.mapIndex, 10);
    assert.ok(byRow.confidence < 0.2, `by row the second visit is the rival, got ${byRow.confidence}`);
    assert.ok(byPlace.confidence > 0.5, `by place the next place is, got ${byPlace.confidence}`);
    const single = createMatcher({ kind: 'single' });
    assert.ok(single.match({ D, samePlace: () => true }).confidence >= single.match({ D }).confidence);
  });

  it('config: defaults, validation and the off switch', () => {
    const base = { frontend: { kind: 'patchnorm' }, sequence: { kind: 'single' } };
    const c = pipelineConfigSchema.parse({ ...base, matcher: { kind: 'seqslam' } });
    assert.deepEqual(c.matcher.samePlace, { maxHeadingDeg: 45, acrossSessions: false });
    const off = pipelineConfigSchema.parse({ ...base, matcher: { kind: 'seqslam', samePlace: { radiusM: 0 } } });
    assert.equal(off.matcher.samePlace.radiusM, 0);
    for (const bad of [{ radiusM: -1 }, { maxHeadingDeg: 200 }, { radius: 3 }, { acrossSessions: 'no' }]) {
      assert.equal(pipelineConfigSchema.safeParse({ ...base, matcher: { kind: 'seqslam', samePlace: bad } }).success, false, JSON.stringify(bad));
    }
    assert.throws(() => samePlaceByPose({ frames: [] }, { radiusM: Number.NaN, neighbourRows: 2, maxHeadingDeg: 45 }), ConfigError);
    assert.throws(() => samePlaceByPose({ frames: [] }, { neighbourRows: 0, maxHeadingDeg: 45 }), ConfigError);
    assert.throws(() => samePlaceByPose({ frames: [] }, { neighbourRows: 2, maxHeadingDeg: -1 }), ConfigError);
    assert.doesNotThrow(() => createMatcher({ kind: 'seqslam', samePlace: { radiusM: 3 } }));
  });
});
