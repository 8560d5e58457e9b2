// The demo route: a closed loop of the asked length, evenly sampled, deterministic for a seed.
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import { makeRoute } from '../../src/demo/route.js';

describe('demo route', () => {
  it('is a closed loop of the asked length: the point at one lap is the start again', () => {
    const route = makeRoute({ seed: 3, lengthM: 250 });
    assert.equal(route.lengthM, 250);
    const a = route.pointAt(0);
    const b = route.pointAt(250);
    assert.ok(Math.hypot(a.x - b.x, a.y - b.y) < 1e-9);
    const c = route.pointAt(-10);
    const d = route.pointAt(240);
    assert.ok(Math.hypot(c.x - d.x, c.y - d.y) < 1e-9);
  });

  it('is sampled evenly: points 1 m apart along it are about 1 m apart in the plane', () => {
    const route = makeRoute({ seed: 3, lengthM: 300 });
    let total = 0;
    for (let s = 0; s < 300; s += 1) {
      const p = route.pointAt(s);
      const q = route.pointAt(s + 1);
      const step = Math.hypot(q.x - p.x, q.y - p.y);
      assert.ok(step > 0.97 && step <= 1.0001, `step at ${s} m is ${step}`);
      total += step;
    }
    assert.ok(Math.abs(total - 300) < 3, `polyline length ${total}`);
  });

  it('heads along its own direction of travel and turns a full circle per lap', () => {
    const route = makeRoute({ seed: 5, lengthM: 320 });
    let turned = 0;
    for (let s = 0; s < 320; s += 2) {
      const p = route.pointAt(s);
      const q = route.pointAt(s + 0.5);
      const travel = Math.atan2(q.y - p.y, q.x - p.x);
      assert.ok(Math.abs(Math.atan2(Math.sin(travel - p.yaw), Math.cos(travel - p.yaw))) < 0.05, `heading at ${s} m`);
      const r = route.pointAt(s + 2);
      turned += Math.atan2(Math.sin(r.yaw - p.yaw), Math.cos(r.yaw - p.yaw));
    }
    assert.ok(Math.abs(turned - 2 * Math.PI) < 0.01, `turned ${turned} rad`);
  });

  it('is the same for a seed and differs between seeds', () => {
    const p = (seed: number) => makeRoute({ seed }).pointAt(77);
    assert.deepEqual(p(4), p(4));
    assert.notDeepEqual(p(4), p(5));
  });

  it('rejects a length it cannot drive with a ConfigError', () => {
    assert.throws(() => makeRoute({ lengthM: 20 }), ConfigError);
    assert.throws(() => makeRoute({ lengthM: Number.NaN }), ConfigError);
  });

  it('measures the distance of a point to the centreline', () => {
    const route = makeRoute({ seed: 2, lengthM: 200 });
    const p = route.pointAt(40);
    assert.ok(route.distanceTo(p.x, p.y) < 0.3);
    const off = { x: p.x - Math.sin(p.yaw) * 6, y: p.y + Math.cos(p.yaw) * 6 };
    assert.ok(Math.abs(route.distanceTo(off.x, off.y) - 6) < 0.3);
  });
});
