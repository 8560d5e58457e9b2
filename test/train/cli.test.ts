// The training commands end to end through commander, as `seqvpr` runs them, on synthetic images
// and a tiny ONNX frame model.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { readDescriptorSet } from '../../src/train/descriptor-set.js';
import { runSeqvpr as seqvpr } from '../support/run-cli.js';
import { writeTrainingFixture } from '../support/training-fixture.js';


describe('seqvpr extract / pca / train seqnet / export', function () {
  this.timeout(120000);
  let dir: string;
  const p = (...parts: string[]): string => path.join(dir, ...parts);

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-train-cli-'));
    await writeTrainingFixture(dir);
    await writeFile(p('base.yaml'), YAML.stringify({ frontend: { kind: 'onnx', manifest: 'pool.yaml' }, sequence: { kind: 'single' }, matcher: { kind: 'seqslam' } }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the whole workflow: extract, fit, compose, re-extract, train, export', async () => {
    for (const run of ['summer', 'winter']) {
      const r = await seqvpr('extract', '--images', p(run), '--config', p('base.yaml'), '--out', p(`${run}.npy`));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /40 descriptors of 32 values \(onnx:pool\+ema-centering/);
    }
    const fit = await seqvpr('pca', 'fit', '--in', p('summer.npy'), '--in', p('winter.npy'), '--rows', '0:30', '--dims', '8', '--whiten', '--out', p('pca'));
    assert.equal(fit.code, 0, fit.stderr);
    assert.match(fit.stdout, /PCA 32 -> 8 \(whitened\) from 60 descriptors/);
    const apply = await seqvpr('pca', 'apply', '--pca', p('pca'), '--in', p('summer.npy'), '--out', p('summer-pca.npy'));
    assert.equal(apply.code, 0, apply.stderr);
    assert.equal((await readDescriptorSet(p('summer-pca.npy'))).sidecar?.projection?.name, 'pca8w');
    const compose = await seqvpr('pca', 'compose', '--pca', p('pca'), '--frame-manifest', p('pool.yaml'), '--out', p('front'));
    assert.equal(compose.code, 0, compose.stderr);
    assert.ok(existsSync(p('front', 'pool-pca8w.onnx')) && existsSync(p('front', 'pipeline.yaml')));
    for (const run of ['summer', 'winter']) {
      const r = await seqvpr('extract', '--images', p(run), '--config', p('front', 'pipeline.yaml'), '--out', p(`${run}8.npy`));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /40 descriptors of 8 values \(onnx:pool-pca8w\+ema-centering/);
    }
    const train = await seqvpr('train', 'seqnet', '--db', p('summer8.npy'), '--query', p('winter8.npy'), '--gt', 'aligned:1', '--seq-len', '4', '--kernel', '2', '--out-dims', '8', '--epochs', '2', '--lr', '1e-2', '--pca', p('pca'), '--out', p('model'));
    assert.equal(train.code, 0, train.stderr);
    assert.match(train.stderr, /epoch {3}2\/2: loss/);
    assert.match(train.stdout, /best epoch \d: val R@1 [\d.]+ R@5 [\d.]+ .* triplets\/s/);
    const exp = await seqvpr('export', '--model', p('model'), '--pca', p('pca'), '--frame-manifest', p('pool.yaml'), '--out', p('export'));
    assert.equal(exp.code, 0, exp.stderr);
    assert.match(exp.stderr, /checked: the pipeline's frame descriptors \(onnx:pool-pca8w\+ema-centering\(w=200,min=0\.05\)\) are the ones the model was trained on/);
    const config = YAML.parse(await readFile(p('export', 'pipeline.yaml'), 'utf8'));
    assert.deepEqual(config.frontend, { kind: 'onnx', manifest: 'pool-pca8w.yaml' });
    assert.deepEqual(config.sequence, { kind: 'onnx', manifest: 'seqnet-l4-w2-d8.yaml' });
  });

  it('bad input: one line on stderr, exit code 1, nothing written', async () => {
    const r = await seqvpr('train', 'seqnet', '--db', p('summer.npy'), '--query', p('winter.npy'), '--gt', 'aligned:1', '--seq-len', '3', '--kernel', '5', '--out-dims', '8', '--out', p('bad'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^seqvpr: SeqNet --kernel 5 is longer than the window \(--seq-len 3\)/);
    assert.equal(existsSync(p('bad')), false);
    const missing = await seqvpr('pca', 'fit', '--in', p('nope.npy'), '--dims', '4', '--out', p('pca-bad'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read .*nope\.npy/);
    const range = await seqvpr('extract', '--images', p('summer'), '--range', '9:3', '--out', p('x.npy'));
    assert.equal(range.code, 1);
    assert.match(range.stderr, /END must be larger than START/);
  });
});
