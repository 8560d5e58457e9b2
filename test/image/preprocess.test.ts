import assert from 'node:assert/strict';
import { ImageDecodeError, ModelError } from '../../src/core/errors.js';
import type { RawImage } from '../../src/core/types.js';
import { frameModelManifestSchema } from '../../src/encoders/manifest.js';
import { inputShape, preprocessBatch, type ModelInputSpec } from '../../src/image/preprocess.js';

const rgbImage = (width: number, height: number, pixels: number[][]): RawImage => ({
  kind: 'raw', width, height, encoding: 'rgb8', step: width * 3, isBigEndian: false, data: Uint8Array.from(pixels.flat()),
});

/** A manifest input section with the schema's defaults filled in. */
function spec(input: Partial<ModelInputSpec>): ModelInputSpec {
  return frameModelManifestSchema.parse({
    version: 1, kind: 'frame-encoder', name: 't', model: 't.onnx',
    input: { name: 'x', width: 2, height: 2, ...input },
    output: { name: 'y', dim: 1 },
  }).input;
}

// 2x2 image (same size as the model input, so sharp's resize is the identity).
const P = [[10, 20, 30], [40, 50, 60], [70, 80, 90], [100, 110, 120]];
const IMG = rgbImage(2, 2, P);
// scale 1, mean [10, 20, 30], std [2, 5, 10]: value = (byte - mean[c]) / std[c]
const NORM = { scale: 1, mean: [10, 20, 30], std: [2, 5, 10] };
const R = P.map((p) => (p[0] - 10) / 2); // 0, 15, 30, 45
const G = P.map((p) => (p[1] - 20) / 5); // 0, 6, 12, 18
const B = P.map((p) => (p[2] - 30) / 10); // 0, 3, 6, 9

describe('preprocessBatch', () => {
  it('lays out NCHW with per-channel mean/std', async () => {
    const s = spec({ layout: 'nchw', ...NORM });
    assert.deepEqual(inputShape(s, 1), [1, 3, 2, 2]);
    assert.deepEqual(Array.from(await preprocessBatch([IMG], s)), [...R, ...G, ...B]);
  });

  it('lays out NHWC', async () => {
    const s = spec({ layout: 'nhwc', ...NORM });
    assert.deepEqual(inputShape(s, 1), [1, 2, 2, 3]);
    const expected = [0, 1, 2, 3].flatMap((p) => [R[p], G[p], B[p]]);
    assert.deepEqual(Array.from(await preprocessBatch([IMG], s)), expected);
  });

  it('reverses channels for bgr, with mean/std in the model channel order', async () => {
    const s = spec({ channels: 'bgr', scale: 1, mean: [30, 20, 10], std: [10, 5, 2] });
    assert.deepEqual(Array.from(await preprocessBatch([IMG], s)), [...B, ...G, ...R]);
  });

  it('applies the default 1/255 scale and a single mean/std to grey input', async () => {
    const grey: RawImage = { kind: 'raw', width: 2, height: 2, encoding: 'mono8', step: 2, isBigEndian: false, data: Uint8Array.of(0, 51, 102, 255) };
    const s = spec({ channels: 'gray', mean: [0.5], std: [0.5] });
    assert.deepEqual(inputShape(s, 1), [1, 1, 2, 2]);
    const out = Array.from(await preprocessBatch([grey], s));
    [-1, -0.6, -0.2, 1].forEach((v, i) => assert.ok(Math.abs(out[i] - v) < 1e-6, `${out[i]} vs ${v}`));
  });

  it('batches N images back to back', async () => {
    const s = spec({ ...NORM });
    const dark = rgbImage(2, 2, [[10, 20, 30], [10, 20, 30], [10, 20, 30], [10, 20, 30]]);
    const out = await preprocessBatch([dark, IMG], s);
    assert.equal(out.length, 24);
    assert.deepEqual(Array.from(out.subarray(0, 12)), new Array(12).fill(0));
    assert.deepEqual(Array.from(out.subarray(12)), [...R, ...G, ...B]);
  });

  // 4x2 image with columns red, green, blue, white, resized to 2x2.
  const COLUMNS = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];
  const COLS = rgbImage(4, 2, [...COLUMNS, ...COLUMNS]);
  const bytes = (t: Float32Array): number[] => Array.from(t, (v) => Math.round(v * 255));

  it('crop covers and centre-crops (keeps the green and blue columns)', async () => {
    const out = bytes(await preprocessBatch([COLS], spec({ resize: 'crop', layout: 'nhwc' })));
    assert.deepEqual(out, [0, 255, 0, 0, 0, 255, 0, 255, 0, 0, 0, 255]);
  });

  it('pad letterboxes with black, stretch fills every row', async () => {
    const pad = bytes(await preprocessBatch([COLS], spec({ resize: 'pad', channels: 'gray' })));
    const stretch = bytes(await preprocessBatch([COLS], spec({ resize: 'stretch', channels: 'gray' })));
    // 4x2 into 2x2 keeping aspect gives one 2x1 image row and one black row.
    assert.equal(pad.filter((v) => v === 0).length, 2);
    assert.ok(stretch.every((v) => v > 0));
  });

  it('rejects a mean with the wrong number of values', async () => {
    await assert.rejects(preprocessBatch([IMG], spec({ channels: 'gray', mean: [0.1, 0.2, 0.3] })), (e: Error) =>
      e instanceof ModelError && /mean \[0.1, 0.2, 0.3\] does not fit gray input with 1 channel\(s\); give one value/.test(e.message));
  });

  it('turns a corrupt image in a batch into ImageDecodeError', async () => {
    const bad = { kind: 'compressed' as const, format: 'png', data: Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3) };
    await assert.rejects(preprocessBatch([IMG, bad], spec({})), ImageDecodeError);
  });
});
