import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ImageSource } from '../../src/core/types.js';
import { CachingFrameEncoder } from '../../src/encoders/caching.js';
import { PatchNormEncoder } from '../../src/encoders/patchnorm.js';
import { writePlacePng } from '../support/synthetic-images.js';

/** A real PatchNorm encoder that records every batch it is asked to encode. */
class CountingPatchNorm extends PatchNormEncoder {
  readonly batches: ImageSource[][] = [];
  override encode(images: readonly ImageSource[]): Promise<Float32Array[]> {
    this.batches.push([...images]);
    return super.encode(images);
  }
}

const pathsOf = (batch: ImageSource[]) => batch.map((im) => (im.kind === 'file' ? path.basename(im.path) : im.kind));

describe('CachingFrameEncoder', () => {
  let dir: string;
  const file = (name: string): ImageSource => ({ kind: 'file', path: path.join(dir, `${name}.png`) });
  /** Each image encoded alone, without the cache: the reference descriptors. */
  const reference = new Map<string, Float32Array>();

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-caching-test-'));
    const plain = new PatchNormEncoder();
    for (const [i, name] of ['a', 'b', 'c', 'd'].entries()) {
      await writePlacePng(path.join(dir, `${name}.png`), i);
      reference.set(name, (await plain.encode([file(name)]))[0]);
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('does not call the inner encoder for file paths it has seen', async () => {
    const inner = new CountingPatchNorm();
    const cached = new CachingFrameEncoder(inner);
    const first = await cached.encode([file('a'), file('b')]);
    const second = await cached.encode([file('b'), file('a')]);
    assert.deepEqual(inner.batches.map(pathsOf), [['a.png', 'b.png']], 'the second call is served from the cache');
    assert.deepEqual(second, [first[1], first[0]]);
    assert.deepEqual(first, [reference.get('a'), reference.get('b')]);
  });

  it('keeps the input order with mixed cached and uncached images', async () => {
    const inner = new CountingPatchNorm();
    const cached = new CachingFrameEncoder(inner);
    await cached.encode([file('a'), file('b')]);
    const out = await cached.encode([file('c'), file('a'), file('d'), file('b')]);
    assert.deepEqual(inner.batches.map(pathsOf), [['a.png', 'b.png'], ['c.png', 'd.png']], 'only the new ones are encoded');
    assert.deepEqual(out, ['c', 'a', 'd', 'b'].map((n) => reference.get(n)));
  });

  it('passes images that are not files straight through, every time', async () => {
    const inner = new CountingPatchNorm();
    const cached = new CachingFrameEncoder(inner);
    const bytes = await readFile(path.join(dir, 'c.png'));
    const compressed: ImageSource = { kind: 'compressed', format: 'png', data: new Uint8Array(bytes) };
    await cached.encode([file('a')]);
    const out1 = await cached.encode([compressed, file('a')]);
    const out2 = await cached.encode([compressed]);
    assert.deepEqual(inner.batches.map(pathsOf), [['a.png'], ['compressed'], ['compressed']]);
    assert.deepEqual(out1, [reference.get('c'), reference.get('a')]);
    assert.deepEqual(out2, [reference.get('c')]);
  });

  it('reports the inner encoder identity', () => {
    const inner = new PatchNormEncoder({ width: 16, height: 8 });
    const cached = new CachingFrameEncoder(inner);
    assert.deepEqual([cached.id, cached.hash, cached.dim, cached.provider], [inner.id, inner.hash, inner.dim, inner.provider]);
  });
});
