import assert from 'node:assert/strict';
import { rowAfter, rowsBefore } from '../../src/match/path-rows.js';

const before = (arc: number[], end: number, metres: number[], scale = 1) => {
  const out = new Int32Array(metres.length);
  rowsBefore(arc, end, metres, scale, out);
  return Array.from(out);
};

describe('rows along the map path', () => {
  const even = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

  it('rowsBefore: the row nearest to each distance before the end, ties to the later row', () => {
    assert.deepEqual(before(even, 9, [4, 2.6, 1.5, 0]), [5, 6, 8, 9]);
    assert.deepEqual(before(even, 9, [4, 2, 0], 1.5), [3, 6, 9], 'scaled');
  });

  it('rowsBefore: clips at the map start and at a session start (the arc jumps there)', () => {
    assert.deepEqual(before(even, 3, [6, 2, 0]), [0, 1, 3]);
    const sessions = [0, 1, 2, 3, 1e9 + 3, 1e9 + 4, 1e9 + 5];
    assert.deepEqual(before(sessions, 6, [4, 1, 0]), [4, 5, 6]);
  });

  it('rowsBefore: rows where the map stood still are crossed in one step', () => {
    const stop = [0, 1, 2, 2, 2, 2, 3, 4];
    assert.deepEqual(before(stop, 7, [3, 2, 1, 0]), [1, 2, 6, 7]);
  });

  it('rowAfter: the row that far along the path from a row, clipped to the rows searched', () => {
    assert.equal(rowAfter(even, 2, 3.4, 10), 5);
    assert.equal(rowAfter(even, 2, 3.5, 10), 5, 'ties to the earlier row');
    assert.equal(rowAfter(even, 2, 30, 10), 9);
    assert.equal(rowAfter(even, 2, 30, 6), 5);
    assert.equal(rowAfter([0, 1, 1, 1, 2], 0, 1, 5), 3, 'the last row at a place the map run stood at');
  });
});
