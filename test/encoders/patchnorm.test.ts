import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import type { RawImage } from '../../src/core/types.js';
import { norm } from '../../src/core/vector.js';
import { PatchNormEncoder, patchNormalize } from '../../src/encoders/patchnorm.js';

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
};

const mono8 = (width: number, height: number, value: (x: number, y: number) => number): RawImage => ({
  kind: 'raw', width, height, encoding: 'mono8', step: width, isBigEndian: false,
  data: Uint8Array.from({ length: width * height }, (_, i) => value(i % width, Math.floor(i / width))),
});

describe('patchNormalize', () => {
  it('turns constant patches into zeros, not NaN', () => {
    const out = patchNormalize(new Array(32).fill(77), 8, 4, 2);
    assert.deepEqual(Array.from(out), new Array(32).fill(0));
  });

  it('normalises each patch of a gradient to zero mean, unit std', () => {
    // 4x2, patch 2. Left patch 0,2 / 1,3: mean 1.5, std sqrt(1.25); right patch 4,6 / 5,7: the same shape.
    const s = Math.sqrt(1.25);
    const a = -1.5 / s;
    const b = 0.5 / s;
    close(patchNormalize([0, 2, 4, 6, 1, 3, 5, 7], 4, 2, 2), [a, b, a, b, -b, -a, -b, -a]);
  });

  it('is invariant to brightness and contrast per patch', () => {
    const img = [3, 9, 1, 4, 200, 100, 0, 50];
    const brighter = img.map((v, i) => (i % 4 < 2 ? 2 * v + 10 : 0.5 * v + 3));
    close(patchNormalize(brighter, 4, 2, 2), patchNormalize(img, 4, 2, 2));
  });

  it('handles edge patches smaller than P', () => {
    // 3x1 with patch 2: [0, 2] -> [-1, 1]; the 1-pixel edge patch is constant -> 0.
    close(patchNormalize([0, 2, 9], 3, 1, 2), [-1, 1, 0]);
  });
});

describe('PatchNormEncoder', () => {
  it('has a parameterised id, dim, js provider and a deterministic hash', () => {
    const a = new PatchNormEncoder();
    assert.equal(a.id, 'patchnorm-32x16-p8');
    assert.equal(a.dim, 512);
    assert.equal(a.provider, 'js');
    assert.equal(a.hash, new PatchNormEncoder({ width: 32, height: 16, patch: 8 }).hash);
    assert.notEqual(a.hash, new PatchNormEncoder({ patch: 4 }).hash);
    assert.equal(new PatchNormEncoder({ width: 64, height: 32, patch: 16 }).id, 'patchnorm-64x32-p16');
  });

  it('encodes a horizontal ramp to the known unit vector', async () => {
    // 32x16 (no resize) with value 8x: inside every 8x8 patch the values are 8k + const, k = x mod 8,
    // so each pixel becomes (k - 3.5) / std(0..7); 8 unit-variance patches of 64 px have norm sqrt(512).
    const std07 = Math.sqrt(5.25);
    const [d] = await new PatchNormEncoder().encode([mono8(32, 16, (x) => 8 * x)]);
    const expected = Array.from({ length: 512 }, (_, i) => ((i % 32) % 8 - 3.5) / std07 / Math.sqrt(512));
    close(d, expected);
    assert.ok(Math.abs(norm(d) - 1) < 1e-5);
  });

  it('gives a finite zero descriptor for a constant image', async () => {
    const [d] = await new PatchNormEncoder().encode([mono8(64, 32, () => 128)]);
    assert.equal(d.length, 512);
    assert.ok(d.every((v) => v === 0));
  });

  it('resizes larger images and returns one descriptor per image, in order', async () => {
    const ramp = mono8(64, 32, (x) => 4 * x);
    const flat = mono8(64, 32, () => 10);
    const out = await new PatchNormEncoder({ width: 16, height: 8, patch: 4 }).encode([ramp, flat, ramp]);
    assert.equal(out.length, 3);
    assert.equal(out[0].length, 128);
    assert.ok(Math.abs(norm(out[0]) - 1) < 1e-5);
    assert.ok(out[1].every((v) => v === 0));
    assert.deepEqual(out[2], out[0]);
  });

  it('rejects bad parameters with ConfigError', () => {
    assert.throws(() => new PatchNormEncoder({ width: 0 }), ConfigError);
    assert.throws(() => new PatchNormEncoder({ patch: 1 }), ConfigError);
    assert.throws(() => new PatchNormEncoder({ height: 2.5 }), ConfigError);
  });
});
