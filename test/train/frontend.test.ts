// The trained frontend: the closed form finds known discriminative directions, triplet training
// improves a poor start, the composed ONNX model computes the trainer's projection, and
// `seqvpr train frontend` runs end to end on made-up image folders.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { createFrameEncoder } from '../../src/encoders/factory.js';
import { createFrontend } from '../../src/pipeline/assemble.js';
import { loadPipelineConfig } from '../../src/pipeline/config.js';
import { composeProjection, fitDiscriminativeProjection, projectPair, reduceTrainingPair } from '../../src/train/frontend/discriminative.js';
import { cellSpace, expandPerCell, fitPerCellProjection } from '../../src/train/frontend/per-cell.js';
import { composeProjectedFrameModel, projectAndNormalize } from '../../src/train/frontend/projection.js';
import { sequenceRecall } from '../../src/train/seqnet/recall.js';
import { buildSequenceSet, type TraversalPair } from '../../src/train/seqnet/sequences.js';
import { DEFAULT_TRAIN_CONFIG, trainSeqNet } from '../../src/train/seqnet/trainer.js';
import { seededRandom } from '../encoders/onnx-fixtures.js';
import { runSeqvpr as seqvpr } from '../support/run-cli.js';
import { writeTrainingFixture } from '../support/training-fixture.js';

/**
 * Two traversals of `places` places in `dim` dimensions: the place signal lives in the first
 * `signal` coordinates (identical in both runs, small), every other coordinate is per-frame noise
 * that differs between the runs (large). Cosine matching on the raw vectors is mostly noise.
 */
function syntheticPair(places: number, dim: number, signal: number, noise: number, seed: number): TraversalPair {
  const rnd = seededRandom(seed);
  const gauss = (): number => {
    let s = 0;
    for (let i = 0; i < 12; i++) s += rnd();
    return s - 6;
  };
  const db = new DescriptorMatrix(places, dim);
  const query = new DescriptorMatrix(places, dim);
  for (let i = 0; i < places; i++) {
    for (let c = 0; c < signal; c++) {
      const v = gauss();
      db.data[i * dim + c] = v + 0.05 * gauss();
      query.data[i * dim + c] = v + 0.05 * gauss();
    }
    for (let c = signal; c < dim; c++) {
      db.data[i * dim + c] = noise * gauss();
      query.data[i * dim + c] = noise * gauss();
    }
  }
  return { db, query, dbRows: { start: 0, end: places }, queryRows: { start: 0, end: places }, positives: (q) => [q] };
}

/** Frame R@1 by cosine similarity, after `map` (default: the identity). */
function frameRecall1(pair: TraversalPair, map?: { weight: Float32Array; outputDim: number }): number {
  const dim = pair.db.dim;
  const identity = new Float32Array(dim * dim);
  for (let i = 0; i < dim; i++) identity[i * dim + i] = 1;
  const { weight, outputDim } = map ?? { weight: identity, outputDim: dim };
  const project = (m: DescriptorMatrix): DescriptorMatrix => projectAndNormalize({ inputDim: dim, outputDim, weight, name: 't', description: '' }, m);
  const db = project(pair.db);
  const q = project(pair.query);
  return sequenceRecall(db.data, q.data, db.dim, Array.from({ length: q.rows }, (_, i) => [i]), [1]).recall[1];
}

/**
 * Grid descriptors (channel-major: value (channel, cell) at channel * cells + cell) of two
 * traversals: in every cell the first `signal` channels carry the place (the same in both runs,
 * small), the others per-frame noise that differs between runs (large), as syntheticPair per cell.
 */
function syntheticGridPair(places: number, channels: number, cells: number, signal: number, noise: number, seed: number): TraversalPair {
  const flat = syntheticPair(places * cells, channels, signal, noise, seed); // row place * cells + cell
  const dim = channels * cells;
  const db = new DescriptorMatrix(places, dim);
  const query = new DescriptorMatrix(places, dim);
  for (let i = 0; i < places; i++) {
    for (let cell = 0; cell < cells; cell++) {
      for (let ch = 0; ch < channels; ch++) {
        db.data[i * dim + ch * cells + cell] = flat.db.data[(i * cells + cell) * channels + ch];
        query.data[i * dim + ch * cells + cell] = flat.query.data[(i * cells + cell) * channels + ch];
      }
    }
  }
  return { db, query, dbRows: { start: 0, end: places }, queryRows: { start: 0, end: places }, positives: (q) => [q] };
}

