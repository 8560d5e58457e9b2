// `seqvpr train patches`: a projection learned for the built-in patch model. The model it writes
// must be exactly the unprojected cells model followed by the learned projection; the trainer must
// find the place channels of a synthetic grid, choose on validation and write a pipeline that loads
// and runs the frame model and the learned patch model in one run.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import YAML from 'yaml';
import { ConfigError } from '../../src/core/errors.js';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { packageRoot } from '../../src/core/package-root.js';
import { MOBILENET_BLOCK10 } from '../../src/encoders/builtin/mobilenet-block10.js';
import { buildMobileNetPatches } from '../../src/encoders/builtin/mobilenet-patches.js';
import { readNsfwjsMobileNetV2 } from '../../src/encoders/builtin/nsfwjs-model.js';
import { MOBILENET_PATCHES } from '../../src/encoders/builtin/patch-model-spec.js';
import { createFrameEncoder } from '../../src/encoders/factory.js';
import { OnnxFrameEncoder } from '../../src/encoders/onnx-frame-encoder.js';
import { yieldsPatches } from '../../src/encoders/types.js';
import { createFrontend, type Frontend } from '../../src/pipeline/assemble.js';
import { loadPipelineConfig } from '../../src/pipeline/config.js';
import { writeNpyMatrix } from '../../src/train/npy.js';
import { runPatchTraining } from '../../src/train/patches.js';
import { seededUniform } from '../encoders/builtin/tensor-helpers.js';
import { seededRandom } from '../encoders/onnx-fixtures.js';
import { runSeqvpr } from '../support/run-cli.js';

const CHANNELS = MOBILENET_BLOCK10.featureChannels;
const CELLS = MOBILENET_PATCHES.cellsX * MOBILENET_PATCHES.cellsY;

async function run(bytes: Uint8Array, image: Float32Array): Promise<Float32Array> {
  const { width: W, height: H } = MOBILENET_BLOCK10;
  const session = await ort.InferenceSession.create(bytes);
  const out = (await session.run({ image: new ort.Tensor('float32', image, [1, 3, H, W]) }))[MOBILENET_PATCHES.outputName];
  await session.release();
  return out.data as Float32Array;
}

/**
 * Two traversals of `places` frames as patch grids (cell-major, CELLS x CHANNELS): in every cell
 * the first `signal` channels carry the place (the same in both runs, small), the rest per-frame
 * noise that differs between runs (large).
 */
function cellTraversals(places: number, signal: number, seed: number): { db: DescriptorMatrix; query: DescriptorMatrix } {
  const noise = seededRandom(seed); // uniform in [-1, 1)
  const dim = CELLS * CHANNELS;
  const db = new DescriptorMatrix(places, dim);
  const query = new DescriptorMatrix(places, dim);
  for (let i = 0; i < places; i++) {
    for (let cell = 0; cell < CELLS; cell++) {
      for (let ch = 0; ch < CHANNELS; ch++) {
        const at = i * dim + cell * CHANNELS + ch;
        const place = ch < signal ? noise() : 0;
        db.data[at] = place + (ch < signal ? 0.05 : 3) * noise();
        query.data[at] = place + (ch < signal ? 0.05 : 3) * noise();
      }
    }
  }
  return { db, query };
}

/** Runs `check` on the front end a pipeline config assembles, then closes it. */
async function withFrontend(configFile: string, check: (frontend: Frontend) => void): Promise<void> {
  const frontend = await createFrontend(await loadPipelineConfig(configFile));
  try {
    check(frontend);
  } finally {
    await frontend.close();
  }
}

