// The held answer moved on along the map: hand-made maps with uneven spacing, sessions, gaps.
import assert from 'node:assert/strict';
import type { MapFrameMeta, PlaceMatch } from '../../src/core/types.js';
import { advanceHeldAnswer, alongMapPath, windowDirection } from '../../src/pipeline/held-answer.js';
import { planar } from '../support/poses.js';

const mapAt = (xs: (number | undefined)[], sessionStarts: number[] = [0]) => ({
  frames: xs.map((x, i): MapFrameMeta => ({ index: i, stamp: BigInt(i), ...(x !== undefined && { pose: planar(x, 0, 0) }) })),
  sessionOf: (i: number) => sessionStarts.filter((s) => s <= i).length - 1,
});

const answer = (mapIndex: number, path: number[]): PlaceMatch => ({
  queryIndex: 9,
  queryStamp: 9n,
  mapIndex,
  confidence: 0.7,
  score: 0.1,
  candidates: [
    { mapIndex, distance: 0.1 },
    { mapIndex: 1, distance: 0.4 },
  ],
  correspondences: path.map((m, k) => ({ queryIndex: k, mapIndex: m, distance: 0.1 })),
});

describe('held answer', () => {
  it('alongMapPath: the frame whose distance along the path is nearest, with uneven spacing', () => {
    // Spacing 1, 1, 0.5, 0.5, 2.
    const map = mapAt([0, 1, 2, 2.5, 3, 5]);
    assert.equal(alongMapPath(map, 0, 0.4, 1), 0);
    assert.equal(alongMapPath(map, 0, 0.6, 1), 1);
    assert.equal(alongMapPath(map, 1, 0.9, 1), 2, '1 m on where frames are 1 m apart: one row');
    assert.equal(alongMapPath(map, 2, 0.9, 1), 4, '0.9 m on where frames are 0.5 m apart: two rows');
    assert.equal(alongMapPath(map, 4, 0.9, 1), 4, 'the next frame is 2 m on: stay');
    assert.equal(alongMapPath(map, 4, 5, 1), 5, 'the map ends');
    assert.equal(alongMapPath(map, 4, 0.9, -1), 2, 'backwards along decreasing rows');
    assert.equal(alongMapPath(map, 0, 0.9, -1), 0);
  });

  it('alongMapPath: stops at a session boundary and at a frame without a pose', () => {
    assert.equal(alongMapPath(mapAt([0, 1, 2, 0, 1], [0, 3]), 2, 0.9, 1), 2, 'row 3 starts another run');
    assert.equal(alongMapPath(mapAt([0, 1, 2, 0, 1], [0, 3]), 3, 0.9, -1), 3);
    assert.equal(alongMapPath(mapAt([0, 1, undefined, 3]), 1, 0.9, 1), 1);
  });

  it('windowDirection: the sign of the alignment along the map', () => {
    assert.equal(windowDirection(answer(5, [2, 3, 5])), 1);
    assert.equal(windowDirection(answer(2, [5, 3, 2])), -1);
    assert.equal(windowDirection(answer(5, [5, 5])), 0);
    assert.equal(windowDirection(answer(5, [5])), 0);
  });

  it('moves the winner and every candidate, down the rows on a reverse traversal', () => {
    const map = mapAt([0, 1, 2, 3, 4, 5, 6]);
    const last = answer(3, [1, 2, 3]);
    assert.deepEqual(advanceHeldAnswer(last, map, 'path', 0.8), { mapIndex: 4, candidates: [{ mapIndex: 4, distance: 0.1 }, { mapIndex: 2, distance: 0.4 }] });
    assert.equal(advanceHeldAnswer(last, map, 'path', 0.4).mapIndex, 3);
    assert.equal(advanceHeldAnswer(answer(3, [5, 4, 3]), map, 'path', 0.8).mapIndex, 2, 'a reverse traversal moves down the rows');
  });

  it('repeats the answer without a distance (no poses, as on nordland64), when off, or when the window stands', () => {
    const map = mapAt([0, 1, 2, 3, 4]);
    const last = answer(3, [1, 2, 3]);
    const same = { mapIndex: 3, candidates: last.candidates };
    assert.deepEqual(advanceHeldAnswer(last, map, 'path', undefined), same);
    assert.deepEqual(advanceHeldAnswer(last, mapAt([undefined, undefined, undefined, undefined, undefined]), 'path', 0.8), same);
    assert.deepEqual(advanceHeldAnswer(last, map, 'none', 0.8), same);
    assert.deepEqual(advanceHeldAnswer(answer(3, [3, 3, 3]), map, 'path', 0.8), same);
  });
});
