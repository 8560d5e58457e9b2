import assert from 'node:assert/strict';
import { ConfigError, DescriptorError } from '../../../src/core/errors.js';
import { SingleFrameSequenceEncoder } from '../../../src/encoders/sequence/single.js';
import { createDeltaEncoder, createSmoothingEncoder, deltaWeights } from '../../../src/encoders/sequence/weighted.js';

const f32 = (...v: number[]): Float32Array => Float32Array.from(v);
const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6): void => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
};
const S = Math.SQRT1_2;

describe('weight-free sequence encoders', () => {
  it('smoothing returns norm(mean_t x_t)', async () => {
    const enc = createSmoothingEncoder(3, 2);
    assert.equal(enc.id, 'smoothing-l3');
    const [a, b] = await enc.encode([
      [f32(1, 0), f32(0, 1), f32(1, 1)], // mean (2/3, 2/3)
      [f32(3, 0), f32(0, 0), f32(0, 0)], // mean (1, 0)
    ]);
    close(a, [S, S]);
    close(b, [1, 0]);
  });

  it('delta weighs the early half -2/L and the rest +2/L', async () => {
    close(deltaWeights(5), [-0.4, -0.4, 0.4, 0.4, 0.4]);
    close(deltaWeights(4), [-0.5, -0.5, 0.5, 0.5]);
    // L=4: -0.5(1,0) - 0.5(1,0) + 0.5(0,1) + 0.5(0,1) = (-1, 1)
    const [d4] = await createDeltaEncoder(4, 2).encode([[f32(1, 0), f32(1, 0), f32(0, 1), f32(0, 1)]]);
    close(d4, [-S, S]);
    // L=3: weights (-2/3, 2/3, 2/3); a constant window gives (2/3)(1, 2) -> (1, 2)/sqrt(5)
    const [d3] = await createDeltaEncoder(3, 2).encode([[f32(1, 2), f32(1, 2), f32(1, 2)]]);
    close(d3, [1 / Math.sqrt(5), 2 / Math.sqrt(5)]);
    // A window that does not change gives a zero delta for even L: finite zeros, no NaN.
    const [flat] = await createDeltaEncoder(4, 2).encode([[f32(1, 2), f32(1, 2), f32(1, 2), f32(1, 2)]]);
    close(flat, [0, 0]);
  });

  it('single returns the newest frame, normalised', async () => {
    const enc = new SingleFrameSequenceEncoder(2, 3);
    const [d] = await enc.encode([[f32(9, 9), f32(5, 5), f32(3, 4)]]);
    close(d, [0.6, 0.8]);
    assert.equal(new SingleFrameSequenceEncoder(2).length, 1);
  });

  it('rejects windows of the wrong length or dimension, and lengths below 2', async () => {
    const enc = createSmoothingEncoder(2, 3);
    await assert.rejects(enc.encode([[f32(1, 2, 3)]]), (e: Error) => e instanceof DescriptorError && /window 0 has 1 frame descriptors, the encoder needs 2/.test(e.message));
    await assert.rejects(enc.encode([[f32(1, 2, 3), f32(1, 2)]]), /frame descriptor 1 of window 0 has 2 values, the sequence encoder expects 3/);
    assert.throws(() => createDeltaEncoder(1, 3), ConfigError);
    assert.throws(() => createSmoothingEncoder(4, 0), ConfigError);
  });

  it('hashes change with the kind and the length', () => {
    const hashes = new Set([createSmoothingEncoder(3, 4).hash, createSmoothingEncoder(4, 4).hash, createDeltaEncoder(3, 4).hash]);
    assert.equal(hashes.size, 3);
    assert.equal(createDeltaEncoder(3, 4).hash, createDeltaEncoder(3, 4).hash);
  });
});
