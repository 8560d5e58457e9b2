import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/core/errors.js';
import { loadPipelineConfig } from '../../src/pipeline/config.js';

const CONFIG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../config');

/** The smallest complete config; cases below add one bad line to it. */
const VALID = 'frontend: {kind: patchnorm}\nsequence: {kind: single}\nmatcher: {kind: seqslam}\n';

describe('loadPipelineConfig', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-config-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(name: string, text: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, text);
    return file;
  }

  /** Expects a ConfigError whose message names the file and matches every pattern. */
  async function assertConfigError(file: string, ...patterns: RegExp[]): Promise<void> {
    await assert.rejects(loadPipelineConfig(file), (e: unknown) => {
      assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
      assert.ok(e.message.includes(file), `message names the file: ${e.message}`);
      for (const p of patterns) assert.match(e.message, p);
      return true;
    });
  }

  it('parses every shipped pipeline config file', async () => {
    // *.params.yaml are ROS parameter files (test/ros checks them against the declared parameters).
    const files = (await readdir(CONFIG_DIR)).filter((f) => f.endsWith('.yaml') && !f.endsWith('.params.yaml'));
    assert.ok(files.length >= 1, `no .yaml files in ${CONFIG_DIR}`);
    for (const f of files) {
      const loaded = await loadPipelineConfig(path.join(CONFIG_DIR, f));
      assert.equal(loaded.file, path.join(CONFIG_DIR, f));
      assert.ok(loaded.text.length > 0);
      assert.ok(loaded.config.windowLength >= 1, f);
    }
  });

  it('loads the built-in default without a path', async () => {
    const loaded = await loadPipelineConfig();
    assert.equal(loaded.file, path.join(CONFIG_DIR, 'default.yaml'));
  });

  it('fills defaults into a minimal config', async () => {
    const { config } = await loadPipelineConfig(await write('minimal.yaml', VALID));
    assert.equal(config.windowLength, 10);
    assert.equal(config.centering.enabled, true);
    assert.equal(config.retrieval.k, 10);
    assert.equal(config.encodeBatch, 16);
  });

  it('names an unknown top-level key', async () => {
    await assertConfigError(await write('unknown.yaml', `${VALID}bogus: 1\n`), /bogus/);
  });

  it('names an unknown nested key and its section', async () => {
    await assertConfigError(await write('unknown-nested.yaml', `${VALID}retrieval: {k: 5, perFramek: 2}\n`), /retrieval/, /perFramek/);
  });

  it('names an out-of-range value by its key path', async () => {
    await assertConfigError(await write('range.yaml', `${VALID}centering: {minChange: 3}\n`), /centering\.minChange/);
    await assertConfigError(await write('window.yaml', `${VALID}windowLength: 0\n`), /windowLength/);
    await assertConfigError(await write('kind.yaml', VALID.replace('seqslam', 'seqslamm')), /matcher/);
  });

  it('reports invalid YAML with the file and the line', async () => {
    await assertConfigError(await write('broken.yaml', 'frontend: [kind: patchnorm\nsequence: {kind: single}\n'), /not valid YAML/, /line 2/);
    await assertConfigError(await write('duplicate.yaml', `${VALID}windowLength: 5\nwindowLength: 6\n`), /not valid YAML/, /unique/);
  });

  it('rejects an empty file and a missing file', async () => {
    await assertConfigError(await write('empty.yaml', ''), /expected object/);
    await assertConfigError(path.join(dir, 'missing.yaml'), /cannot read/);
  });
});
