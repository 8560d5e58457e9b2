import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { ImageDecodeError } from '../../src/core/errors.js';
import type { CompressedImage } from '../../src/core/types.js';
import { decodeImage } from '../../src/image/decode.js';

// 4x2 RGB, distinct values everywhere.
const RGB = Uint8Array.from({ length: 24 }, (_, i) => 10 * i + 5);

async function encode(format: 'png' | 'jpeg', data: Uint8Array, width: number, height: number, channels: 1 | 3 = 3): Promise<Uint8Array> {
  const img = sharp(data, { raw: { width, height, channels } });
  return new Uint8Array(await (format === 'png' ? img.png() : img.jpeg({ quality: 95 })).toBuffer());
}

const NORDLAND_FRAME = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/nordland64/summer/images-01000.png');

const compressed = (format: string, data: Uint8Array): CompressedImage => ({ kind: 'compressed', format, data });

describe('decodeImage', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'seqvpr-image-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('decodes a PNG file losslessly', async () => {
    const file = path.join(dir, 'a.png');
    await writeFile(file, await encode('png', RGB, 4, 2));
    const px = await decodeImage({ kind: 'file', path: file });
    assert.deepEqual([px.width, px.height, px.channels], [4, 2, 3]);
    assert.deepEqual(Array.from(px.data), Array.from(RGB));
  });

  it('decodes a compressed PNG labelled with a JPEG format string (the bytes win)', async () => {
    const px = await decodeImage(compressed('rgb8; jpeg compressed bgr8', await encode('png', RGB, 4, 2)));
    assert.deepEqual(Array.from(px.data), Array.from(RGB));
  });

  it('decodes a compressed JPEG of a flat colour to about that colour', async () => {
    const flat = new Uint8Array(16 * 16 * 3);
    for (let i = 0; i < flat.length; i += 3) flat.set([200, 100, 50], i);
    const px = await decodeImage(compressed('jpeg', await encode('jpeg', flat, 16, 16)));
    assert.deepEqual([px.width, px.height, px.channels], [16, 16, 3]);
    for (let i = 0; i < px.data.length; i += 3) {
      assert.ok(Math.abs(px.data[i] - 200) <= 3 && Math.abs(px.data[i + 1] - 100) <= 3 && Math.abs(px.data[i + 2] - 50) <= 3);
    }
  });

  it('returns grey when asked, and converts a grey PNG to RGB', async () => {
    const grey = Uint8Array.of(0, 60, 120, 255);
    const png = await encode('png', grey, 2, 2, 1);
    const asGrey = await decodeImage(compressed('png', png), 'gray');
    assert.deepEqual([asGrey.channels, ...asGrey.data], [1, 0, 60, 120, 255]);
    const asRgb = await decodeImage(compressed('png', png), 'rgb');
    assert.deepEqual(Array.from(asRgb.data), [0, 0, 0, 60, 60, 60, 120, 120, 120, 255, 255, 255]);
  });

  it('decodes raw images through the same path', async () => {
    const px = await decodeImage({ kind: 'raw', width: 4, height: 2, encoding: 'rgb8', step: 12, isBigEndian: false, data: RGB });
    assert.deepEqual(Array.from(px.data), Array.from(RGB));
  });

  it('rejects corrupt PNG and truncated JPEG bytes with ImageDecodeError', async () => {
    const png = await encode('png', RGB, 4, 2);
    const garbled = png.slice();
    garbled.fill(0x42, 16); // keep the magic, destroy the chunks
    await assert.rejects(decodeImage(compressed('png', garbled)), (e: Error) => e instanceof ImageDecodeError && /compressed image \(format "png"/.test(e.message));
    const jpeg = await encode('jpeg', new Uint8Array(32 * 32 * 3).fill(90), 32, 32);
    await assert.rejects(decodeImage(compressed('jpeg', jpeg.subarray(0, jpeg.length >> 1))), ImageDecodeError);
  });

  it('rejects bytes that are neither PNG nor JPEG, naming the format string', async () => {
    await assert.rejects(decodeImage(compressed('jpeg', Uint8Array.of(1, 2, 3, 4))), (e: Error) =>
      e instanceof ImageDecodeError && /format "jpeg"\) is neither PNG nor JPEG: it starts with bytes 01 02 03 04/.test(e.message));
    await assert.rejects(decodeImage(compressed('png', new Uint8Array(0))), /is empty/);
  });

  it('rejects a missing file with ImageDecodeError', async () => {
    await assert.rejects(decodeImage({ kind: 'file', path: path.join(dir, 'missing.png') }), (e: Error) =>
      e instanceof ImageDecodeError && e.message.includes('missing.png'));
  });

  it('rejects a raw image with a wrong step with ImageDecodeError', async () => {
    await assert.rejects(
      decodeImage({ kind: 'raw', width: 4, height: 2, encoding: 'rgb8', step: 10, isBigEndian: false, data: new Uint8Array(20) }),
      (e: Error) => e instanceof ImageDecodeError && /step 10 is too small/.test(e.message),
    );
  });

  it('decodes a real nordland64 frame (64x32 RGB PNG)', async function () {
    if (!existsSync(NORDLAND_FRAME)) {
      console.log(`      skipped: ${NORDLAND_FRAME} is absent (real data lives outside the repo, in ../shared/data)`);
      this.skip();
    }
    const px = await decodeImage({ kind: 'file', path: NORDLAND_FRAME });
    assert.deepEqual([px.width, px.height, px.channels, px.data.length], [64, 32, 3, 64 * 32 * 3]);
    assert.ok(new Set(px.data).size > 20, 'a real frame has many distinct values');
  });
});
