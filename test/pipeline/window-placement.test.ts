import assert from 'node:assert/strict';
import type { Pose } from '../../src/core/types.js';
import { pathColumnRows } from '../../src/pipeline/window-placement.js';

const at = (x: number, y = 0): { pose: Pose } => ({ pose: { position: { x, y, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } });

describe('pathColumnRows', () => {
  it('gives each frame its path length to the newest frame in map spacings', () => {
    // 2 m, a stop (0 m), then 3-4-5 right angle (5 m) on a 0.5 m map spacing.
    const rows = pathColumnRows([at(0), at(2), at(2), at(5, 4)], 0.5)!;
    assert.deepEqual(rows, [14, 10, 10, 0]);
  });

  it('sums the path, not the straight line: a U-turn does not fold the window', () => {
    assert.deepEqual(pathColumnRows([at(0), at(0, 1), at(0, 2), at(0, 1)], 1), [3, 2, 1, 0]);
  });

  it('is undefined without a map spacing or when a frame has no pose', () => {
    assert.equal(pathColumnRows([at(0), at(1)], undefined), undefined);
    assert.equal(pathColumnRows([at(0), at(1)], 0), undefined);
    assert.equal(pathColumnRows([at(0), {}, at(1)], 1), undefined);
    assert.equal(pathColumnRows([], 1), undefined);
    assert.deepEqual(pathColumnRows([at(3)], 1), [0]);
  });
});
