// The built-in frame model's illumination normalisation, end to end: a darker copy of an image (a
// night-like gain) must give (nearly) the descriptor of the original. Fails if the normalisation is
// taken out of the shipped spec.
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { buildMobileNetBlock10, MOBILENET_BLOCK10 } from '../../../src/encoders/builtin/mobilenet-block10.js';
import { readNsfwjsMobileNetV2 } from '../../../src/encoders/builtin/nsfwjs-model.js';
import { buildMobileNetPatches } from '../../../src/encoders/builtin/mobilenet-patches.js';
import { MOBILENET_PATCHES } from '../../../src/encoders/builtin/patch-model-spec.js';
import { seededUniform } from './tensor-helpers.js';

const { width: W, height: H } = MOBILENET_BLOCK10;

/** A structured RGB image in [0, 1]: smooth random blobs (a scene, not white noise), NCHW. */
function scene(seed: number): Float32Array {
  const centres = seededUniform(60, seed);
  const out = new Float32Array(3 * H * W);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let v = 0;
        for (let b = 0; b < 20; b++) {
          const cx = ((centres[b * 3] + 1) / 2) * W;
          const cy = ((centres[b * 3 + 1] + 1) / 2) * H;
          v += centres[b * 3 + 2] * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * (12 + 4 * c) ** 2));
        }
        out[(c * H + y) * W + x] = Math.min(1, Math.max(0, 0.5 + 0.4 * v));
      }
    }
  }
  return out;
}

async function descriptors(bytes: Uint8Array, images: Float32Array[], output: string = MOBILENET_BLOCK10.outputName): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes);
  const batch = new Float32Array(images.length * 3 * H * W);
  images.forEach((im, i) => batch.set(im, i * 3 * H * W));
  const out = (await session.run({ image: new ort.Tensor('float32', batch, [images.length, 3, H, W]) }))[output];
  await session.release();
  const dim = out.dims[1] as number;
  return images.map((_, i) => (out.data as Float32Array).slice(i * dim, (i + 1) * dim));
}

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('built-in model: illumination normalisation', function () {
  this.timeout(60_000);
  const source = readNsfwjsMobileNetV2();
  const day = scene(3);
  const night = Float32Array.from(day, (v) => 0.2 * v); // a fifth of the light
  const other = scene(4);

  it('is part of the shipped spec', () => {
    assert.notEqual(MOBILENET_BLOCK10.inputNorm.mode, 'none');
  });

  it('gives a fifth-of-the-light copy the day descriptor; without it the descriptor moves', async () => {
    const [d, n, o] = await descriptors(buildMobileNetBlock10({ source }), [day, night, other]);
    const raw = { inputNorm: { ...MOBILENET_BLOCK10.inputNorm, mode: 'none' as const, blurPasses: 0 } };
    const [rd, rn] = await descriptors(buildMobileNetBlock10({ source, variant: raw }), [day, night]);
    assert.ok(cosine(d, n) > 0.999, `normalised: cos(day, night) ${cosine(d, n)}`);
    assert.ok(cosine(rd, rn) < cosine(d, n) - 0.02, `without normalisation cos(day, night) ${cosine(rd, rn)}`);
    assert.ok(cosine(d, o) < 0.9, `another scene stays apart: ${cosine(d, o)}`);
  });

  it('is shared by the patch model (re-ranking sees the same pixels)', async () => {
    const [d, n] = await descriptors(buildMobileNetPatches({ source }), [day, night], MOBILENET_PATCHES.outputName);
    const cells = MOBILENET_PATCHES.cellsX * MOBILENET_PATCHES.cellsY;
    assert.ok(cosine(d, n) / cells > 0.999, `mean per-cell cos(day, night) ${cosine(d, n) / cells}`);
  });
});
