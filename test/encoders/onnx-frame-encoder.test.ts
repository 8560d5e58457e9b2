import assert from 'node:assert/strict';
import path from 'node:path';
import { DescriptorError, ImageDecodeError, ModelError } from '../../src/core/errors.js';
import type { RawImage } from '../../src/core/types.js';
import { norm } from '../../src/core/vector.js';
import { OnnxFrameEncoder } from '../../src/encoders/onnx-frame-encoder.js';
import { flattenModel, ModelFolder } from './onnx-fixtures.js';

/** 2x2 RGB image whose bytes are base, base+1, ..., base+11. */
const image = (base: number): RawImage => ({
  kind: 'raw', width: 2, height: 2, encoding: 'rgb8', step: 6, isBigEndian: false,
  data: Uint8Array.from({ length: 12 }, (_, i) => base + i),
});
/** What the flatten model returns for image(base) with scale 1, mean 0, std 1, NCHW: R plane, G, B. */
const expected = (base: number): number[] => [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11].map((i) => base + i);

const manifest = (extra: Record<string, unknown> = {}, output: Record<string, unknown> = {}) => ({
  kind: 'frame-encoder',
  name: 'flat',
  input: { name: 'x', width: 2, height: 2, scale: 1 },
  output: { name: 'y', dim: 12, ...output },
  ...extra,
});

