import assert from 'node:assert/strict';
import { SeqvprError } from '../../src/core/errors.js';
import { parsePoseCsv } from '../../src/sources/pose-csv.js';

describe('pose CSV', () => {
  it('reads full poses and normalises the quaternion', () => {
    const poses = parsePoseCsv('x,y,z,qx,qy,qz,qw\n1,2,3,0,0,0,2\n\n-1.5, 0.25 ,0,0,0,1,0\n');
    assert.equal(poses.length, 2);
    assert.deepEqual(poses[0], { position: { x: 1, y: 2, z: 3 }, orientation: { x: 0, y: 0, z: 0, w: 1 } });
    assert.deepEqual(poses[1].position, { x: -1.5, y: 0.25, z: 0 });
    assert.deepEqual(poses[1].orientation, { x: 0, y: 0, z: 1, w: 0 });
  });

  it('reads planar poses (yaw in radians about +z)', () => {
    const [p] = parsePoseCsv('x,y,yaw\r\n4,5,3.141592653589793\r\n');
    assert.deepEqual(p.position, { x: 4, y: 5, z: 0 });
    assert.ok(Math.abs(p.orientation.z - 1) < 1e-12 && Math.abs(p.orientation.w) < 1e-12);
  });

  it('names the file, line and column of bad input', () => {
    assert.throws(() => parsePoseCsv('a,b,c\n1,2,3', 'p.csv'), (e: Error) => e instanceof SeqvprError && /p\.csv:1: header "a,b,c"/.test(e.message));
    assert.throws(() => parsePoseCsv('x,y,yaw\n1,2', 'p.csv'), /p\.csv:2: expected 3 values/);
    assert.throws(() => parsePoseCsv('x,y,yaw\n1,2,3\n1,nan,3', 'p.csv'), /p\.csv:3: y "nan" is not a finite number/);
    assert.throws(() => parsePoseCsv('x,y,yaw\n1,,3', 'p.csv'), /p\.csv:2: y "" is not/);
    assert.throws(() => parsePoseCsv('x,y,z,qx,qy,qz,qw\n1,2,3,0,0,0,0', 'p.csv'), /p\.csv:2: the quaternion qx,qy,qz,qw is zero/);
    assert.throws(() => parsePoseCsv('\n\n', 'p.csv'), /p\.csv is empty/);
  });
});
