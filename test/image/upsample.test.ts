import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import sharp, { type PngOptions } from 'sharp';
import { ImageDecodeError } from '../../src/core/errors.js';
import { createRandom } from '../../src/core/random.js';
import type { ImageSource, RawImage } from '../../src/core/types.js';
import { frameModelManifestSchema } from '../../src/encoders/manifest.js';
import { enlargeExactly } from '../../src/image/exact-enlarge.js';
import { readPngHeader } from '../../src/image/png-header.js';
import { resizeForModel, resizeWithSharp, type ModelInputSpec } from '../../src/image/preprocess.js';
import { canUpsample, upsample } from '../../src/image/upsample.js';

const NORDLAND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/nordland64');

function spec(width: number, height: number, channels: 'rgb' | 'gray' = 'rgb'): ModelInputSpec {
  return frameModelManifestSchema.parse({
    version: 1, kind: 'frame-encoder', name: 't', model: 't.onnx',
    input: { name: 'x', width, height, channels },
    output: { name: 'y', dim: 1 },
  }).input;
}

/** Noise with many saturated values, so overshoot and clipping at both ends are exercised. */
function noise(seed: number, count: number): Uint8Array {
  const rng = createRandom(seed);
  return Uint8Array.from({ length: count }, () => (rng.chance(0.3) ? (rng.chance(0.5) ? 0 : 255) : rng.int(0, 255)));
}

const raw = (width: number, height: number, encoding: string, bytesPerPixel: number, seed: number): RawImage => ({
  kind: 'raw', width, height, encoding, step: width * bytesPerPixel, isBigEndian: false, data: noise(seed, width * height * bytesPerPixel),
});

async function png(width: number, height: number, channels: 1 | 3 | 4, seed: number, options: PngOptions = {}): Promise<ImageSource> {
  const image = sharp(noise(seed, width * height * channels), { raw: { width, height, channels } });
  // sharp writes one raw channel as RGB unless told the image is grey.
  const data = await (channels === 1 ? image.toColourspace('b-w') : image).png(options).toBuffer();
  return { kind: 'compressed', format: 'png', data: new Uint8Array(data) };
}

async function assertSameAsSharp(source: ImageSource, s: ModelInputSpec, fastPath: boolean): Promise<void> {
  const expected = await resizeWithSharp(source, s);
  const fast = await enlargeExactly(source, s.channels === 'gray' ? 'gray' : 'rgb', s);
  assert.equal(fast !== undefined, fastPath, fastPath ? 'the exact path should apply' : 'the exact path should not apply');
  const got = await resizeForModel(source, s);
  assert.deepEqual([got.width, got.height, got.channels], [expected.width, expected.height, expected.channels]);
  assert.ok(Buffer.from(got.data).equals(Buffer.from(expected.data)), 'bytes differ from sharp');
}

