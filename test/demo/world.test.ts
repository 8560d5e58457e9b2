// The demo world: varied scenery beside the road, never on it, the same for a seed.
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import { makeWorld, type Landmark } from '../../src/demo/world.js';

const anchor = (l: Landmark): readonly (readonly [number, number])[] => ('points' in l ? l.points : [[l.x, l.y]]);

describe('demo world', () => {
  const world = makeWorld({ seed: 7 });

  it('has every kind of landmark, many of them', () => {
    const kinds = new Set(world.landmarks.map((l) => l.kind));
    for (const kind of ['tree', 'house', 'pole', 'sign', 'bush'] as const) assert.ok(kinds.has(kind), `no ${kind}`);
    assert.ok(kinds.has('fence') || kinds.has('hedge'), 'no fence or hedge');
    assert.ok(world.landmarks.length >= 80, `${world.landmarks.length} landmarks`);
    assert.ok(world.markings.length > world.route.lengthM / 10, 'road markings missing');
  });

  it('keeps everything off the road', () => {
    for (const l of world.landmarks) {
      for (const [x, y] of anchor(l)) {
        assert.ok(world.route.distanceTo(x, y) > world.roadHalfWidthM + 0.5, `${l.kind} at (${x.toFixed(1)}, ${y.toFixed(1)}) stands on the road`);
      }
    }
  });

  it('spreads scenery along the whole loop (no empty 40 m stretch)', () => {
    const { route } = world;
    for (let s = 0; s < route.lengthM; s += 20) {
      const p = route.pointAt(s + 20);
      const near = world.landmarks.some((l) => anchor(l).some(([x, y]) => Math.hypot(x - p.x, y - p.y) < 25));
      assert.ok(near, `nothing within 25 m of the road at ${s + 20} m`);
    }
  });

  it('is the same for a seed and differs between seeds', () => {
    assert.deepEqual(makeWorld({ seed: 7 }).landmarks, world.landmarks);
    assert.notDeepEqual(makeWorld({ seed: 8 }).landmarks, world.landmarks);
  });

  it('rejects a bad seed with a ConfigError', () => {
    assert.throws(() => makeWorld({ seed: -1 }), ConfigError);
    assert.throws(() => makeWorld({ seed: 1.5 }), ConfigError);
  });
});
