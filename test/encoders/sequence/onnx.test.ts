import assert from 'node:assert/strict';
import { ConfigError, DescriptorError, ModelError } from '../../../src/core/errors.js';
import { createSequenceEncoder } from '../../../src/encoders/sequence/factory.js';
import { OnnxSequenceEncoder } from '../../../src/encoders/sequence/onnx.js';
import { ModelFolder, seededRandom, seqnetModel } from '../onnx-fixtures.js';

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6): void => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
};

describe('OnnxSequenceEncoder (SeqNet-like model)', () => {
  const L = 5;
  const D = 6;
  const O = 4;
  const W = 3;
  const rand = seededRandom(7);
  const weight = Float32Array.from({ length: O * D * W }, rand); // [O, D, W]
  const bias = Float32Array.from({ length: O }, rand);
  const windows = Array.from({ length: 7 }, () => Array.from({ length: L }, () => Float32Array.from({ length: D }, rand)));

  /** Plain-JS SeqNet: y_t = b + sum_k W[:, :, k] x_{t+k}, s = mean_t y_t, norm(s). */
  function reference(window: Float32Array[]): number[] {
    const s = new Array(O).fill(0);
    const steps = L - W + 1;
    for (let t = 0; t < steps; t++) {
      for (let o = 0; o < O; o++) {
        let y = bias[o];
        for (let k = 0; k < W; k++) for (let c = 0; c < D; c++) y += weight[(o * D + c) * W + k] * window[t + k][c];
        s[o] += y / steps;
      }
    }
    const n = Math.hypot(...s);
    return s.map((v) => v / n);
  }

  let models: ModelFolder;
  let manifestPath: string;
  before(async () => {
    models = await ModelFolder.create();
    manifestPath = await models.write('seqnet', seqnetModel(L, D, weight, bias, W), {
      kind: 'sequence-encoder', name: 'seqnet-test', input: { name: 'x', length: L, dim: D }, output: { name: 'y', dim: O },
    });
  });
  after(async () => {
    await models.remove();
  });

  it('matches a plain-JS forward pass, in batches', async () => {
    const enc = await OnnxSequenceEncoder.load(manifestPath, { maxBatch: 3 });
    try {
      assert.deepEqual([enc.id, enc.length, enc.inputDim, enc.outputDim, enc.provider], ['onnx:seqnet-test', L, D, O, 'cpu']);
      const out = await enc.encode(windows);
      assert.equal(out.length, windows.length);
      out.forEach((d, i) => close(d, reference(windows[i]), 1e-5));
      // Different windows give different descriptors (the test would not notice a constant output otherwise).
      assert.ok(Math.abs(out[0][0] - out[1][0]) > 1e-3);
    } finally {
      await enc.close();
    }
  });

  it('rejects windows that do not fit the model', async () => {
    const enc = await OnnxSequenceEncoder.load(manifestPath);
    try {
      await assert.rejects(enc.encode([windows[0].slice(1)]), DescriptorError);
    } finally {
      await enc.close();
    }
  });

  it('is built by the factory and checked against the frame dimension and configured length', async () => {
    const enc = await createSequenceEncoder({ kind: 'onnx', manifest: 'seqnet.yaml', length: L }, { frameDim: D, baseDir: models.dir });
    close((await enc.encode([windows[2]]))[0], reference(windows[2]), 1e-5);
    await enc.close();
    await assert.rejects(createSequenceEncoder({ kind: 'onnx', manifest: manifestPath }, { frameDim: D + 1 }), (e: Error) =>
      e instanceof ModelError && /takes 6-d frame descriptors, the frame encoder gives 7-d/.test(e.message));
    await assert.rejects(createSequenceEncoder({ kind: 'onnx', manifest: manifestPath, length: 10 }, { frameDim: D }), (e: Error) =>
      e instanceof ConfigError && /length: 10 differs from the model's window length 5/.test(e.message));
  });

  it('rejects a manifest whose input length disagrees with the model', async () => {
    const p = await models.write('seqnet-badlen', seqnetModel(L, D, weight, bias, W), {
      kind: 'sequence-encoder', name: 'bad', input: { name: 'x', length: L + 1, dim: D }, output: { name: 'y', dim: O },
    });
    await assert.rejects(OnnxSequenceEncoder.load(p), (e: Error) => e instanceof ModelError && /shape \[batch, 5, 6\], the manifest describes \[batch, 6, 6\]/.test(e.message));
  });
});
