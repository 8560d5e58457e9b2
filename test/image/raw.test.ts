import assert from 'node:assert/strict';
import { ImageDecodeError } from '../../src/core/errors.js';
import type { RawImage } from '../../src/core/types.js';
import { rawToPixels } from '../../src/image/raw.js';

// A hand-made 4x2 RGB image: pixel i of row r is (10 + 30i + 120r, 20 + 30i + 120r, 30 + 30i + 120r).
const RGB = [
  [10, 20, 30], [40, 50, 60], [70, 80, 90], [100, 110, 120],
  [130, 140, 150], [160, 170, 180], [190, 200, 210], [220, 230, 240],
];
const RGB_PACKED = RGB.flat();
const GREY = [0, 1, 128, 255, 17, 34, 51, 68];
const PAD = 0xee;

/** Builds a raw image from per-pixel byte groups, each row followed by `pad` padding bytes. */
function raw(encoding: string, pixels: number[][], pad = 0, bytesPerPixel = pixels[0].length, isBigEndian = false): RawImage {
  const width = 4;
  const height = 2;
  const step = width * bytesPerPixel + pad;
  const data = new Uint8Array(step * height).fill(PAD);
  for (let y = 0; y < height; y++) {
    data.set(pixels.slice(y * width, (y + 1) * width).flat(), y * step);
  }
  return { kind: 'raw', width, height, encoding, step, isBigEndian, data };
}

describe('rawToPixels', () => {
  it('passes rgb8 through, with and without row padding', () => {
    for (const pad of [0, 3]) {
      const px = rawToPixels(raw('rgb8', RGB, pad));
      assert.equal(px.channels, 3);
      assert.deepEqual(Array.from(px.data), RGB_PACKED, `pad ${pad}`);
    }
  });

  it('swaps bgr8 to RGB', () => {
    const px = rawToPixels(raw('bgr8', RGB.map(([r, g, b]) => [b, g, r]), 2));
    assert.deepEqual(Array.from(px.data), RGB_PACKED);
  });

  it('drops alpha from rgba8 and bgra8', () => {
    assert.deepEqual(Array.from(rawToPixels(raw('rgba8', RGB.map((p) => [...p, 7]), 4)).data), RGB_PACKED);
    assert.deepEqual(Array.from(rawToPixels(raw('bgra8', RGB.map(([r, g, b]) => [b, g, r, 7]), 1)).data), RGB_PACKED);
  });

  it('keeps mono8 (and its 8UC1 alias) as one grey channel', () => {
    for (const enc of ['mono8', '8UC1']) {
      const px = rawToPixels(raw(enc, GREY.map((v) => [v]), 5));
      assert.equal(px.channels, 1);
      assert.deepEqual(Array.from(px.data), GREY);
    }
  });

  it('scales mono16 to 8 bit in both byte orders', () => {
    const values = [0, 257, 0x8080, 0xffff, 0x1100, 0x2200, 0x3300, 0x4400];
    // round(v / 257): 0, 1, 128, 255, 16.93 -> 17, 33.87 -> 34, 50.80 -> 51, 67.74 -> 68
    const little = values.map((v) => [v & 0xff, v >> 8]);
    const big = values.map((v) => [v >> 8, v & 0xff]);
    assert.deepEqual(Array.from(rawToPixels(raw('mono16', little, 2, 2, false)).data), GREY);
    assert.deepEqual(Array.from(rawToPixels(raw('mono16', big, 2, 2, true)).data), GREY);
    // The same bytes read with the wrong endianness give other values: the flag matters.
    assert.notDeepEqual(Array.from(rawToPixels(raw('16UC1', big, 2, 2, false)).data), GREY);
  });

  // Two 4:2:2 pairs per row. Pair A: Y 16 / 235, neutral chroma -> black, white.
  // Pair B: Y 81 / 128, U 90, V 240 (BT.601 limited range):
  //   Y 81:  c = 1.164*65 = 75.66;  R = c + 1.596*112 = 254.4; G = c - 0.813*112 + 0.391*38 = -0.5; B = c - 2.018*38 = -1.0
  //   Y 128: c = 130.37;            R = 309 -> 255;              G = 54.2;                         B = 53.7
  // Row 1: neutral grey Y 128 -> 130.37 -> 130, then pair B again.
  const YUV_EXPECTED = [
    [0, 0, 0], [255, 255, 255], [254, 0, 0], [255, 54, 54],
    [130, 130, 130], [130, 130, 130], [254, 0, 0], [255, 54, 54],
  ].flat();
  const pairs = [
    { y0: 16, y1: 235, u: 128, v: 128 }, { y0: 81, y1: 128, u: 90, v: 240 },
    { y0: 128, y1: 128, u: 128, v: 128 }, { y0: 81, y1: 128, u: 90, v: 240 },
  ];

  it('converts yuv422 (UYVY) to RGB', () => {
    // Each pixel carries 2 bytes; a pair is U Y0 V Y1.
    const bytes = pairs.flatMap(({ y0, y1, u, v }) => [[u, y0], [v, y1]]);
    for (const enc of ['yuv422', 'uyvy']) {
      assert.deepEqual(Array.from(rawToPixels(raw(enc, bytes, 4, 2)).data), YUV_EXPECTED, enc);
    }
  });

  it('converts yuv422_yuy2 / yuyv (YUYV) to RGB', () => {
    const bytes = pairs.flatMap(({ y0, y1, u, v }) => [[y0, u], [y1, v]]);
    for (const enc of ['yuv422_yuy2', 'yuyv']) {
      assert.deepEqual(Array.from(rawToPixels(raw(enc, bytes, 4, 2)).data), YUV_EXPECTED, enc);
    }
  });

  it('rejects a step smaller than a row', () => {
    const img = { ...raw('rgb8', RGB), step: 11 };
    assert.throws(() => rawToPixels(img), (e: Error) => e instanceof ImageDecodeError && /step 11 is too small.*at least 12/.test(e.message));
  });

  it('rejects truncated and over-long data', () => {
    const img = raw('rgb8', RGB, 2);
    assert.throws(() => rawToPixels({ ...img, data: img.data.subarray(0, img.data.length - 1) }), (e: Error) =>
      e instanceof ImageDecodeError && /truncated: 27 bytes, expected step \* height = 14 \* 2 = 28/.test(e.message));
    assert.throws(() => rawToPixels({ ...img, data: new Uint8Array(40) }), /too long/);
  });

  it('rejects zero size, an odd 4:2:2 width and unknown encodings', () => {
    assert.throws(() => rawToPixels({ ...raw('rgb8', RGB), width: 0 }), (e: Error) => e instanceof ImageDecodeError && /invalid size 0x2/.test(e.message));
    const yuyv = raw('yuyv', RGB.map(() => [0, 0]), 0, 2);
    assert.throws(() => rawToPixels({ ...yuyv, width: 3, step: 6, data: new Uint8Array(12) }), /odd width 3/);
    assert.throws(() => rawToPixels({ ...raw('rgb8', RGB), encoding: 'bayer_rggb8' }), (e: Error) =>
      e instanceof ImageDecodeError && /unsupported image encoding "bayer_rggb8"; supported: rgb8, bgr8/.test(e.message));
  });
});
