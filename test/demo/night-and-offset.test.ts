// The conditions the re-ranking robustness runs use: the night appearance and a query lane offset.
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import { APPEARANCE_NAMES, APPEARANCES, appearanceByName } from '../../src/demo/appearance.js';
import { makeWorld } from '../../src/demo/world.js';
import { queryTraversal } from '../../src/demo/traversal.js';
import { renderPixels } from '../../src/demo/render.js';
import { generateDemo } from '../../src/demo/generate.js';

describe('demo night appearance and query lane offset', () => {
  const world = makeWorld({ seed: 7 });

  it('night is a named appearance, much darker than day, with lamps lit and a noisier camera', async () => {
    assert.ok(APPEARANCE_NAMES.includes('night'));
    assert.equal(appearanceByName('night'), APPEARANCES.night);
    const night = APPEARANCES.night;
    assert.ok(night.lights && night.noiseStd > APPEARANCES.day.noiseStd);
    const pose = queryTraversal(world.route, { seed: 7 }).poses[120];
    const mean = async (look: keyof typeof APPEARANCES) => {
      const f = await renderPixels(world, pose, APPEARANCES[look], { noiseSeed: 1 });
      return f.data.reduce((a, b) => a + b, 0) / f.data.length;
    };
    const [day, dark] = [await mean('day'), await mean('night')];
    assert.ok(dark < 0.4 * day, `night mean ${dark.toFixed(1)} vs day ${day.toFixed(1)}`);
  });

  it('the query run can drive another lane; out-of-range offsets are refused', async () => {
    const usual = queryTraversal(world.route, { seed: 7 }).poses;
    const moved = queryTraversal(world.route, { seed: 7, laneOffsetM: 0.5 }).poses;
    assert.equal(moved.length, usual.length);
    const gaps = usual.map((p, i) => Math.hypot(p.x - moved[i].x, p.y - moved[i].y));
    const meanGap = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    assert.ok(Math.abs(meanGap - 2) < 0.3, `mean sideways gap ${meanGap.toFixed(2)} m, expected about 2 m`);
    await assert.rejects(generateDemo('/nonexistent-never-written', { queryLaneOffsetM: 6 }), ConfigError);
  });
});
