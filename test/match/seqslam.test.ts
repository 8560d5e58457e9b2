import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import { MatchInputError } from '../../src/match/errors.js';
import { DenseDifferenceMatrix } from '../../src/match/dense-difference-matrix.js';
import { SeqSlamMatcher, velocityRange } from '../../src/match/seqslam.js';
import { background, diagonal, drawPath } from './helpers.js';

/** A map whose rows lie `spacing` metres apart along its path. */
const evenArc = (rows: number, spacing = 1) => Float64Array.from({ length: rows }, (_, r) => r * spacing);

// Velocities 0.5, 1, 1.5 are exact in binary, so the rounded rows below are exact too.
const exact = { vMin: 0.5, vMax: 1.5, vSteps: 3 };

describe('SeqSlamMatcher', () => {
  it('finds a faster constant velocity: v = 1.5 ending at 30 is rows round(30 - 1.5 (4 - t))', () => {
    const path = [24, 26, 27, 29, 30]; // 24, 25.5 -> 26, 27, 28.5 -> 29, 30 (halves round up)
    const D = drawPath(background(50, 5), path);
    const out = new SeqSlamMatcher(exact).match({ D });
    assert.equal(out.mapIndex, 30);
    assert.deepEqual(out.path, path);
    assert.ok(Math.abs(out.score - 0.1) < 1e-6);
  });

  it('finds a slower constant velocity (v = 0.5) with repeated rows', () => {
    const path = [28, 29, 29, 30, 30];
    const D = drawPath(background(50, 5), path);
    const out = new SeqSlamMatcher(exact).match({ D });
    assert.equal(out.mapIndex, 30);
    assert.deepEqual(out.path, path);
  });

  it('follows 2 frames per step when the range allows it', () => {
    const D = drawPath(background(50, 5), [22, 24, 26, 28, 30]);
    assert.notEqual(new SeqSlamMatcher({ vMin: 0.8, vMax: 1.25, vSteps: 10 }).match({ D }).path[0], 22);
    const out = new SeqSlamMatcher({ vMin: 1, vMax: 2, vSteps: 5 }).match({ D });
    assert.equal(out.mapIndex, 30);
    assert.deepEqual(out.path, [22, 24, 26, 28, 30]);
  });

  it('lags behind a speed change (1 then 2 frames per step): a constant velocity cannot follow it', () => {
    // Best fits hit 4 of 6 cells: v = 1.25 ending at 16 (10 11 12 14 15 16) and v = 1.5 ending at 17
    // (10 11 13 14 16 17); the true end 18 gets at most 3. AdaptSeq-V2 follows this path exactly.
    const D = drawPath(background(50, 6), [10, 11, 12, 14, 16, 18]);
    const out = new SeqSlamMatcher({ vMin: 1, vMax: 2, vSteps: 5 }).match({ D });
    assert.ok([16, 17].includes(out.mapIndex), `mapIndex ${out.mapIndex}`);
    assert.ok(out.score > 0.1);
  });

  it('follows a window placed by the path: keyframes 2 map frames apart, beyond the 0.8-1.25 range', () => {
    // A keyframed query: its frames lie 8, 6, 4, 2, 0 m before the newest on a map 1 m apart.
    const path = [22, 24, 26, 28, 30];
    const D = drawPath(background(50, 5), path);
    const matcher = new SeqSlamMatcher({ vMin: 0.8, vMax: 1.25, vSteps: 10 });
    assert.notDeepEqual(matcher.match({ D }).path, path);
    const out = matcher.match({ D, placement: { metres: [8, 6, 4, 2, 0], arc: evenArc(50) } });
    assert.equal(out.mapIndex, 30);
    assert.deepEqual(out.path, path);
    assert.deepEqual(out.pathOf!(30), path, 'the re-ranker reads the placed trajectory too');
    assert.notDeepEqual(matcher.match({ D }).path, path, 'a window without placement is one row per column again');
  });

  it("places the window along the map's own path: a stop in the map run holds several rows at one place", () => {
    // Map rows 19-24 stand at 19 m (the map run stopped), then 1 m per row again. Query frames 1 m
    // apart end at 21 m = row 26: the path crosses the stop in one step.
    const arc = Float64Array.from({ length: 50 }, (_, r) => (r < 19 ? r : r <= 24 ? 19 : r - 5));
    const path = [17, 18, 19, 25, 26];
    const D = drawPath(background(50, 5), path);
    const out = new SeqSlamMatcher().match({ D, placement: { metres: [4, 3, 2, 1, 0], arc } });
    assert.equal(out.mapIndex, 26);
    assert.deepEqual(out.path, path);
    assert.notEqual(new SeqSlamMatcher().match({ D }).mapIndex, 26, 'one row per frame cannot cross the stop');
  });

  it('searches its own narrow scale range for a placed window (pathVMin..pathVMax), the wide range otherwise', () => {
    // The odometry under-reads by a fifth: the map advances 1.2 m per odometry metre.
    const metres = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
    const path = metres.map((m) => Math.round(40 - 1.2 * m)); // 29, 30, 32, ..., 40
    const D = drawPath(background(60, 10), path);
    const placement = { metres, arc: evenArc(60) };
    assert.notDeepEqual(new SeqSlamMatcher().match({ D, placement }).path, path, 'default 0.95-1.05: not followed');
    const wide = new SeqSlamMatcher({ pathVMin: 1.2, pathVMax: 1.2, pathVSteps: 1, vMin: 1, vMax: 1, vSteps: 1 });
    assert.deepEqual(wide.match({ D, placement }).path, path);
    assert.deepEqual(new SeqSlamMatcher({ vMin: 1.2, vMax: 1.2, vSteps: 1 }).match({ D }).path, path, 'unplaced: vMin..vMax');
    assert.throws(() => new SeqSlamMatcher({ pathVMin: 1.1, pathVMax: 0.9 }), /pathVMin/);
  });

  it('refuses a placement that does not fit the window', () => {
    const D = background(20, 3);
    const matcher = new SeqSlamMatcher(exact);
    const arc = evenArc(20);
    assert.throws(() => matcher.match({ D, placement: { metres: [1, 0], arc } }), MatchInputError);
    assert.throws(() => matcher.match({ D, placement: { metres: [2, Number.NaN, 0], arc } }), MatchInputError);
    assert.throws(() => matcher.match({ D, placement: { metres: [2, -1, 0], arc } }), MatchInputError);
    assert.throws(() => matcher.match({ D, placement: { metres: [1, 2, 0], arc } }), MatchInputError);
  });

  it('prefers the velocity closest to 1 when velocities tie', () => {
    const D = new DenseDifferenceMatrix(20, 4, new Float32Array(80).fill(1));
    D.data[10 * 4 + 3] = 0; // only the newest column discriminates: every velocity ending at 10 ties
    const out = new SeqSlamMatcher(exact).match({ D });
    assert.equal(out.mapIndex, 10);
    assert.deepEqual(out.path, [7, 8, 9, 10]);
  });

  it('clips rows before the map start to row 0', () => {
    // v = 1.5 ending at 3: 3 - 6 -> 0, 3 - 4.5 = -1.5 -> 0, 0, 1.5 -> 2, 3.
    const D = drawPath(background(30, 5), [0, 0, 0, 2, 3]);
    const out = new SeqSlamMatcher(exact).match({ D });
    assert.equal(out.mapIndex, 3);
    assert.deepEqual(out.path, [0, 0, 0, 2, 3]);
    const tiny = drawPath(background(2, 5), [0, 0, 0, 1, 1]);
    assert.equal(new SeqSlamMatcher(exact).match({ D: tiny }).mapIndex, 1);
  });

  it('searches +- coarseRadiusRows around coarse hits; a wrong hit wins but gets no confidence', () => {
    const D = drawPath(drawPath(background(80, 5), diagonal(20, 5), 0.1), diagonal(60, 5), 0.3);
    const m = new SeqSlamMatcher({ coarseRadiusRows: 5 });
    const near = m.match({ D, coarse: [{ mapIndex: 23, distance: 0 }] });
    assert.equal(near.mapIndex, 20);
    assert.ok(near.confidence > 0.5, `confidence ${near.confidence}`);
    const wrong = m.match({ D, coarse: [{ mapIndex: 62, distance: 0 }] });
    assert.equal(wrong.mapIndex, 60);
    assert.equal(wrong.confidence, 0);
    const both = m.match({ D, coarse: [{ mapIndex: 62, distance: 0 }, { mapIndex: 21, distance: 0 }] });
    assert.equal(both.mapIndex, 20, 'the best trajectory over all coarse regions wins, not the first hit');
  });

  it('single column: plain per-frame ranking', () => {
    const D = drawPath(background(30, 1), [4]);
    const out = new SeqSlamMatcher().match({ D });
    assert.equal(out.mapIndex, 4);
    assert.deepEqual(out.path, [4]);
  });

  it('velocityRange spaces velocities evenly and rejects empty or inconsistent ranges', () => {
    assert.deepEqual(velocityRange(0.5, 1.5, 3), [0.5, 1, 1.5]);
    assert.deepEqual(velocityRange(1, 1, 1), [1]);
    assert.throws(() => velocityRange(1.2, 0.8, 3), ConfigError);
    assert.throws(() => velocityRange(0.8, 1.2, 1), ConfigError);
    assert.throws(() => new SeqSlamMatcher({ vMin: -1 }), ConfigError);
    assert.throws(() => new SeqSlamMatcher({ maxCandidates: 0 }), ConfigError);
  });
});
