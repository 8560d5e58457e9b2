import assert from 'node:assert/strict';
import type { Candidate } from '../../src/core/types.js';
import { voteForEnds } from '../../src/retrieve/frame-votes.js';

const hit = (mapIndex: number, distance: number): Candidate => ({ mapIndex, distance });
const ends = (cands: Candidate[]) => cands.map((c) => c.mapIndex);

function assertNear(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} vs ${expected}`);
}

describe('voteForEnds', () => {
  it('hits of consecutive frames on a diagonal vote for one end', () => {
    // Column c (oldest first, 5 columns) hits map frame 40 + c: all point at end 44.
    // One distractor per column, ends 74, 8, 92, 21, 55 (one vote each).
    const distractors = [70, 5, 90, 20, 55];
    const hits = distractors.map((d, c) => [hit(40 + c, 0.2), hit(d, 0.3)]);
    const out = voteForEnds(hits, { k: 3, separationRows: 3, mapRows: 100 });
    assert.deepEqual(ends(out), [44, 8, 21], 'the diagonal end first, then single votes by row');
    assertNear(out[0].distance, 0.2);
    assertNear(out[1].distance, 0.3);
  });

  it('places the votes along the map by the path travelled when the window is placed', () => {
    // Keyframes 2 map rows apart: columns hit 40, 42, 44, 46, 48 (end 48), a distractor diagonal
    // 60..64 one row per column (end 64) at a better distance.
    const hits = [0, 1, 2, 3, 4].map((c) => [hit(40 + 2 * c, 0.2), hit(60 + c, 0.1)]);
    assert.deepEqual(ends(voteForEnds(hits, { k: 1, separationRows: 1, mapRows: 100 })), [64], 'one row per column: the distractor');
    const arc = Float64Array.from({ length: 100 }, (_, r) => r);
    const placed = voteForEnds(hits, { k: 1, separationRows: 1, mapRows: 100, placement: { metres: [8.2, 6.1, 3.9, 2.05, 0], arc } });
    assert.deepEqual(ends(placed), [48]);
  });

  it('merges ends off by one when the speed changes', () => {
    // Map frames 10, 11, 13, 14, 15: the robot skipped one frame; ends 14, 14, 15, 15, 15.
    // A distractor has three exact votes for end 50 at a better distance.
    const hits = [[hit(10, 0.2)], [hit(11, 0.2)], [hit(13, 0.2), hit(48, 0.1)], [hit(14, 0.2), hit(49, 0.1)], [hit(15, 0.2), hit(50, 0.1)]];
    const merged = voteForEnds(hits, { k: 2, separationRows: 2, mapRows: 100 });
    // 15: 3 votes + 2 from 14 at half weight = 4 > 3; 14 is within 2 rows of 15 and suppressed.
    assert.deepEqual(ends(merged), [15, 50]);
    assertNear(merged[0].distance, (3 * 0.2 + (2 * 0.2) / 2) / 4);
    const unmerged = voteForEnds(hits, { k: 3, separationRows: 0, mapRows: 100 });
    assert.deepEqual(ends(unmerged), [50, 15, 14], 'without merging the distractor wins on distance');
  });

  it('merges ends off by two', () => {
    const hits = [[hit(16, 0.2)], [hit(17, 0.2)], [hit(20, 0.2), hit(68, 0.1)], [hit(21, 0.2), hit(69, 0.1)], [hit(22, 0.2), hit(70, 0.1)]];
    // Columns 0..4 step back 4..0: ends 20, 20, 22, 22, 22, against 3 better votes for end 70.
    // 22: 3 votes + 2 from 20 at weight 1/3 (two rows away) = 3.67 > 3.
    const out = voteForEnds(hits, { k: 2, separationRows: 2, mapRows: 100 });
    assert.deepEqual(ends(out), [22, 70]);
    assertNear(out[0].distance, 0.2);
  });

  it('keeps ends more than separationRows apart (non-maximum suppression)', () => {
    const window = (a: number, b: number) => [[hit(a - 2, 0.2)], [hit(a - 1, 0.2), hit(b - 1, 0.2)], [hit(a, 0.2), hit(b, 0.2)]];
    // 30 has 3 votes, 32 has 2: 32 lies within 3 rows of 30.
    assert.deepEqual(ends(voteForEnds(window(30, 32), { k: 5, separationRows: 3, mapRows: 100 })), [30]);
    // 34 is 4 rows away: both are kept, best first.
    assert.deepEqual(ends(voteForEnds(window(30, 34), { k: 5, separationRows: 3, mapRows: 100 })), [30, 34]);
  });

  it('breaks ties in votes by mean distance, then by row', () => {
    const opts = { k: 2, separationRows: 3, mapRows: 100 };
    // Two columns; ends 10 and 60 get two votes each.
    const closerAt60 = [[hit(9, 0.4), hit(59, 0.2)], [hit(10, 0.4), hit(60, 0.2)]];
    assert.deepEqual(ends(voteForEnds(closerAt60, opts)), [60, 10]);
    const equal = [[hit(59, 0.3), hit(9, 0.3)], [hit(60, 0.3), hit(10, 0.3)]];
    assert.deepEqual(ends(voteForEnds(equal, opts)), [10, 60]);
  });

  it('clips ends past the map to its last row', () => {
    // 5 columns: the oldest hit on row 48 would end at 52 in a 50-row map.
    const hits = [[hit(48, 0.2)], [], [], [], [hit(49, 0.4)]];
    const out = voteForEnds(hits, { k: 5, separationRows: 1, mapRows: 50 });
    assert.deepEqual(ends(out), [49]);
    assertNear(out[0].distance, 0.3);
  });

  it('returns at most k ends, best first', () => {
    // Ends 10, 30, 50, 70, 90 with 5, 4, 3, 2, 1 votes (each voter is the same frame's only hit).
    const hits: Candidate[][] = Array.from({ length: 5 }, () => []);
    [10, 30, 50, 70, 90].forEach((end, i) => {
      for (let c = 4; c >= i; c--) hits[c].push(hit(end - (4 - c), 0.1));
    });
    const opts = { separationRows: 3, mapRows: 100 };
    assert.deepEqual(ends(voteForEnds(hits, { ...opts, k: 3 })), [10, 30, 50]);
    assert.deepEqual(ends(voteForEnds(hits, { ...opts, k: 10 })), [10, 30, 50, 70, 90]);
    assert.deepEqual(voteForEnds(hits, { ...opts, k: 0 }), []);
  });

  it('returns nothing without hits', () => {
    assert.deepEqual(voteForEnds([], { k: 3, separationRows: 3, mapRows: 10 }), []);
    assert.deepEqual(voteForEnds([[], []], { k: 3, separationRows: 3, mapRows: 10 }), []);
  });

  it('with a same-place relation, other visits of a chosen place do not count against k', () => {
    // Three visits of one place (ends 44, 144, 244: the diagonal in each), one vote each for ends 8 and 21.
    const hits = [0, 1, 2, 3, 4].map((c) => [hit(40 + c, 0.2), hit(140 + c, 0.21), hit(240 + c, 0.22), ...(c === 0 ? [hit(4, 0.3)] : c === 1 ? [hit(18, 0.3)] : [])]);
    const visits = (a: number, b: number) => a % 100 === b % 100;
    assert.deepEqual(ends(voteForEnds(hits, { k: 2, separationRows: 3, mapRows: 300 })), [44, 144], 'by row, the second visit takes the last slot');
    assert.deepEqual(ends(voteForEnds(hits, { k: 2, separationRows: 3, mapRows: 300, samePlace: visits })), [44, 144, 244, 8], 'k = 2 places: the visits, then another place');
    assert.deepEqual(ends(voteForEnds(hits, { k: 2, separationRows: 3, mapRows: 300, samePlace: () => false })), [44, 144]);
  });
});
