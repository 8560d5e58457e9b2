// The combined built-in model (frame model + patch model merged, the backbone once) gives what the
// two models give on their own, on the main thread and in the worker, and is refused once stale.
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { ImageSource } from '../../src/core/types.js';
import { ModelError } from '../../src/core/errors.js';
import { backboneGraph, MOBILENET_BLOCK10 } from '../../src/encoders/builtin/mobilenet-block10.js';
import { readNsfwjsMobileNetV2 } from '../../src/encoders/builtin/nsfwjs-model.js';
import { MOBILENET_PATCHES, MOBILENET_WITH_PATCHES } from '../../src/encoders/builtin/patch-model-spec.js';
import { BUILTIN_CNN_MANIFEST, BUILTIN_CNN_WITH_PATCHES_MANIFEST, createFrameEncoder } from '../../src/encoders/factory.js';
import { OnnxFrameEncoder } from '../../src/encoders/onnx-frame-encoder.js';
import { OnnxFramePatchEncoder } from '../../src/encoders/onnx-frame-patch-encoder.js';
import { yieldsPatches, type FrameEncoder } from '../../src/encoders/types.js';
import { loadPipelineConfig } from '../../src/pipeline/config.js';
import { createFrontend } from '../../src/pipeline/assemble.js';
import { BUILTIN_PATCH_MANIFEST } from '../../src/rerank/assemble.js';
import { mulberry32 } from '../support/random-unit-vectors.js';

/** Images unlike each other (noise over a gradient), at two sizes, so the resize runs too. */
function images(): ImageSource[] {
  return [64, 160, 64, 96].map((width, k) => {
    const height = width / 2;
    const rand = mulberry32(100 + k);
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.floor(((i / 3) % width) * (255 / width) * 0.5 + rand() * 128));
    return { kind: 'raw', width, height, encoding: 'rgb8', step: width * 3, isBigEndian: false, data };
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Tolerance for "the same output": onnxruntime may order float sums differently per graph (measured: 0, identical). */
const TOLERANCE = 1e-6;

describe('the combined frame + patch model', function () {
  this.timeout(120_000);
  let frame: FrameEncoder;
  let patches: FrameEncoder;
  let combined: OnnxFramePatchEncoder;

  before(async () => {
    frame = await OnnxFrameEncoder.load(BUILTIN_CNN_MANIFEST);
    patches = await OnnxFrameEncoder.load(BUILTIN_PATCH_MANIFEST);
    combined = await OnnxFramePatchEncoder.load(BUILTIN_CNN_WITH_PATCHES_MANIFEST);
  });
  after(async () => {
    await Promise.all([frame?.close(), patches?.close(), combined?.close()]);
  });

  it('outputs the frame model\'s descriptors and the patch model\'s grids, under their identities', async () => {
    const input = images();
    const [d, p, both] = [await frame.encode(input), await patches.encode(input), await combined.encodeWithPatches(input)];
    both.forEach((b, i) => {
      assert.ok(maxAbsDiff(b.descriptor, d[i]) <= TOLERANCE, `descriptor ${i}: ${maxAbsDiff(b.descriptor, d[i])}`);
      assert.ok(maxAbsDiff(b.patches!, p[i]) <= TOLERANCE, `patch grid ${i}: ${maxAbsDiff(b.patches!, p[i])}`);
    });
    assert.deepEqual([combined.id, combined.hash, combined.dim], [frame.id, frame.hash, frame.dim], 'maps see the frame model');
    assert.deepEqual(combined.patchModel, { id: patches.id, hash: patches.hash, dim: patches.dim }, 'maps see the patch model');
    assert.ok(yieldsPatches(combined) && !yieldsPatches(frame));
  });

  it('runs the backbone once: its convolutions are in the merged model once, each head\'s as in its own model', async () => {
    const convs = (nodes: { opType?: string | null }[]) => nodes.filter((n) => n.opType === 'Conv').length;
    const inFile = async (file: string) => convs(onnxProto.onnx.ModelProto.decode(await readFile(path.join('models', file))).graph!.node!);
    const { g, features } = backboneGraph('backbone', '', readNsfwjsMobileNetV2());
    g.output(features, 'float32', ['batch', 96, 'h', 'w']);
    const backbone = convs(g.toModel().graph!.node!);
    const [f, p, c] = [await inFile(MOBILENET_BLOCK10.file), await inFile(MOBILENET_PATCHES.file), await inFile(MOBILENET_WITH_PATCHES.file)];
    assert.ok(backbone > 10 && f >= backbone && p >= backbone, `backbone ${backbone}, frame ${f}, patches ${p}`);
    assert.equal(c, f + p - backbone);
  });

  it('is refused once either model changed since it was built', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-combined-'));
    try {
      for (const spec of [MOBILENET_BLOCK10, MOBILENET_PATCHES, MOBILENET_WITH_PATCHES]) {
        await copyFile(path.join('models', spec.file), path.join(dir, spec.file));
        await copyFile(path.join('models', spec.manifestFile), path.join(dir, spec.manifestFile));
      }
      const manifest = path.join(dir, MOBILENET_WITH_PATCHES.manifestFile);
      await OnnxFramePatchEncoder.load(manifest).then((e) => e.close());
      const patchManifest = path.join(dir, MOBILENET_PATCHES.manifestFile);
      await writeFile(patchManifest, (await readFile(patchManifest, 'utf8')).replace('dim: 4096', 'dim: 2048'));
      await assert.rejects(OnnxFramePatchEncoder.load(manifest), (e: unknown) => e instanceof ModelError && /another version of mobilenetv2-block10-patches\.yaml/.test(e.message));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('in the worker thread: the same descriptors and grids as on the main thread', async () => {
    const worker = await createFrameEncoder({ kind: 'builtin-cnn' }, { thread: 'worker', withPatches: true });
    try {
      assert.ok(yieldsPatches(worker));
      assert.deepEqual(worker.patchModel, combined.patchModel);
      const input = images();
      const [there, here] = [await worker.encodeWithPatches(input), await combined.encodeWithPatches(input)];
      assert.deepEqual(there, here);
      assert.deepEqual(await worker.encode(input), here.map((h) => h.descriptor));
    } finally {
      await worker.close();
    }
  });

  it('a front end with re-ranking takes the grids from the frame encoder\'s run (main thread and worker)', async () => {
    const loaded = await loadPipelineConfig('config/default.yaml');
    for (const encoderThread of ['main', 'worker'] as const) {
      const frontend = await createFrontend(loaded, { encoderThread });
      try {
        assert.ok(frontend.patchEncoder?.withFrame, encoderThread);
        assert.deepEqual(frontend.identity.patches?.encoder, { id: patches.id, hash: patches.hash });
        // Callers that want grids alone (benches) get the patch model's through the view.
        const input = images();
        const grids = await frontend.patchEncoder!.encoder.encode(input);
        (await patches.encode(input)).forEach((g, i) => assert.ok(maxAbsDiff(grids[i], g) <= TOLERANCE));
      } finally {
        await frontend.close();
      }
    }
  });
});
