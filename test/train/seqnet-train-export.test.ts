import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { createSequenceEncoder } from '../../src/encoders/sequence/factory.js';
import { createFrontend } from '../../src/pipeline/assemble.js';
import { loadPipelineConfig } from '../../src/pipeline/config.js';
import { imageFolderFrames } from '../../src/sources/image-folder.js';
import { readDescriptorSet } from '../../src/train/descriptor-set.js';
import { extractDescriptors } from '../../src/train/extract.js';
import { loadSeqNetModel } from '../../src/train/seqnet/checkpoint.js';
import { exportSeqNet } from '../../src/train/seqnet/export.js';
import { encodeWindows, SeqNetWorkspace, windowFeatures } from '../../src/train/seqnet/model.js';
import { runSeqNetTraining, type SeqNetRunOptions } from '../../src/train/seqnet/run.js';
import { writePlacePng } from '../support/synthetic-images.js';

describe('SeqNet training run and ONNX export', function () {
  this.timeout(120000);
  let dir: string;
  let files: { db: string; query: string };
  const L = 4;
  const W = 2;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-seqnet-'));
    // Two traversals of 48 places; the query run is darker and noisy (a "season").
    for (const [run, light] of [['db', { gain: 1, offset: 0, noise: 6, noiseSeed: 1 }], ['query', { gain: 0.7, offset: 30, noise: 20, noiseSeed: 2 }]] as const) {
      await mkdir(path.join(dir, run));
      for (let i = 0; i < 48; i++) await writePlacePng(path.join(dir, run, `p-${String(i).padStart(2, '0')}.png`), i, 32, 16, { ...light, noiseSeed: light.noiseSeed * 100 + i });
    }
    const configFile = path.join(dir, 'extract.yaml');
    await writeFile(configFile, YAML.stringify({ frontend: { kind: 'patchnorm', width: 4, height: 4, patch: 2 }, sequence: { kind: 'single' }, matcher: { kind: 'seqslam' } }));
    const loaded = await loadPipelineConfig(configFile);
    files = { db: path.join(dir, 'db.npy'), query: path.join(dir, 'query.npy') };
    for (const run of ['db', 'query'] as const) {
      const frontend = await createFrontend(loaded);
      await extractDescriptors(imageFolderFrames(path.join(dir, run)), frontend, files[run], { source: run, configFile: loaded.file });
      await frontend.close();
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const options = (out: string): SeqNetRunOptions => ({
    db: files.db,
    query: files.query,
    gt: 'aligned:1',
    valFraction: 0.3,
    seqLength: L,
    kernel: W,
    outputDim: 6,
    out: path.join(dir, out),
    train: { epochs: 3, seed: 7, batchSize: 4, optimizer: { kind: 'adam', lr: 1e-2, momentum: 0.9, weightDecay: 0 } },
  });

  it('trains, keeps the best checkpoint and curves, and is deterministic for a seed', async () => {
    const a = await runSeqNetTraining(options('run-a'));
    const b = await runSeqNetTraining(options('run-b'));
    assert.equal(a.history.length, 4); // epoch 0 (initial model) + 3
    assert.ok(a.history[1].terms > 0 && a.history[1].queriesUsed > 0);
    assert.deepEqual(a.history.map((r) => [r.loss, r.val.r5]), b.history.map((r) => [r.loss, r.val.r5]));
    assert.deepEqual(a.best.params.weight, b.best.params.weight);
    // Validation is held out after a one-window gap: 48 frames -> train 0..32, val 37..47.
    assert.deepEqual(a.split.train.db, { start: 0, end: 33 });
    assert.deepEqual(a.split.val.db, { start: 37, end: 48 });
    for (const f of ['history.json', 'training.svg', 'best/flags.json', 'best/conv-weight.npy', 'best/conv-bias.npy']) assert.ok(existsSync(path.join(a.outDir, f)), f);
    assert.match(await readFile(path.join(a.outDir, 'training.svg'), 'utf8'), /^<svg[^>]*>.*validation recall/s);
    const loaded = await loadSeqNetModel(a.outDir);
    assert.deepEqual(loaded.params.weight, a.best.params.weight);
    assert.equal(loaded.flags.best.epoch, a.best.epoch);
    assert.match(loaded.flags.frameEncoder!.id, /^patchnorm-4x4.*ema-centering/);
  });

  it('the exported ONNX sequence encoder equals the trainer forward pass and loads in a pipeline', async () => {
    const run = await runSeqNetTraining({ ...options('run-export'), train: { ...options('x').train, init: 'random', epochs: 1 } });
    const out = path.join(dir, 'export');
    const exported = await exportSeqNet({ model: run.outDir, out });
    assert.ok(exported.notes.some((n) => n.startsWith('checked:')), exported.notes.join('\n'));
    const encoder = await createSequenceEncoder({ kind: 'onnx', manifest: exported.manifestPath }, { frameDim: 16 });
    try {
      assert.deepEqual([encoder.length, encoder.inputDim, encoder.outputDim], [L, 16, 6]);
      const frames = (await readDescriptorSet(files.query)).matrix;
      const ends = Array.from({ length: frames.rows - L + 1 }, (_, i) => i + L - 1);
      const windows = ends.map((e) => Array.from({ length: L }, (_, t) => frames.row(e - L + 1 + t)));
      const onnx = DescriptorMatrix.fromRows(await encoder.encode(windows));
      const js = encodeWindows(run.best.params, windowFeatures(frames, ends, L, W), ends.length, new SeqNetWorkspace());
      let maxDiff = 0;
      js.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - onnx.data[i]))));
      assert.ok(maxDiff < 1e-5, `max abs diff ${maxDiff}`);
    } finally {
      await encoder.close();
    }
    // The example config assembles (frontend of the training descriptors + the exported encoder).
    const config = await loadPipelineConfig(exported.configPath);
    assert.deepEqual([config.config.sequence.kind, config.config.retrieval.source, config.config.matcher.kind], ['onnx', 'sequence', 'seqslam']);
    const frontend = await createFrontend(config);
    assert.equal(frontend.sequenceEncoder?.outputDim, 6);
    await frontend.close();
  });
});
