import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/core/errors.js';
import { loadPipelineConfig } from '../../src/pipeline/config.js';
import { RERANK_DEFAULTS } from '../../src/rerank/config.js';

const VALID = 'frontend: {kind: builtin-cnn}\nsequence: {kind: single}\nmatcher: {kind: seqslam}\n';

describe('the rerank section of a pipeline config', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-rerank-config-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const load = async (extra: string) => {
    const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, VALID + extra);
    return (await loadPipelineConfig(file)).config.rerank;
  };

  it('is off with documented defaults when absent, and on in config/default.yaml (not in config/no-rerank.yaml)', async () => {
    const r = await load('');
    assert.equal(r.enabled, false);
    assert.deepEqual({ ...r, enabled: undefined, providers: undefined }, { ...RERANK_DEFAULTS, enabled: undefined, providers: undefined });
    const shipped = (await loadPipelineConfig('config/default.yaml')).config.rerank;
    assert.equal(shipped.enabled, true);
    assert.equal((await loadPipelineConfig('config/no-rerank.yaml')).config.rerank.enabled, false);
    assert.equal(r.alongTrack.rows, 0, 'the along-track move is off unless asked for');
    assert.deepEqual(shipped.alongTrack, { rows: 4, columns: 4, minT: 2, confidenceRows: 1 });
  });

  it('refuses unknown keys, out-of-range values and a grid without a custom model', async () => {
    await assert.rejects(load('rerank: {enabled: true, candidate: 3}\n'), ConfigError);
    await assert.rejects(load('rerank: {weight: 1}\n'), /weight/);
    await assert.rejects(load('rerank: {patchSizes: []}\n'), ConfigError);
    await assert.rejects(load('rerank: {cellsX: 8, cellsY: 4}\n'), /custom model/);
    await assert.rejects(load('rerank: {alongTrack: {rows: -1}}\n'), /alongTrack/);
    await assert.rejects(load('rerank: {alongTrack: {rows: 2, colums: 4}}\n'), ConfigError);
    await assert.rejects(load('rerank: {alongTrack: {minT: -1}}\n'), /minT/);
  });
});