describe('trained frontend', function () {
  this.timeout(120000);

  it('per cell: one cell projection applied to every cell, channel-major in, cell-major out', () => {
    const layout = { channels: 3, cells: 2 };
    const head = Float32Array.from([1, 2, 3, 4, 5, 6]); // 2 outputs x 3 channels
    const p = expandPerCell(head, 2, layout);
    // x = (ch0 cell0, ch0 cell1, ch1 cell0, ch1 cell1, ch2 cell0, ch2 cell1)
    const x = new DescriptorMatrix(1, 6);
    x.data.set([1, 10, 2, 20, 3, 30]);
    const y = projectPair({ db: x, query: x, dbRows: { start: 0, end: 1 }, queryRows: { start: 0, end: 1 }, positives: () => [0] }, p, 4).db;
    assert.deepEqual(Array.from(y.data), [14, 32, 140, 320]); // cell 0: head (1,2,3); cell 1: head (10,20,30)
    // The training pair at cell level: a cell's positives are the same cell of the positive frames.
    const pair = syntheticGridPair(5, 3, 2, 1, 1, 9);
    const space = cellSpace({ ...pair, positives: (q) => [q, q + 1] }, layout);
    assert.equal(space.train.db.rows, 10);
    assert.deepEqual(space.train.positives(7), [7, 9]); // frame 3, cell 1 -> frames 3 and 4, cell 1
    assert.deepEqual(Array.from(space.train.query.row(7)), [0, 1, 2].map((ch) => pair.query.data[3 * 6 + ch * 2 + 1]));
  });

  it('per cell: from few places, it finds the place channels where a global projection cannot', () => {
    // 40 training places of a 16-cell grid of 12 channels (192-D): 40 pairs cannot pin down a
    // 192-D within-place scatter, 640 cell pairs pin down a 12-D one.
    const [channels, cells, signal] = [12, 16, 3];
    const train = syntheticGridPair(40, channels, cells, signal, 3, 5);
    const test = syntheticGridPair(150, channels, cells, signal, 3, 6);
    const perCell = fitPerCellProjection(train, { channels, cells }, { outputDimPerCell: signal, regularization: 0.01 });
    assert.equal(perCell.outputDim, signal * cells);
    const space = reduceTrainingPair(train, 39);
    const global = fitDiscriminativeProjection(space, { outputDim: 32, regularization: 0.01 });
    const raw = frameRecall1(test);
    const cellR1 = frameRecall1(test, { weight: perCell.projection, outputDim: perCell.outputDim });
    const globalR1 = frameRecall1(test, { weight: composeProjection(space, global.head), outputDim: global.outputDim });
    assert.ok(cellR1 > 0.9, `per-cell R@1 ${cellR1}`);
    assert.ok(cellR1 > globalR1 + 0.1 && cellR1 > raw + 0.1, `per-cell ${cellR1}, global ${globalR1}, raw ${raw}`);
  });

  it('closed form: the projection keeps the known place directions and drops the traversal noise', () => {
    const train = syntheticPair(300, 24, 4, 3, 1);
    const test = syntheticPair(200, 24, 4, 3, 2);
    const space = reduceTrainingPair(train, 24);
    const head = fitDiscriminativeProjection(space, { outputDim: 4, regularization: 0.01 });
    assert.equal(head.outputDim, 4);
    const fit = { outputDim: head.outputDim, weight: composeProjection(space, head.head) };
    // Energy of the projection's rows on the 4 signal coordinates vs the 20 noise ones.
    let onSignal = 0;
    let total = 0;
    for (let o = 0; o < 4; o++) {
      for (let c = 0; c < 24; c++) {
        const v = fit.weight[o * 24 + c] ** 2;
        total += v;
        if (c < 4) onSignal += v;
      }
    }
    assert.ok(onSignal / total > 0.95, `signal share ${onSignal / total}`);
    const before = frameRecall1(test);
    const after = frameRecall1(test, fit);
    assert.ok(before < 0.5, `raw R@1 ${before} should be poor`);
    assert.ok(after > 0.9, `projected R@1 ${after} (raw ${before})`);
  });

  it('gradient: triplet training from a poor linear start improves validation recall, bias held at zero', async () => {
    const train = syntheticPair(200, 12, 3, 2, 3);
    const val = syntheticPair(120, 12, 3, 2, 4);
    const trainSet = buildSequenceSet(train, 1, 1, 0);
    const valSet = buildSequenceSet(val, 1, 1, 0);
    const identity = new Float32Array(12 * 12);
    for (let i = 0; i < 12; i++) identity[i * 12 + i] = 1;
    const result = await trainSeqNet(
      trainSet,
      valSet,
      { ...DEFAULT_TRAIN_CONFIG, outputDim: 12, epochs: 6, init: 'frame-map', trainBias: false, selectBy: 'r1', optimizer: { kind: 'adam', lr: 0.02, momentum: 0.9, weightDecay: 0 } },
      {},
      identity,
    );
    const start = result.history[0].val.r1;
    assert.equal(start, frameRecall1(val), 'epoch 0 is exactly the given start');
    assert.ok(result.best.epoch > 0, 'a trained epoch is the best');
    assert.ok(result.best.record.val.r1 > start + 0.2, `val R@1 ${start} -> ${result.best.record.val.r1}`);
    assert.ok(result.best.params.bias.every((b) => b === 0));
  });

  describe('export and command line', () => {
    let dir: string;
    const p = (...parts: string[]): string => path.join(dir, ...parts);

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-frontend-'));
      await writeTrainingFixture(dir);
      await writeFile(p('base.yaml'), YAML.stringify({ name: 'base', frontend: { kind: 'onnx', manifest: 'pool.yaml' }, sequence: { kind: 'single' }, retrieval: { source: 'frame-votes', k: 5, perFrameK: 5 }, matcher: { kind: 'seqslam' }, windowLength: 5 }));
      await writeFile(p('patchnorm.yaml'), YAML.stringify({ frontend: { kind: 'patchnorm' }, sequence: { kind: 'single' }, matcher: { kind: 'seqslam' } }));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('the composed ONNX frame model outputs the trainer projection of the base model output', async () => {
      const rnd = seededRandom(7);
      const weight = Float32Array.from({ length: 6 * 32 }, () => rnd() * 2 - 1);
      const projection = { inputDim: 32, outputDim: 6, weight, name: 'test6', description: 'a test projection' };
      for (const centred of [true, false]) {
        const composed = await composeProjectedFrameModel(p('pool.yaml'), projection, p(`composed-${centred}`), centred);
        const base = await createFrameEncoder({ kind: 'onnx', manifest: p('pool.yaml') });
        const full = await createFrameEncoder({ kind: 'onnx', manifest: composed.manifestPath });
        try {
          const images = Array.from({ length: 5 }, (_, i) => ({ kind: 'file' as const, path: p('winter', `img-${String(i * 7).padStart(3, '0')}.png`) }));
          const x = DescriptorMatrix.fromRows(await base.encode(images));
          const y = await full.encode(images);
          assert.equal(full.dim, 6);
          const expected = projectAndNormalize(projection, x);
          for (let r = 0; r < y.length; r++) {
            // Without centring the encoder normalises; with it, the raw P x goes to the centring (which normalises).
            let n = 0;
            for (const v of y[r]) n += v * v;
            const scale = centred ? Math.sqrt(n) : 1;
            if (!centred) assert.ok(Math.abs(Math.sqrt(n) - 1) < 1e-5);
            for (let j = 0; j < 6; j++) assert.ok(Math.abs(y[r][j] / scale - expected.row(r)[j]) < 1e-5, `row ${r} col ${j}: ${y[r][j] / scale} vs ${expected.row(r)[j]}`);
          }
        } finally {
          await base.close();
          await full.close();
        }
      }
    });

    it('seqvpr train frontend: image folders in, a frontend and a loadable pipeline.yaml out', async () => {
      const r = await seqvpr(
        'train', 'frontend', '--db-images', p('summer'), '--query-images', p('winter'), '--gt', 'aligned:1', '--config', p('base.yaml'),
        '--pca-dims', '12', '--out-dims', '4,8', '--shrinkage', '0.1,1', '--epochs', '2', '--out', p('frontend'),
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /validation R@1 \(frames\): untrained \d\.\d{3}, closed form \d\.\d{3}, after training \d\.\d{3}/);
      const summary = JSON.parse(await readFile(p('frontend', 'training.json'), 'utf8'));
      assert.equal(summary.candidates.length, 4);
      assert.equal(summary.history.length, 3);
      const loaded = await loadPipelineConfig(p('frontend', 'pipeline.yaml'));
      assert.equal(loaded.config.frontend.kind, 'onnx');
      assert.equal(loaded.config.windowLength, 5, 'the rest of the base pipeline is kept');
      const frontend = await createFrontend(loaded);
      try {
        assert.equal(frontend.frameEncoder.dim, summary.chosen.outputDim);
        const [d] = await frontend.frameEncoder.encode([{ kind: 'file', path: p('summer', 'img-003.png') }]);
        assert.ok(d.every(Number.isFinite));
      } finally {
        await frontend.close();
      }
      // The map side can be built with the trained config.
      const build = await seqvpr('map', 'build', '--images', p('summer'), '--config', p('frontend', 'pipeline.yaml'), '--out', p('map'));
      assert.equal(build.code, 0, build.stderr);
    });

    it('seqvpr train frontend --grid-cells: per-cell candidates for an onnx frontend, and a cell count that does not divide the descriptor refused', async () => {
      const args = ['train', 'frontend', '--db-images', p('summer'), '--query-images', p('winter'), '--gt', 'aligned:1', '--config', p('base.yaml'), '--pca-dims', '12', '--out-dims', '4', '--shrinkage', '0.1'];
      const r = await seqvpr(...args, '--grid-cells', '8', '--cell-dims', '2,3', '--epochs', '1', '--out', p('frontend-cells'));
      assert.equal(r.code, 0, r.stderr);
      const summary = JSON.parse(await readFile(p('frontend-cells', 'training.json'), 'utf8'));
      assert.deepEqual(
        summary.candidates.map((c: { kind: string; outputDim: number }) => [c.kind, c.outputDim]),
        [['global', 4], ['per-cell', 16], ['per-cell', 24]],
      );
      // A per-cell choice ships its closed form (epoch 0 only); a global one trains its epoch.
      assert.equal(summary.history.length, summary.chosen.kind === 'per-cell' ? 1 : 2);
      const frontend = await createFrontend(await loadPipelineConfig(p('frontend-cells', 'pipeline.yaml')));
      try {
        assert.equal(frontend.frameEncoder.dim, summary.chosen.outputDim);
      } finally {
        await frontend.close();
      }
      const bad = await seqvpr(...args, '--grid-cells', '5', '--out', p('frontend-bad'));
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /--grid-cells 5 does not divide the 32-d descriptor/);
    });

    it('refuses a frontend without an ONNX graph, and descriptors from another config', async () => {
      const bad = await seqvpr('train', 'frontend', '--db-images', p('summer'), '--query-images', p('winter'), '--gt', 'aligned:1', '--config', p('patchnorm.yaml'), '--out', p('bad'));
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /patchnorm frontend, choose a config with builtin-cnn or onnx/);
      const mismatch = await seqvpr('train', 'frontend', '--db', p('frontend', 'descriptors', 'db.npy'), '--query', p('frontend', 'descriptors', 'query.npy'), '--gt', 'aligned:1', '--out', p('bad2'));
      assert.equal(mismatch.code, 1);
      assert.match(mismatch.stderr, /extract them with --config/);
      const neither = await seqvpr('train', 'frontend', '--query', p('x.npy'), '--gt', 'aligned:1', '--out', p('bad3'));
      assert.equal(neither.code, 1);
      assert.match(neither.stderr, /give either --db <file.npy> or --db-images <dir>/);
    });
  });
});

// Keep the helper honest: projecting a pair keeps rows and ground truth.
describe('projectPair', () => {
  it('maps both traversals and keeps the rest', () => {
    const pair = syntheticPair(5, 6, 2, 1, 9);
    const m = new Float32Array(2 * 6);
    m[0] = 1;
    m[6 + 1] = 1;
    const out = projectPair(pair, m, 2);
    assert.equal(out.db.dim, 2);
    assert.equal(out.query.rows, 5);
    assert.equal(out.db.data[2 * 2 + 1], pair.db.data[2 * 6 + 1]);
    assert.deepEqual(out.positives(3), [3]);
  });
});