describe('upsample (power-of-two enlargement with sharp bytes)', () => {
  it('matches sharp byte for byte on noise, every factor and shape', async () => {
    const cases: [number, number, number, number][] = [
      [64, 32, 4, 4], [8, 4, 2, 2], [5, 3, 8, 8], [17, 9, 2, 2], [20, 10, 4, 2], [3, 7, 2, 8], [1, 1, 4, 4], [2, 1, 16, 32],
    ];
    for (const [w, h, fx, fy] of cases) {
      for (const seed of [1, 2]) await assertSameAsSharp(await png(w, h, 3, seed * 100 + w), spec(w * fx, h * fy), true);
    }
  });

  it('matches sharp for grey PNGs (grey and RGB models) and raw rgb8, bgr8, rgba8, mono8, mono16', async () => {
    await assertSameAsSharp(await png(16, 8, 1, 3), spec(64, 32, 'gray'), true);
    await assertSameAsSharp(await png(16, 8, 1, 4), spec(64, 32, 'rgb'), true);
    for (const [encoding, bytes] of [['rgb8', 3], ['bgr8', 3], ['rgba8', 4], ['mono8', 1], ['mono16', 2]] as const) {
      await assertSameAsSharp(raw(12, 6, encoding, bytes, bytes * 7), spec(48, 24), true);
    }
    await assertSameAsSharp(raw(12, 6, 'mono8', 1, 5), spec(48, 24, 'gray'), true);
  });

  it('leaves other cases to sharp: other factors, shrinking, alpha, palette, 16 bit, interlace, colour to grey', async () => {
    await assertSameAsSharp(await png(64, 32, 3, 5), spec(192, 96), false); // factor 3
    await assertSameAsSharp(await png(64, 32, 3, 6), spec(32, 16), false);
    await assertSameAsSharp(await png(64, 32, 3, 7), spec(128, 32), false); // one axis not enlarged
    await assertSameAsSharp(await png(16, 8, 4, 8), spec(64, 32), false);
    await assertSameAsSharp(await png(16, 8, 3, 9, { palette: true }), spec(64, 32), false);
    await assertSameAsSharp(await png(16, 8, 3, 10, { progressive: true }), spec(64, 32), false);
    await assertSameAsSharp(await png(16, 8, 3, 11), spec(64, 32, 'gray'), false);
    await assertSameAsSharp(raw(12, 6, 'rgb8', 3, 12), spec(48, 24, 'gray'), false);
    const sixteen = new Uint8Array(await sharp(noise(13, 16 * 8 * 3), { raw: { width: 16, height: 8, channels: 3 } }).toColourspace('rgb16').png().toBuffer());
    assert.equal(readPngHeader(sixteen)?.bitDepth, 16);
    await assertSameAsSharp({ kind: 'compressed', format: 'png', data: sixteen }, spec(64, 32), false);
    const jpeg = new Uint8Array(await sharp(noise(14, 16 * 8 * 3), { raw: { width: 16, height: 8, channels: 3 } }).jpeg().toBuffer());
    await assertSameAsSharp({ kind: 'compressed', format: 'jpeg', data: jpeg }, spec(64, 32), false);
  });

  it('reads PNG files too, and damaged PNGs still fail with ImageDecodeError', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'seqvpr-upsample-'));
    try {
      const source = (await png(16, 8, 3, 15)) as { data: Uint8Array };
      const file = path.join(dir, 'a.png');
      await writeFile(file, source.data);
      await assertSameAsSharp({ kind: 'file', path: file }, spec(64, 32), true);
      const large = path.join(dir, 'large.png');
      await writeFile(large, ((await png(128, 64, 3, 17)) as { data: Uint8Array }).data);
      await assertSameAsSharp({ kind: 'file', path: large }, spec(64, 32), false);
      // A flipped byte inside the image data: the CRC check sends it to sharp, which refuses it.
      const damaged = Uint8Array.from(source.data);
      damaged[damaged.length - 20] ^= 0xff;
      await assert.rejects(resizeForModel({ kind: 'compressed', format: 'png', data: damaged }, spec(64, 32)), ImageDecodeError);
      const truncated = source.data.subarray(0, source.data.length - 30);
      await assert.rejects(resizeForModel({ kind: 'compressed', format: 'png', data: truncated }, spec(64, 32)), ImageDecodeError);
      await assert.rejects(resizeForModel({ kind: 'file', path: path.join(dir, 'missing.png') }, spec(64, 32)), ImageDecodeError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gives the same bytes with the JS vertical pass (no WebAssembly SIMD) as with WebAssembly', () => {
    for (const [w, h, c, fx, fy] of [[64, 32, 3, 4, 4], [5, 3, 1, 2, 4], [7, 2, 3, 8, 2], [1, 1, 1, 2, 2]] as const) {
      const px = { width: w, height: h, channels: c, data: noise(w * h + c, w * h * c) };
      const wasm = upsample(px, w * fx, h * fy);
      const js = upsample(px, w * fx, h * fy, { webAssembly: false });
      assert.ok(Buffer.from(wasm.data).equals(Buffer.from(js.data)), `${w}x${h}x${c} by ${fx}x${fy}`);
      assert.equal(wasm.data.length, w * fx * h * fy * c);
    }
  });

  it('sends a PNG much larger than its pixels (a bomb, big metadata) to sharp', async () => {
    const small = (await png(16, 8, 3, 16)) as { data: Uint8Array };
    const text = Buffer.concat([Buffer.from('Comment\0'), Buffer.alloc(64 * 1024, 0x61)]);
    const chunk = Buffer.alloc(12 + text.length);
    chunk.writeUInt32BE(text.length, 0);
    chunk.write('tEXt', 4, 'latin1');
    text.copy(chunk, 8);
    chunk.writeUInt32BE(zlib.crc32(chunk.subarray(4, 8 + text.length)), 8 + text.length);
    const big = new Uint8Array(Buffer.concat([small.data.subarray(0, 33), chunk, small.data.subarray(33)]));
    assert.equal(readPngHeader(big)?.width, 16);
    await assertSameAsSharp({ kind: 'compressed', format: 'png', data: big }, spec(64, 32), false);
  });

  it('says which enlargements it takes', () => {
    assert.ok(canUpsample({ width: 64, height: 32 }, { width: 256, height: 128 }));
    assert.ok(canUpsample({ width: 3, height: 5 }, { width: 6, height: 40 }));
    for (const to of [{ width: 192, height: 96 }, { width: 64, height: 64 }, { width: 32, height: 16 }, { width: 256, height: 127 }]) {
      assert.ok(!canUpsample({ width: 64, height: 32 }, to), JSON.stringify(to));
      assert.throws(() => upsample({ width: 64, height: 32, channels: 3, data: new Uint8Array(64 * 32 * 3) }, to.width, to.height), RangeError);
    }
  });

  it('matches sharp on real nordland64 frames (64x32 PNG to the CNN input, 256x128)', async function () {
    if (!existsSync(NORDLAND)) {
      console.log(`      skipped: ${NORDLAND} is absent (real data lives outside the repo, in ../shared/data)`);
      this.skip();
    }
    const files = (await readdir(path.join(NORDLAND, 'winter'))).filter((f) => f.endsWith('.png')).slice(0, 200);
    for (const f of files) await assertSameAsSharp({ kind: 'file', path: path.join(NORDLAND, 'winter', f) }, spec(256, 128), true);
  });
});

