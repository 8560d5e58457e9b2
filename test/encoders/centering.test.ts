import assert from 'node:assert/strict';
import { DescriptorError } from '../../src/core/errors.js';
import { centeringConfigSchema, EmaCentering } from '../../src/encoders/centering.js';

const v = (...xs: number[]) => Float32Array.from(xs);
/** Unit 2-D vector at `angle` radians. */
const at = (angle: number) => v(Math.cos(angle), Math.sin(angle));

/** (x - mean) / |x - mean|, the expected output for a known mean. */
function centred(x: Float32Array, mean: number[]): number[] {
  const d = Array.from(x, (xi, i) => xi - mean[i]);
  const n = Math.hypot(...d);
  return d.map((di) => di / n);
}

function assertClose(actual: Float32Array, expected: number[], message?: string): void {
  assert.equal(actual.length, expected.length, message);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) < 1e-6, `${message ?? ''} [${i}]: ${a} vs ${expected[i]}`));
}

const config = (overrides: object = {}) => centeringConfigSchema.parse({ windowFrames: 3, minChange: 0.05, ...overrides });

describe('EmaCentering', () => {
  it('gives a zero vector for the first frame (the mean is the frame itself)', () => {
    const c = new EmaCentering(config());
    assertClose(c.apply(v(0.6, 0.8)), [0, 0]);
  });

  it('uses the cumulative average for the first frames, then an EMA with the window horizon', () => {
    const c = new EmaCentering(config({ windowFrames: 3 }));
    const frames = [v(1, 0), v(0, 1), v(-1, 0), v(0, -1), v(1, 0)];
    // Means after each frame, by hand: cumulative (1/1, 1/2, 1/3), then EMA with rate 1/3.
    const means = [
      [1, 0],
      [0.5, 0.5], // (1,0)+(0,1) over 2
      [0, 1 / 3], // (1,0)+(0,1)+(-1,0) over 3
      [0, 1 / 3 + (-1 - 1 / 3) / 3], // EMA: m += (x - m) / 3 -> (0, -1/9); a cumulative average would give (0, 0)
      [1 / 3, -1 / 9 + (0 + 1 / 9) / 3], // (1/3, -2/27)
    ];
    assertClose(c.apply(frames[0]), [0, 0], 'frame 0');
    for (let i = 1; i < frames.length; i++) assertClose(c.apply(frames[i]), centred(frames[i], means[i]), `frame ${i}`);
  });

  it('returns a new unit vector and leaves the input untouched', () => {
    const c = new EmaCentering(config());
    c.apply(v(1, 0));
    const x = v(0, 1);
    const out = c.apply(x);
    assert.notEqual(out, x);
    assertClose(x, [0, 1]);
    assert.ok(Math.abs(Math.hypot(...out) - 1) < 1e-6);
  });

  // Note: the second update can never be told apart by its output alone (x - m' is parallel to x - m
  // for any rate), so these tests check the frame after it.
  it('does not update the mean during a long stop', () => {
    const c = new EmaCentering(config({ windowFrames: 200, minChange: 0.05 }));
    c.apply(at(0));
    // 100 frames within cosine distance 1 - cos(0.1) = 0.005 of the first: the robot stands still.
    for (let i = 0; i < 100; i++) c.apply(at(0.1));
    c.apply(at(Math.PI / 2)); // moving again: the second update
    // Third update: the mean is the plain average of the three moving frames, no trace of the stop.
    const x = at(Math.PI);
    assertClose(c.apply(x), centred(x, [0, 1 / 3]));
  });

  it('compares with the last frame that updated the mean, so a slow drift still counts as moving', () => {
    // Each step of 0.2 rad is a cosine distance of 0.0199, below minChange 0.045; 0.4 rad (0.079) is above.
    const c = new EmaCentering(config({ windowFrames: 200, minChange: 1 - Math.cos(0.3) }));
    c.apply(at(0));
    c.apply(at(0.2)); // too close to at(0): no update
    c.apply(at(0.4)); // 0.4 rad from the last update: updates although only 0.2 rad from the previous frame
    const x = at(Math.PI);
    const mean = [(1 + Math.cos(0.4) - 1) / 3, Math.sin(0.4) / 3];
    assertClose(c.apply(x), centred(x, mean));
  });

  it('returns the input unchanged when disabled', () => {
    const c = new EmaCentering(config({ enabled: false }));
    const x = v(0.6, 0.8);
    assert.equal(c.apply(x), x);
    assert.equal(c.apply(x), x);
    assertClose(x, [0.6, 0.8]);
  });

  it('rejects a descriptor of another dimension', () => {
    const c = new EmaCentering(config());
    c.apply(v(1, 0));
    assert.throws(() => c.apply(v(1, 0, 0)), (e: unknown) => e instanceof DescriptorError && /3 values.*2/.test(e.message));
  });

  it('starts afresh after reset()', () => {
    const c = new EmaCentering(config());
    c.apply(v(1, 0));
    c.apply(v(0, 1));
    c.reset();
    assertClose(c.apply(v(0, 1)), [0, 0], 'first frame after reset');
    c.apply(v(1, 0));
    assertClose(c.apply(v(-1, 0)), centred(v(-1, 0), [0, 1 / 3]), 'third frame after reset: mean of the new frames only');
    c.reset();
    assertClose(c.apply(v(0, 0, 1)), [0, 0, 0], 'another dimension is fine after reset');
  });
});
