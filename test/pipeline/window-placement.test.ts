import assert from 'node:assert/strict';
import type { MapFrameMeta, Pose } from '../../src/core/types.js';
import { MapArc, pathMetres, placeWindow } from '../../src/pipeline/window-placement.js';

const pose = (x: number, y = 0): Pose => ({ position: { x, y, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } });
const at = (x: number, y = 0): { pose: Pose } => ({ pose: pose(x, y) });
const meta = (xs: (number | undefined)[]): MapFrameMeta[] => xs.map((x, index) => ({ index, stamp: BigInt(index), ...(x !== undefined && { pose: pose(x) }) }));

describe('pathMetres', () => {
  it("gives each frame its path length to the newest frame: steps, a stop, a 3-4-5 corner", () => {
    assert.deepEqual(pathMetres([at(0), at(2), at(2), at(5, 4)]), [7, 5, 5, 0]);
  });

  it('sums the path, not the straight line: a U-turn does not fold the window', () => {
    assert.deepEqual(pathMetres([at(0), at(0, 1), at(0, 2), at(0, 1)]), [3, 2, 1, 0]);
  });

  it('is undefined when a frame has no pose or there are no frames', () => {
    assert.equal(pathMetres([at(0), {}, at(1)]), undefined);
    assert.equal(pathMetres([]), undefined);
    assert.deepEqual(pathMetres([at(3)]), [0]);
  });
});

describe('MapArc', () => {
  it("is the map's path length per row; a row without a pose counts the spacing, a session start jumps", () => {
    const map = { frames: meta([0, 1, 1, 3, undefined, 10, 11]), sessionStarts: [0, 5] };
    const arc = new MapArc(map, () => 0.5).current()!;
    assert.deepEqual(Array.from(arc.subarray(0, 5)), [0, 1, 1, 3, 3.5]);
    assert.ok(arc[5] > 1e8, 'the second session lies beyond reach');
    assert.equal(arc[6] - arc[5], 1);
  });

  it('grows with a live map and is undefined while the spacing is unknown', () => {
    const frames = meta([0, 2]);
    let spacing: number | undefined;
    const arc = new MapArc({ frames }, () => spacing);
    assert.equal(arc.current(), undefined);
    spacing = 2;
    assert.deepEqual(Array.from(arc.current()!), [0, 2]);
    frames.push(...meta([0, 0, 5]).slice(2).map((f) => ({ ...f, index: 2 })));
    assert.deepEqual(Array.from(arc.current()!), [0, 2, 5]);
  });

  it('placeWindow needs both the arc and a pose on every window frame', () => {
    const arc = Float64Array.from([0, 1, 2]);
    assert.deepEqual(placeWindow([at(0), at(1)], arc), { metres: [1, 0], arc });
    assert.equal(placeWindow([at(0), {}], arc), undefined);
    assert.equal(placeWindow([at(0), at(1)], undefined), undefined);
  });
});
