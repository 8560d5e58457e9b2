import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/core/errors.js';
import { BUILTIN_CNN_MANIFEST, createFrameEncoder, frameManifestPath } from '../../src/encoders/factory.js';
import { packageRoot } from '../../src/core/package-root.js';
import { flattenModel, ModelFolder } from './onnx-fixtures.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('createFrameEncoder', () => {
  it('builds patchnorm with defaults and with parameters', async () => {
    assert.equal((await createFrameEncoder({ kind: 'patchnorm' })).id, 'patchnorm-32x16-p8');
    const enc = await createFrameEncoder({ kind: 'patchnorm', width: 16, height: 8, patch: 4 });
    assert.deepEqual([enc.id, enc.dim], ['patchnorm-16x8-p4', 128]);
  });

  it('loads an onnx manifest relative to baseDir with the configured providers', async () => {
    const models = await ModelFolder.create();
    try {
      await models.write('flat', flattenModel(3, 2, 2), {
        kind: 'frame-encoder', name: 'flat', input: { name: 'x', width: 2, height: 2 }, output: { name: 'y', dim: 12 },
      });
      const warnings: string[] = [];
      const enc = await createFrameEncoder(
        { kind: 'onnx', manifest: 'flat.yaml', providers: ['cuda', 'cpu'], intraOpThreads: 1 },
        { baseDir: models.dir, warn: (m) => warnings.push(m) },
      );
      assert.deepEqual([enc.id, enc.dim], ['onnx:flat', 12]);
      assert.equal(warnings.length, enc.provider === 'cpu' ? 1 : 0);
      await enc.close();
    } finally {
      await models.remove();
    }
  });

  it('resolves builtin-cnn to models/mobilenetv2-block10.yaml under the package root', () => {
    assert.equal(packageRoot(), REPO_ROOT);
    assert.equal(frameManifestPath({ kind: 'builtin-cnn' }), path.join(REPO_ROOT, BUILTIN_CNN_MANIFEST));
    assert.equal(BUILTIN_CNN_MANIFEST, 'models/mobilenetv2-block10.yaml');
  });

  it('names the offending key of a bad config', async () => {
    await assert.rejects(createFrameEncoder({ kind: 'patchnorm', patch: 1 }), (e: Error) =>
      e instanceof ConfigError && /^frame encoder config: patch: /.test(e.message));
    await assert.rejects(createFrameEncoder({ kind: 'onnx', manifest: 'm.yaml', providers: ['gpu' as 'cpu'] }), (e: Error) =>
      e instanceof ConfigError && /^frame encoder config: providers\.0: /.test(e.message));
    await assert.rejects(createFrameEncoder({ kind: 'onnx' } as never), /frame encoder config: manifest: /);
  });
});
