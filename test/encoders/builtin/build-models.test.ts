import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { buildBuiltinModels } from '../../../src/encoders/builtin/build-models.js';
import { MOBILENET_BLOCK10, buildStamp } from '../../../src/encoders/builtin/mobilenet-block10.js';
import { nsfwjsPackageVersion } from '../../../src/encoders/builtin/nsfwjs-model.js';

describe('buildBuiltinModels', () => {
  let dir: string;
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);
  const modelPath = () => path.join(dir, MOBILENET_BLOCK10.file);
  const manifestPath = () => path.join(dir, MOBILENET_BLOCK10.manifestFile);

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-build-models-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the model and a manifest that records its source, converter and model hash', async () => {
    await buildBuiltinModels(path.join(dir), { log });
    const manifest = YAML.parse(await readFile(manifestPath(), 'utf8'));
    assert.equal(manifest.model, MOBILENET_BLOCK10.file);
    assert.match(manifest.description, new RegExp(`build: ${buildStamp({ packageVersion: nsfwjsPackageVersion() })} sha256: [0-9a-f]{64}`));
    assert.ok((await stat(modelPath())).size > 1e6);
  });

  it('skips the work when the files are up to date', async () => {
    const before = (await stat(modelPath())).mtimeMs;
    logs.length = 0;
    await buildBuiltinModels(dir, { log });
    assert.match(logs.join('\n'), /up to date/);
    assert.equal((await stat(modelPath())).mtimeMs, before);
  });

  it('rebuilds a damaged model and a manifest edited by hand', async () => {
    const original = await readFile(modelPath());
    await appendFile(modelPath(), 'junk');
    logs.length = 0;
    await buildBuiltinModels(dir, { log });
    assert.match(logs.join('\n'), /wrote/);
    assert.deepEqual(await readFile(modelPath()), original); // deterministic bytes

    await writeFile(manifestPath(), (await readFile(manifestPath(), 'utf8')).replace('width: 256', 'width: 512'));
    logs.length = 0;
    await buildBuiltinModels(dir, { log });
    assert.match(logs.join('\n'), /wrote/);
    assert.match(await readFile(manifestPath(), 'utf8'), /width: 256/);
  });
});
