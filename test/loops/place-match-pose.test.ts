import assert from 'node:assert/strict';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import type { PlaceMatch } from '../../src/core/types.js';
import { RecentQueryFrames, placeMatchRelativePose } from '../../src/loops/place-match-pose.js';
import { randomUnitVectors } from '../support/random-unit-vectors.js';
import { planar, yawDeg } from '../support/poses.js';

describe('place-match relative pose (query frames outside the map)', () => {
  // Map frames 1 m apart along x in the map frame; the robot drives the same line 0.3 m further on
  // per frame, its odometry in another frame (rotated 90 degrees, shifted).
  const descriptors = randomUnitVectors(30, 16, 5);
  const map = { frames: descriptors.map((_, i) => ({ index: i, stamp: BigInt(i), pose: planar(i, 0, 0) })), frameDescriptors: DescriptorMatrix.fromRows(descriptors) };
  const odom = (x: number) => planar(-2, 5 + x, 90);
  const window = () => {
    const q = new RecentQueryFrames();
    for (let k = 0; k < 8; k++) q.remember(100 + k, { stamp: BigInt(k), pose: odom(10.3 + k), descriptor: descriptors[10 + k] }, 9);
    return q;
  };
  const match: PlaceMatch = {
    queryIndex: 107,
    queryStamp: 0n,
    mapIndex: 17,
    confidence: 0.5,
    score: 0.1,
    candidates: [],
    correspondences: Array.from({ length: 8 }, (_, k) => ({ queryIndex: 100 + k, mapIndex: 10 + k, distance: 0 })),
  };

  it('puts the query frame where it is relative to the matched map frame', () => {
    const r = placeMatchRelativePose(map, match, window());
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(Math.abs(r.pose.position.x - 0.3) < 0.35, `x ${r.pose.position.x}`);
    assert.ok(Math.abs(r.pose.position.y) < 0.05, `y ${r.pose.position.y}`);
    assert.ok(Math.abs(yawDeg(r.pose)) < 0.5);
    assert.ok(r.covariance[0] > 0 && r.covariance[0] < 1);
  });

  it('says no_odometry when the query frames have no poses, and the window stays bounded', () => {
    const q = new RecentQueryFrames();
    for (let k = 0; k < 20; k++) q.remember(100 + k, { stamp: BigInt(k), descriptor: descriptors[k] }, 9);
    assert.equal(q.get(100), undefined, 'the oldest are forgotten');
    const r = placeMatchRelativePose(map, { ...match, queryIndex: 119 }, q);
    assert.ok(!r.ok && r.reason === 'no_odometry');
  });
});
