import assert from 'node:assert/strict';
import { ateRmse } from '../../src/slam/ate.js';
import { driftOdometry } from '../../src/slam/drift.js';
import { compose2 } from '../../src/slam/planar.js';

const circle = Array.from({ length: 100 }, (_, i) => {
  const a = (2 * Math.PI * i) / 100;
  return { x: 20 * Math.sin(a), y: 20 * (1 - Math.cos(a)), yaw: a };
});

describe('ATE and drifting odometry', () => {
  it('ATE ignores a rigid motion of the whole trajectory and measures the rest', () => {
    const moved = circle.map((p) => compose2({ x: 5, y: -3, yaw: 0.8 }, p));
    assert.ok(ateRmse(moved, circle) < 1e-9);
    // Every position 1 m further from the centre: the best rigid fit leaves exactly 1 m.
    const wider = circle.map((p) => ({ ...p, x: 21 * Math.sin(p.yaw), y: 20 - 21 * Math.cos(p.yaw) }));
    assert.ok(Math.abs(ateRmse(wider, circle) - 1) < 1e-6, `${ateRmse(wider, circle)}`);
  });

  it('a drift-free odometry reproduces the truth; scale and heading bias make it drift', () => {
    const exact = driftOdometry(circle, { scaleError: 0, headingBiasPerM: 0, translationNoise: 0, headingNoise: 0, seed: 1 });
    assert.ok(ateRmse(exact.poses, circle) < 1e-9);
    assert.equal(exact.increments.length, circle.length - 1);
    const biased = driftOdometry(circle, { scaleError: 0.03, headingBiasPerM: 0.002, translationNoise: 0.01, headingNoise: 0.001, seed: 1 });
    assert.ok(ateRmse(biased.poses, circle) > 0.5, `${ateRmse(biased.poses, circle)}`);
    // The odometry's own covariance grows with the step and never claims certainty.
    assert.ok(biased.increments.every((inc) => inc.covariance[0] > 0 && inc.covariance[8] > 0));
  });
});
