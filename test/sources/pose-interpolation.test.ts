import assert from 'node:assert/strict';
import { planar, yawDeg } from '../support/poses.js';
import { interpolatePose, poseAt, slerp, sortByStamp, type StampedPose } from '../../src/sources/pose-interpolation.js';

const S = 1_000_000_000n;


const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

describe('pose interpolation', () => {
  it('interpolates position linearly and yaw along the arc', () => {
    const p = interpolatePose(planar(0, 0, 0), { ...planar(10, -4, 90), position: { x: 10, y: -4, z: 2 } }, 0.25);
    near(p.position.x, 2.5, 'x');
    near(p.position.y, -1, 'y');
    near(p.position.z, 0.5, 'z');
    near(yawDeg(p), 22.5, 'yaw');
    near(Math.hypot(p.orientation.x, p.orientation.y, p.orientation.z, p.orientation.w), 1, 'unit quaternion');
  });

  it('slerp takes the shorter arc when the quaternions have opposite signs', () => {
    const a = planar(0, 0, 170).orientation;
    const b = planar(0, 0, -170).orientation; // 20 degrees away through 180, stored with w < 0 relative to a
    const mid = slerp(a, { x: -b.x, y: -b.y, z: -b.z, w: -b.w }, 0.5);
    near(Math.abs(yawDeg({ position: { x: 0, y: 0, z: 0 }, orientation: mid })), 180, 'yaw midway');
    near(Math.abs(yawDeg({ position: { x: 0, y: 0, z: 0 }, orientation: slerp(a, b, 0.5) })), 180, 'yaw midway (same signs)');
  });

  it('slerp of nearly equal rotations stays exact at the ends', () => {
    const a = planar(0, 0, 10).orientation;
    const b = planar(0, 0, 10.001).orientation;
    near(yawDeg({ position: { x: 0, y: 0, z: 0 }, orientation: slerp(a, b, 0) }), 10, 'start');
    near(yawDeg({ position: { x: 0, y: 0, z: 0 }, orientation: slerp(a, b, 1) }), 10.001, 'end');
  });

  describe('poseAt', () => {
    const track: StampedPose[] = [
      { stamp: 10n * S, pose: planar(0, 0, 0) },
      { stamp: 11n * S, pose: planar(10, 0, 90) },
      { stamp: 13n * S, pose: planar(10, 20, 90) },
    ];

    it('interpolates between the samples around the stamp', () => {
      const p = poseAt(track, 10n * S + 250_000_000n)!;
      near(p.position.x, 2.5, 'x');
      near(yawDeg(p), 22.5, 'yaw');
      const q = poseAt(track, 12n * S)!;
      near(q.position.x, 10, 'x');
      near(q.position.y, 10, 'y');
      near(yawDeg(q), 90, 'yaw');
      assert.deepEqual(poseAt(track, 11n * S), track[1].pose);
    });

    it('holds the end samples within the tolerance and gives nothing beyond it', () => {
      assert.deepEqual(poseAt(track, 10n * S - 500_000_000n), track[0].pose);
      assert.equal(poseAt(track, 10n * S - 500_000_001n), undefined);
      assert.deepEqual(poseAt(track, 13n * S + 200_000_000n, 200), track[2].pose);
      assert.equal(poseAt(track, 13n * S + 200_000_001n, 200), undefined);
      assert.equal(poseAt(track, 13n * S + 1n, 0), undefined);
      assert.equal(poseAt([], 10n * S), undefined);
    });

    it("'extrapolate' continues the last two samples' motion after the last one, within the tolerance", () => {
      // 11 s -> 13 s: 20 m along y at 90 deg; half a second on: y 25.
      const p = poseAt(track, 13n * S + 500_000_000n, 500, 'extrapolate')!;
      near(p.position.x, 10, 'x');
      near(p.position.y, 25, 'y');
      near(yawDeg(p), 90, 'yaw');
      assert.equal(poseAt(track, 13n * S + 500_000_001n, 500, 'extrapolate'), undefined);
      assert.deepEqual(poseAt(track, 13n * S, 500, 'extrapolate'), track[2].pose);
      assert.deepEqual(poseAt([track[0]], 10n * S + 1n, 500, 'extrapolate'), track[0].pose, 'one sample: held');
      assert.deepEqual(poseAt(track, 13n * S + 1n), track[2].pose, "'hold' (bags) keeps the last pose");
    });

    it('works on samples sorted by sortByStamp', () => {
      const sorted = sortByStamp([track[2], track[0], track[1]]);
      assert.deepEqual(sorted.map((s) => s.stamp), [10n * S, 11n * S, 13n * S]);
      near(poseAt(sorted, 10n * S + 500_000_000n)!.position.x, 5, 'x');
    });
  });
});
