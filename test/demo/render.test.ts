// Rendering: projection puts things where they belong, frames are deterministic, appearances differ
// but the same place stays recognisable across them.
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ConfigError } from '../../src/core/errors.js';
import { APPEARANCES, appearanceByName, shadeColor } from '../../src/demo/appearance.js';
import { renderJpeg, renderPixels, type RgbFrame } from '../../src/demo/render.js';
import { DEFAULT_CAMERA, sceneSvg } from '../../src/demo/scene.js';
import { mapTraversal } from '../../src/demo/traversal.js';
import { makeWorld, type World } from '../../src/demo/world.js';
import { patchNormalize } from '../../src/encoders/patchnorm.js';

const world = makeWorld({ seed: 7 });
const poses = mapTraversal(world.route, { seed: 7 }).poses;

/** Grey 32x16 thumbnail of a JPEG, each 8x8 patch normalised (brightness/contrast removed). */
async function thumbnail(jpeg: Uint8Array, normalise: boolean): Promise<Float32Array> {
  const grey = await sharp(jpeg).grayscale().resize(32, 16, { fit: 'fill' }).raw().toBuffer();
  return normalise ? patchNormalize(grey, 32, 16, 8) : Float32Array.from(grey);
}

const meanAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function pixel(f: RgbFrame, u: number, v: number): [number, number, number] {
  const i = (v * f.width + u) * 3;
  return [f.data[i], f.data[i + 1], f.data[i + 2]];
}

describe('demo rendering', () => {
  it('projects a pole 6 m ahead and 3 m to the left into the left half of the sky, where the pinhole model puts it', async () => {
    const p = world.route.pointAt(100);
    const pole = { kind: 'pole' as const, x: p.x + 6 * Math.cos(p.yaw) - 3 * Math.sin(p.yaw), y: p.y + 6 * Math.sin(p.yaw) + 3 * Math.cos(p.yaw), heightM: 7, lamp: false };
    const alone: World = { ...world, landmarks: [pole] };
    const frame = await renderPixels(alone, p, { ...APPEARANCES.day, noiseStd: 0, exposureJitter: 0 });
    const f = DEFAULT_CAMERA.width / 2 / Math.tan(DEFAULT_CAMERA.hfovRad / 2);
    const u = Math.floor(DEFAULT_CAMERA.width / 2 - (f * 3) / 6); // the pole is 3 px wide there
    const [r, , b] = pixel(frame, u, 5);
    assert.ok(Math.abs(r - b) < 25, `pole column should be grey metal, got rgb ${pixel(frame, u, 5)}`);
    const [r2, , b2] = pixel(frame, DEFAULT_CAMERA.width - u, 5);
    assert.ok(b2 - r2 > 60, `mirrored column should be blue sky, got rgb ${pixel(frame, DEFAULT_CAMERA.width - u, 5)}`);
  });

  it('draws a pole behind the camera nowhere', async () => {
    const p = world.route.pointAt(100);
    const behind = { kind: 'pole' as const, x: p.x - 10 * Math.cos(p.yaw), y: p.y - 10 * Math.sin(p.yaw), heightM: 7, lamp: false };
    assert.equal(sceneSvg({ ...world, landmarks: [behind] }, p, APPEARANCES.day), sceneSvg({ ...world, landmarks: [] }, p, APPEARANCES.day));
  });

  it('renders the same JPEG bytes for the same pose and seed, other bytes for another noise seed', async () => {
    const pose = poses[123];
    const a = await renderJpeg(world, pose, APPEARANCES.winter, { noiseSeed: 42 });
    const b = await renderJpeg(makeWorld({ seed: 7 }), { ...pose }, APPEARANCES.winter, { noiseSeed: 42 });
    assert.deepEqual(a, b);
    assert.deepEqual([...a.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    const meta = await sharp(a).metadata();
    assert.equal(meta.width, 160);
    assert.equal(meta.height, 96);
    const c = await renderJpeg(world, pose, APPEARANCES.winter, { noiseSeed: 43 });
    assert.notDeepEqual(a, c);
  });

  it('makes appearances differ strongly at the same place, yet keeps the place closer to itself than to other places', async () => {
    const places = [20, 75, 130, 185, 240, 295, 350, 405].map((i) => poses[i]);
    const others = places.map((_, k) => places[(k + 3) % places.length]);
    const thumbs = async (look: keyof typeof APPEARANCES, normalise: boolean, list = places) =>
      Promise.all(list.map(async (p, k) => thumbnail(await renderJpeg(world, p, APPEARANCES[look], { noiseSeed: k }), normalise)));

    // Raw grey levels: the seasons look different.
    const [dayRaw, winterRaw, duskRaw] = await Promise.all([thumbs('day', false), thumbs('winter', false), thumbs('dusk', false)]);
    for (let k = 0; k < places.length; k++) {
      assert.ok(meanAbsDiff(dayRaw[k], winterRaw[k]) > 15, `day vs winter at place ${k}`);
      assert.ok(meanAbsDiff(dayRaw[k], duskRaw[k]) > 15, `day vs dusk at place ${k}`);
    }

    // Patch-normalised: same place across seasons beats different places.
    const [day, winter, dusk, dayOther] = await Promise.all([thumbs('day', true), thumbs('winter', true), thumbs('dusk', true), thumbs('day', true, others)]);
    for (const [name, season] of [['winter', winter], ['dusk', dusk]] as const) {
      const same = places.map((_, k) => meanAbsDiff(season[k], day[k]));
      const different = places.map((_, k) => meanAbsDiff(season[k], dayOther[k]));
      const wins = same.filter((s, k) => s < different[k]).length;
      assert.ok(mean(same) < 0.85 * mean(different), `${name}: same place ${mean(same).toFixed(3)} vs other places ${mean(different).toFixed(3)}`);
      assert.ok(wins >= 6, `${name}: the same place is closer at only ${wins} of ${places.length} places`);
    }
  });

  it('lights, fogs and names appearances as documented', () => {
    const day = APPEARANCES.day;
    assert.deepEqual(shadeColor([100, 150, 200], day, 0), [100, 150, 200]);
    const far = shadeColor([100, 150, 200], APPEARANCES.winter, 1e6);
    assert.deepEqual(far.map(Math.round), APPEARANCES.winter.fog.map((c) => Math.round(c * APPEARANCES.winter.gain)));
    assert.ok(shadeColor([100, 150, 200], day, 0, 0)[0] < 100, 'a face turned from the sun is darker');
    assert.equal(appearanceByName('dusk'), APPEARANCES.dusk);
    assert.throws(() => appearanceByName('summer'), ConfigError);
  });
});