describe('readPngHeader', () => {
  it('reads size, depth, colour type and the chunks that change decoding', async () => {
    const rgb = (await png(7, 5, 3, 1)) as { data: Uint8Array };
    assert.deepEqual(readPngHeader(rgb.data), { width: 7, height: 5, bitDepth: 8, colorType: 2, interlaced: false, transparency: false, iccProfile: false });
    const grey = (await png(7, 5, 1, 2)) as { data: Uint8Array };
    assert.equal(readPngHeader(grey.data)?.colorType, 0);
    const rgba = (await png(7, 5, 4, 2)) as { data: Uint8Array };
    assert.equal(readPngHeader(rgba.data)?.colorType, 6);
    const interlaced = (await png(7, 5, 3, 3, { progressive: true })) as { data: Uint8Array };
    assert.equal(readPngHeader(interlaced.data)?.interlaced, true);
    const withProfile = new Uint8Array(await sharp(noise(4, 7 * 5 * 3), { raw: { width: 7, height: 5, channels: 3 } }).withIccProfile('p3').png().toBuffer());
    assert.equal(readPngHeader(withProfile)?.iccProfile, true);
  });

  it('gives undefined for what is not a complete PNG header', async () => {
    const rgb = (await png(7, 5, 3, 1)) as { data: Uint8Array };
    assert.equal(readPngHeader(new Uint8Array(0)), undefined);
    assert.equal(readPngHeader(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0)), undefined);
    assert.equal(readPngHeader(rgb.data.subarray(0, 40)), undefined); // cut before IDAT
  });
});
