import assert from 'node:assert/strict';
import { SingleFrameMatcher } from '../../src/match/single-frame.js';
import { background, drawPath } from './helpers.js';

describe('SingleFrameMatcher', () => {
  it('ranks rows by the newest column only; older columns are matched independently in the path', () => {
    const D = background(30, 3);
    drawPath(D, [3, 25, 12], 0.1); // no trajectory at all: each column has its own best row
    const out = new SingleFrameMatcher().match({ D });
    assert.equal(out.mapIndex, 12);
    assert.deepEqual(out.path, [3, 25, 12]);
    assert.ok(Math.abs(out.score - 0.1) < 1e-6);
  });

  it('restricts the winner to the coarse hits (+- radius) and keeps map-wide rivals', () => {
    const D = background(30, 1);
    drawPath(D, [12], 0.1);
    drawPath(D, [22], 0.2);
    const out = new SingleFrameMatcher({ coarseRadiusRows: 1 }).match({ D, coarse: [{ mapIndex: 21, distance: 0 }] });
    assert.equal(out.mapIndex, 22);
    assert.equal(out.confidence, 0);
    const right = new SingleFrameMatcher().match({ D, coarse: [{ mapIndex: 12, distance: 0 }] });
    assert.equal(right.mapIndex, 12);
    assert.ok(Math.abs(right.confidence - 0.5) < 1e-6);
  });
});