describe('train patches', function () {
  this.timeout(120000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-patches-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the learned patch model is the unprojected cells followed by the projection, normalised per cell', async () => {
    const source = readNsfwjsMobileNetV2();
    const k = 4;
    const head = seededUniform(k * CHANNELS, 3);
    const image = Float32Array.from(seededUniform(3 * MOBILENET_BLOCK10.width * MOBILENET_BLOCK10.height, 5), (v) => (v + 1) / 2);
    const cells = await run(buildMobileNetPatches({ source, dim: CHANNELS }), image);
    const learned = await run(buildMobileNetPatches({ source, learned: head }), image);
    assert.equal(learned.length, CELLS * k);
    for (const cell of [0, 17, CELLS - 1]) {
      const projected = Array.from({ length: k }, (_, o) => head.subarray(o * CHANNELS, (o + 1) * CHANNELS).reduce((s, w, ch) => s + w * cells[cell * CHANNELS + ch], 0));
      const norm = Math.hypot(...projected);
      projected.forEach((v, o) => assert.ok(Math.abs(v / norm - learned[cell * k + o]) < 1e-4, `cell ${cell} value ${o}`));
    }
  });

  it('learns the place channels, chooses on validation and writes a patch model and a pipeline that loads', async () => {
    const { db, query } = cellTraversals(50, 3, 11);
    await writeNpyMatrix(path.join(dir, 'db.npy'), db);
    await writeNpyMatrix(path.join(dir, 'query.npy'), query);
    const out = path.join(dir, 'out');
    const result = await runPatchTraining({ db: path.join(dir, 'db.npy'), query: path.join(dir, 'query.npy'), gt: 'aligned:0', out, cellDims: [3, 8], regularizations: [0.01] });
    assert.equal(result.candidates.length, 2);
    assert.ok(result.chosen.val.r1 > 0.9 && result.chosen.val.r1 > result.baseline.r1 + 0.3, `learned ${result.chosen.val.r1}, fixed ${result.baseline.r1}`);
    const manifest = YAML.parse(await readFile(result.manifestPath, 'utf8'));
    assert.equal(manifest.output.dim, CELLS * result.chosen.cellDim);
    assert.match(manifest.description, /learned projection/);
    const loaded = await loadPipelineConfig(result.configPath);
    assert.equal(loaded.config.rerank.enabled, true);
    assert.equal(path.resolve(path.dirname(loaded.file), loaded.config.rerank.model!), result.manifestPath);
    assert.equal(JSON.parse(await readFile(path.join(out, 'training.json'), 'utf8')).chosen.cellDim, result.chosen.cellDim);

    // One run per frame gives both outputs: the built-in frame model's descriptor (same identity,
    // so maps stay comparable) and the learned patch model's grid, as the two models give them.
    const frontend = await createFrontend(loaded);
    const builtin = await createFrameEncoder({ kind: 'builtin-cnn' });
    const separate = await OnnxFrameEncoder.load(result.manifestPath);
    try {
      assert.equal(frontend.patchEncoder?.withFrame, true);
      assert.ok(yieldsPatches(frontend.frameEncoder));
      assert.equal(frontend.frameEncoder.hash, builtin.hash);
      assert.equal(frontend.identity.patches?.encoder.hash, separate.hash);
      const image = { kind: 'raw' as const, width: 64, height: 32, encoding: 'rgb8', step: 192, isBigEndian: false, data: Uint8Array.from(seededUniform(64 * 32 * 3, 8), (v) => Math.round((v + 1) * 127)) };
      const [both] = await frontend.frameEncoder.encodeWithPatches([image]);
      const [descriptor] = await builtin.encode([image]);
      const [grid] = await separate.encode([image]);
      assert.ok(both.descriptor.every((v, i) => Math.abs(v - descriptor[i]) < 1e-5), 'descriptor');
      assert.ok(both.patches!.every((v, i) => Math.abs(v - grid[i]) < 1e-5), 'patch grid');
    } finally {
      await Promise.all([frontend.close(), builtin.close(), separate.close()]);
    }
    // The folder is self-contained (every model file it names is in it): moved elsewhere (to the robot), it loads the same models.
    const combined = YAML.parse(await readFile(path.join(out, 'frame-with-patches.yaml'), 'utf8'));
    for (const named of [combined.model, combined.frame.manifest, combined.patches.manifest]) assert.equal(path.basename(named), named, `${named} lies in the folder`);
    const moved = path.join(dir, 'moved');
    await rename(out, moved);
    await withFrontend(path.join(moved, 'pipeline.yaml'), (again) => {
      assert.equal(again.patchEncoder?.withFrame, true);
      assert.equal(again.frameEncoder.hash, frontend.frameEncoder.hash);
      assert.equal(again.identity.patches?.encoder.hash, frontend.identity.patches?.encoder.hash);
    });
  });

  it('keeps another frontend, its manifest named so that it still loads from the output folder', async () => {
    const { db, query } = cellTraversals(30, 3, 13);
    await writeNpyMatrix(path.join(dir, 'o-db.npy'), db);
    await writeNpyMatrix(path.join(dir, 'o-query.npy'), query);
    const frameManifest = path.join(packageRoot(), 'models', MOBILENET_BLOCK10.manifestFile);
    const base = YAML.parse(await readFile(path.join(packageRoot(), 'config', 'default.yaml'), 'utf8'));
    const configFile = path.join(dir, 'own-frontend.yaml');
    await writeFile(configFile, YAML.stringify({ ...base, frontend: { kind: 'onnx', manifest: path.relative(dir, frameManifest) } }));
    const result = await runPatchTraining({ db: path.join(dir, 'o-db.npy'), query: path.join(dir, 'o-query.npy'), gt: 'aligned:0', out: path.join(dir, 'o-out'), config: configFile, cellDims: [3], regularizations: [0.01] });
    const loaded = await loadPipelineConfig(result.configPath);
    assert.equal(loaded.config.frontend.kind, 'onnx');
    assert.equal(loaded.config.frontend.kind === 'onnx' && loaded.config.frontend.manifest, frameManifest);
    await withFrontend(result.configPath, (frontend) => assert.equal(frontend.patchEncoder?.withFrame, false, 'the learned patch model runs on its own'));
  });

  it('runs from the command line and says what it chose against the fixed projection', async () => {
    const { db, query } = cellTraversals(30, 3, 12);
    await writeNpyMatrix(path.join(dir, 'cli-db.npy'), db);
    await writeNpyMatrix(path.join(dir, 'cli-query.npy'), query);
    const out = path.join(dir, 'cli-out');
    const r = await runSeqvpr('train', 'patches', '--db', path.join(dir, 'cli-db.npy'), '--query', path.join(dir, 'cli-query.npy'), '--gt', 'aligned:0', '--cell-dims', '3', '--shrinkage', '0.01', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /validation R@1 \(frames, patch grids\): fixed projection [01]\.\d{3}, learned [01]\.\d{3} \(3 per cell, shrinkage 0\.01\)/);
    assert.match(r.stdout, /config: .*pipeline\.yaml/);
  });

  it('refuses descriptors that are not the patch cells, and a pipeline without re-ranking', async () => {
    const other = new DescriptorMatrix(10, 3072);
    await writeNpyMatrix(path.join(dir, 'frames.npy'), other);
    const frames = path.join(dir, 'frames.npy');
    await assert.rejects(runPatchTraining({ db: frames, query: frames, gt: 'aligned:0', out: path.join(dir, 'x') }), (e: Error) => e instanceof ConfigError && /patch-cells\.yaml/.test(e.message));
    await assert.rejects(
      runPatchTraining({ db: frames, query: frames, gt: 'aligned:0', out: path.join(dir, 'x'), config: path.join(packageRoot(), 'config', 'no-rerank.yaml') }),
      (e: Error) => e instanceof ConfigError && /rerank\.enabled/.test(e.message),
    );
  });
});