describe('OnnxFrameEncoder', () => {
  let models: ModelFolder;
  const quiet = { warn: (m: string) => assert.fail(`unexpected warning: ${m}`) };
  before(async () => {
    models = await ModelFolder.create();
  });
  after(async () => {
    await models.remove();
  });

  it('preprocesses, runs and returns one descriptor per image, split into maxBatch batches', async () => {
    const enc = await OnnxFrameEncoder.load(await models.write('flat', flattenModel(3, 2, 2), manifest({ maxBatch: 2 })), quiet);
    try {
      assert.equal(enc.id, 'onnx:flat');
      assert.equal(enc.dim, 12);
      assert.equal(enc.provider, 'cpu');
      assert.match(enc.hash, /^[0-9a-f]{64}$/);
      const out = await enc.encode([10, 20, 30, 40, 50].map(image));
      assert.deepEqual(out.map((d) => Array.from(d)), [10, 20, 30, 40, 50].map(expected));
      assert.deepEqual(await enc.encode([]), []);
    } finally {
      await enc.close();
    }
  });

  it('reports its decode and preprocess time, summed over the batches, when given a timing sink', async () => {
    const enc = await OnnxFrameEncoder.load(await models.write('timed', flattenModel(3, 2, 2), manifest({ maxBatch: 2 })), quiet);
    try {
      const timing: { decode?: number; preprocess?: number } = { decode: 1000 };
      await enc.encode([1, 2, 3].map(image), timing);
      assert.ok(timing.decode! > 1000, 'added to what was there');
      assert.ok(timing.preprocess! >= 0);
    } finally {
      await enc.close();
    }
  });

  it('pads the last batch for a model with a fixed batch size', async () => {
    const enc = await OnnxFrameEncoder.load(await models.write('fixed3', flattenModel(3, 2, 2, { batch: 3, outDim: 12 }), manifest()), quiet);
    try {
      const out = await enc.encode([1, 2, 3, 4].map(image));
      assert.deepEqual(out.map((d) => Array.from(d)), [1, 2, 3, 4].map(expected));
    } finally {
      await enc.close();
    }
  });

  it('L2-normalises when the manifest asks', async () => {
    const enc = await OnnxFrameEncoder.load(await models.write('flatnorm', flattenModel(3, 2, 2), manifest({}, { l2Normalize: true })), quiet);
    try {
      const [d] = await enc.encode([image(3)]);
      const e = expected(3);
      const n = Math.hypot(...e);
      e.forEach((v, i) => assert.ok(Math.abs(d[i] - v / n) < 1e-6));
      assert.ok(Math.abs(norm(d) - 1) < 1e-6);
    } finally {
      await enc.close();
    }
  });

  it('rejects a model whose output size differs from the manifest dim (at run time and at load)', async () => {
    const dynamic = await OnnxFrameEncoder.load(await models.write('wrongdim', flattenModel(3, 2, 2, { dynamicSize: true }), manifest({}, { dim: 5 })), quiet);
    try {
      await assert.rejects(dynamic.encode([image(0)]), (e: Error) =>
        e instanceof ModelError && /model outputs 12 values per image, manifest says 5/.test(e.message));
    } finally {
      await dynamic.close();
    }
    const staticPath = await models.write('wrongdim-static', flattenModel(3, 2, 2, { outDim: 12 }), manifest({}, { dim: 5 }));
    await assert.rejects(OnnxFrameEncoder.load(staticPath, quiet), /model outputs 12 values per image, manifest says 5/);
  });

  it('rejects unknown input/output names and an input shape that disagrees with the manifest', async () => {
    const bytes = flattenModel(3, 2, 2);
    await assert.rejects(OnnxFrameEncoder.load(await models.write('badin', bytes, manifest({ input: { name: 'images', width: 2, height: 2 } })), quiet), (e: Error) =>
      e instanceof ModelError && /has no input "images" \(it has: x\)/.test(e.message));
    await assert.rejects(OnnxFrameEncoder.load(await models.write('badout', bytes, manifest({}, { name: 'desc' })), quiet), /has no output "desc" \(it has: y\)/);
    const wrongSize = manifest({ input: { name: 'x', width: 4, height: 2 } });
    await assert.rejects(OnnxFrameEncoder.load(await models.write('badshape', bytes, wrongSize), quiet), (e: Error) =>
      e instanceof ModelError && /input "x" has shape \[batch, 3, 2, 2\], the manifest describes \[batch, 3, 2, 4\]/.test(e.message));
  });

  it('rejects a missing model file and invalid ONNX bytes with ModelError', async () => {
    const missing = await models.write('missing', undefined, manifest());
    await assert.rejects(OnnxFrameEncoder.load(missing, quiet), (e: Error) => e instanceof ModelError && /missing\.onnx .* is missing/.test(e.message));
    const garbage = await models.write('garbage', Uint8Array.of(1, 2, 3, 4, 5), manifest());
    await assert.rejects(OnnxFrameEncoder.load(garbage, quiet), (e: Error) => e instanceof ModelError && /cannot load ONNX model .*garbage\.onnx/.test(e.message));
    await assert.rejects(OnnxFrameEncoder.load(path.join(models.dir, 'nope.yaml'), quiet), ModelError);
  });

  it('turns NaN/Infinity outputs into DescriptorError', async () => {
    const enc = await OnnxFrameEncoder.load(await models.write('log', flattenModel(3, 2, 2, { log: true }), manifest()), quiet);
    try {
      // log(0) = -Infinity for the zero pixel of image(0); image(1) is all positive.
      await enc.encode([image(1)]);
      await assert.rejects(enc.encode([image(1), image(0)]), (e: Error) =>
        e instanceof DescriptorError && /NaN or Infinity for image 1/.test(e.message));
    } finally {
      await enc.close();
    }
  });

  it('reports corrupt images as ImageDecodeError', async () => {
    const enc = await OnnxFrameEncoder.load(await models.write('flat2', flattenModel(3, 2, 2), manifest()), quiet);
    try {
      await assert.rejects(enc.encode([{ kind: 'compressed', format: 'jpeg', data: Uint8Array.of(0xff, 0xd8, 0xff, 0, 0) }]), ImageDecodeError);
    } finally {
      await enc.close();
    }
  });

  it('falls back from an unavailable GPU provider to cpu with exactly one warning', async () => {
    const warnings: string[] = [];
    const enc = await OnnxFrameEncoder.load(await models.write('gpu', flattenModel(3, 2, 2), manifest({ maxBatch: 1 })), {
      providers: ['cuda', 'cpu'],
      intraOpThreads: 1,
      warn: (m) => warnings.push(m),
    });
    try {
      await enc.encode([1, 2, 3].map(image)); // three batches: still one warning
      if (enc.provider === 'cuda') {
        assert.equal(warnings.length, 0, 'CUDA is available here, so there is nothing to fall back from');
      } else {
        assert.equal(enc.provider, 'cpu');
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], /execution provider cuda \(.*\) unavailable for .*gpu\.onnx; running on cpu/);
      }
    } finally {
      await enc.close();
    }
  });

  it('refuses to load a manifest whose mean does not fit the channels', async () => {
    const p = await models.write('badmean', flattenModel(1, 2, 2), manifest({ input: { name: 'x', width: 2, height: 2, channels: 'gray', mean: [0.1, 0.2, 0.3] } }, { dim: 4 }));
    await assert.rejects(OnnxFrameEncoder.load(p, quiet), (e: Error) => e instanceof ModelError && /mean \[0.1, 0.2, 0.3\] does not fit gray input/.test(e.message));
  });
});
