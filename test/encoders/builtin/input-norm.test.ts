import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder } from '../../../src/onnx/builder.js';
import { appendInputNorm, type InputNormOptions } from '../../../src/encoders/builtin/input-norm.js';
import { seededUniform } from './tensor-helpers.js';

const TARGET = { targetMean: 0.45, targetStd: 0.225, minStd: 0.02, minMean: 0.02 };

async function normalise(options: InputNormOptions, data: Float32Array, dims: number[]): Promise<Float32Array> {
  const g = new OnnxGraphBuilder('norm');
  g.input('x', 'float32', ['n', 3, 'h', 'w']);
  const out = appendInputNorm(g, 'x', options);
  g.node('Identity', [out], ['y']);
  g.output('y', 'float32', ['n', 3, 'h', 'w']);
  const session = await ort.InferenceSession.create(g.toBytes());
  const { y } = await session.run({ x: new ort.Tensor('float32', data, dims) });
  await session.release();
  return y.data as Float32Array;
}

function stats(v: ArrayLike<number>, from = 0, to = v.length): { mean: number; std: number } {
  let s = 0;
  for (let i = from; i < to; i++) s += v[i];
  const mean = s / (to - from);
  let q = 0;
  for (let i = from; i < to; i++) q += (v[i] - mean) ** 2;
  return { mean, std: Math.sqrt(q / (to - from)) };
}

/** A 3 x 4 x 6 "daylight" image in [0.1, 0.9]. */
const DAY = Float32Array.from(seededUniform(72, 5), (v) => 0.5 + 0.4 * v);

describe('appendInputNorm', () => {
  it('maps every image to the target brightness and contrast (image mode)', async () => {
    const out = await normalise({ mode: 'image', ...TARGET }, DAY, [1, 3, 4, 6]);
    const { mean, std } = stats(out);
    assert.ok(Math.abs(mean - 0.45) < 1e-5, `mean ${mean}`);
    assert.ok(Math.abs(std - 0.225) < 1e-5, `std ${std}`);
  });

  it('gives a night version of an image (a fifth of the light, plus an offset) the day image\'s pixels', async () => {
    const night = Float32Array.from(DAY, (v) => 0.2 * v + 0.01);
    const both = new Float32Array(144);
    both.set(DAY);
    both.set(night, 72);
    const out = await normalise({ mode: 'image', ...TARGET }, both, [2, 3, 4, 6]);
    for (let i = 0; i < 72; i++) assert.ok(Math.abs(out[i] - out[72 + i]) < 1e-5, `pixel ${i}: ${out[i]} vs ${out[72 + i]}`);
  });

  it('keeps colour ratios in image mode and removes a tint in channel mode', async () => {
    // The night image is tinted: blue gets twice the gain of red and green.
    const tinted = Float32Array.from(DAY, (v, i) => (i >= 48 ? 0.4 : 0.2) * v);
    const image = await normalise({ mode: 'image', ...TARGET }, tinted, [1, 3, 4, 6]);
    const channel = await normalise({ mode: 'channel', ...TARGET }, tinted, [1, 3, 4, 6]);
    const day = await normalise({ mode: 'channel', ...TARGET }, DAY, [1, 3, 4, 6]);
    for (let i = 0; i < 72; i++) assert.ok(Math.abs(channel[i] - day[i]) < 1e-5);
    assert.ok(stats(image, 48, 72).std > 1.5 * stats(image, 0, 24).std, 'image mode keeps the blue channel\'s larger contrast');
  });

  it('caps the gain on a flat image (no division by zero, no blown-up noise)', async () => {
    const flat = Float32Array.from(seededUniform(72, 9), (v) => 0.1 + 0.001 * v); // std ~0.0006
    const out = await normalise({ mode: 'image', ...TARGET }, flat, [1, 3, 4, 6]);
    const { mean, std } = stats(out);
    assert.ok(Number.isFinite(mean) && Math.abs(mean - 0.45) < 1e-5);
    assert.ok(std < 0.225 * (0.001 / 0.02), `gain capped at targetStd / minStd: std ${std}`);
  });

  it('is the identity in mode none', async () => {
    const out = await normalise({ mode: 'none', ...TARGET }, DAY, [1, 3, 4, 6]);
    assert.deepEqual(Array.from(out), Array.from(DAY));
  });

  it('gain mode brings the mean to the target and keeps ratios between pixels (no contrast stretch)', async () => {
    const night = Float32Array.from(DAY, (v) => 0.2 * v);
    const out = await normalise({ mode: 'gain', ...TARGET }, night, [1, 3, 4, 6]);
    assert.ok(Math.abs(stats(out).mean - 0.45) < 1e-5);
    const k = out[0] / DAY[0];
    for (let i = 0; i < 72; i++) assert.ok(Math.abs(out[i] - k * DAY[i]) < 1e-5, `pixel ${i}`);
  });

  it('a binomial blur pass cuts white pixel noise and keeps a flat image flat', async () => {
    const noise = Float32Array.from(seededUniform(3 * 32 * 32, 11), (v) => 0.5 + 0.1 * v);
    const blurred = await normalise({ mode: 'none', ...TARGET, blurPasses: 1 }, noise, [1, 3, 32, 32]);
    // Interior pixels: white noise std x 0.375 (sum of squared weights of [1 2 1]^2 / 16 is 36/256).
    const inner: number[] = [];
    for (let y = 1; y < 31; y++) for (let x = 1; x < 31; x++) inner.push(blurred[y * 32 + x]);
    const ratio = stats(inner).std / stats(noise, 0, 1024).std;
    assert.ok(ratio > 0.3 && ratio < 0.45, `noise std ratio ${ratio}`);
    const flat = await normalise({ mode: 'none', ...TARGET, blurPasses: 2 }, new Float32Array(3 * 8 * 8).fill(0.3), [1, 3, 8, 8]);
    for (const v of flat) assert.ok(Math.abs(v - 0.3) < 1e-6, 'edges replicated: no dark border');
  });
});
