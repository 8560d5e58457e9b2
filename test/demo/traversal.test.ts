// Driving the route: fixed camera rate, a revisit within one run, a stop, different speed profiles.
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import { makeRoute } from '../../src/demo/route.js';
import { drive, mapTraversal, queryTraversal, type TraversalPose } from '../../src/demo/traversal.js';

const route = makeRoute({ seed: 7, lengthM: 320 });
const dist = (a: TraversalPose, b: TraversalPose) => Math.hypot(a.x - b.x, a.y - b.y);

/** Longest run of consecutive identical poses, in seconds. */
function longestStandS(poses: readonly TraversalPose[]): number {
  let best = 0;
  let start = 0;
  for (let i = 1; i <= poses.length; i++) {
    const same = i < poses.length && poses[i].x === poses[i - 1].x && poses[i].y === poses[i - 1].y && poses[i].yaw === poses[i - 1].yaw;
    if (!same) {
      best = Math.max(best, poses[i - 1].timeS - poses[start].timeS);
      start = i;
    }
  }
  return best;
}

describe('demo traversals', () => {
  const map = mapTraversal(route, { seed: 7 });
  const query = queryTraversal(route, { seed: 7 });

  it('sample poses at the camera rate, a few hundred frames per run', () => {
    for (const t of [map, query]) {
      assert.equal(t.rateHz, 10);
      t.poses.forEach((p, i) => assert.ok(Math.abs(p.timeS - i / 10) < 1e-9));
      assert.ok(t.poses.length >= 200 && t.poses.length <= 900, `${t.poses.length} frames`);
      assert.ok(Math.abs(t.durationS - t.poses.at(-1)!.timeS) < 1e-9);
    }
  });

  it('revisit the start: a pose of the second pass lies within 3 m of one 20 s earlier, heading the same way', () => {
    for (const t of [map, query]) {
      const revisit = t.poses.some((late) =>
        t.poses.some((early) => late.timeS - early.timeS > 20 && dist(late, early) < 3 && Math.cos(late.yaw - early.yaw) > 0.9),
      );
      assert.ok(revisit, 'no revisit');
    }
  });

  it('keep to the right lane within a metre of jitter', () => {
    for (const t of [map, query]) {
      for (const p of t.poses.filter((_, i) => i % 10 === 0)) {
        const offset = route.distanceTo(p.x, p.y);
        assert.ok(offset > 0.5 && offset < 2.5, `lateral offset ${offset}`);
      }
    }
  });

  it('the map run holds one speed; the query run changes speed and stands still at least 2 s', () => {
    assert.ok(map.poses.every((p) => p.speedMps === 9));
    assert.equal(longestStandS(map.poses), 0);
    const speeds = query.poses.map((p) => p.speedMps);
    assert.ok(Math.min(...speeds.filter((v) => v > 0)) < 7 && Math.max(...speeds) > 11);
    assert.ok(longestStandS(query.poses) >= 2, `longest stand ${longestStandS(query.poses)} s`);
  });

  it('the query run covers the same places as the map run, off by less than 1.5 m', () => {
    for (const q of query.poses.filter((_, i) => i % 7 === 0)) {
      const nearest = Math.min(...map.poses.map((m) => dist(q, m)));
      assert.ok(nearest < 1.5, `query pose at ${q.distanceM.toFixed(1)} m is ${nearest.toFixed(2)} m from the map run`);
    }
  });

  it('drive() follows a hand-made profile: distance, stop position and wait are exact', () => {
    const t = drive(route, { distanceM: 100, speeds: [{ fromM: 0, speedMps: 10 }], stops: [{ atM: 50, durationS: 3 }], laneOffsetM: 0 }, 5);
    const stand = t.poses.filter((p) => p.distanceM === 50);
    assert.equal(stand.length, 15); // 3 s at 5 Hz
    assert.ok(stand.every((p) => p.speedMps === 0));
    assert.ok(t.poses.at(-1)!.distanceM <= 100 && t.poses.at(-1)!.distanceM > 97);
    const p = route.pointAt(50);
    assert.ok(Math.hypot(stand[0].x - p.x, stand[0].y - p.y) < 1e-9 && stand[0].yaw === p.yaw);
    // Never backwards, never faster than asked.
    for (let i = 1; i < t.poses.length; i++) assert.ok(t.poses[i].distanceM >= t.poses[i - 1].distanceM);
    assert.ok(t.poses.every((q) => q.speedMps <= 10));
  });

  it('rejects impossible profiles with a ConfigError', () => {
    const ok = { distanceM: 100, speeds: [{ fromM: 0, speedMps: 10 }] };
    assert.throws(() => drive(route, { ...ok, speeds: [] }, 10), ConfigError);
    assert.throws(() => drive(route, { ...ok, speeds: [{ fromM: 5, speedMps: 3 }] }, 10), ConfigError);
    assert.throws(() => drive(route, { ...ok, speeds: [{ fromM: 0, speedMps: 0 }] }, 10), ConfigError);
    assert.throws(() => drive(route, { ...ok, stops: [{ atM: 150, durationS: 2 }] }, 10), ConfigError);
    assert.throws(() => drive(route, ok, 0), ConfigError);
  });
});
