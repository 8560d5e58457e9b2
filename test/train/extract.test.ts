import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { Frame, ImageSource } from '../../src/core/types.js';
import { createFrameEncoder } from '../../src/encoders/factory.js';
import { createFrontend } from '../../src/pipeline/assemble.js';
import { buildMap } from '../../src/pipeline/build-map.js';
import { pipelineConfigSchema } from '../../src/pipeline/config.js';
import { imageFolderFrames } from '../../src/sources/image-folder.js';
import { readDescriptorSet } from '../../src/train/descriptor-set.js';
import { extractDescriptors, frameRange, parseRange } from '../../src/train/extract.js';
import { ResumableFrameEncoder } from '../../src/train/resumable-encoder.js';
import { DelegatingFrameEncoder } from '../../src/encoders/delegating.js';
import { writePlacePng } from '../support/synthetic-images.js';

/** Counts the images its inner encoder really encodes. */
class CountingEncoder extends DelegatingFrameEncoder {
  encoded = 0;
  async encode(images: readonly ImageSource[]): Promise<Float32Array[]> {
    this.encoded += images.length;
    return this.inner.encode(images);
  }
}

describe('seqvpr extract (descriptors as a map stores them)', () => {
  let dir: string;
  let images: string;
  const raw = { name: 't', frontend: { kind: 'patchnorm', width: 16, height: 8, patch: 4 }, sequence: { kind: 'single' }, matcher: { kind: 'seqslam' }, encodeBatch: 4 };
  const loaded = () => ({ config: pipelineConfigSchema.parse(raw), file: path.join(dir, 'config.yaml'), text: YAML.stringify(raw) });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-extract-'));
    images = path.join(dir, 'images');
    await mkdir(images);
    for (let i = 0; i < 14; i++) await writePlacePng(path.join(images, `f-${String(i).padStart(2, '0')}.png`), i % 5, 32, 16, { gain: 1, offset: 3 * i, noise: 4, noiseSeed: i });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes exactly the frame descriptors buildMap stores, with a sidecar per frame', async () => {
    const frontend = await createFrontend(loaded());
    const { map } = await buildMap(imageFolderFrames(images), frontend, { source: images });
    const out = path.join(dir, 'all.npy');
    const result = await extractDescriptors(imageFolderFrames(images), frontend, out, { source: images, configFile: 'config.yaml' });
    await frontend.close();
    assert.equal(result.rows, 14);
    const set = await readDescriptorSet(out);
    assert.deepEqual(set.matrix.data, map.frameDescriptors.data);
    const sidecar = set.sidecar!;
    assert.equal(sidecar.encoder.id, frontend.identity.encoder.id);
    assert.match(sidecar.encoder.id, /ema-centering/);
    assert.deepEqual(sidecar.frames.slice(0, 2).map((f) => [f.index, f.source, f.stamp]), [[0, 'f-00.png', '0'], [1, 'f-01.png', '100000000']]);
    // Nothing else left behind (no temp files).
    assert.deepEqual((await readdir(dir)).sort(), ['all.json', 'all.npy', 'images']);
  });

  it('keeps source indices of a range; a failing source leaves no output behind', async () => {
    const frontend = await createFrontend(loaded());
    const out = path.join(dir, 'range.npy');
    const { start, end } = parseRange('3:7');
    await extractDescriptors(frameRange(imageFolderFrames(images), start, end), frontend, out, { source: images, configFile: 'c' });
    assert.deepEqual((await readDescriptorSet(out)).sidecar!.frames.map((f) => f.index), [3, 4, 5, 6]);

    async function* dying(): AsyncGenerator<Frame> {
      let n = 0;
      for await (const f of imageFolderFrames(images)) {
        if (n++ === 9) throw new Error('killed');
        yield f;
      }
    }
    const killed = path.join(dir, 'killed.npy');
    await assert.rejects(extractDescriptors(dying(), frontend, killed, { source: images, configFile: 'c' }), /killed/);
    await frontend.close();
    assert.deepEqual((await readdir(dir)).filter((n) => n.includes('killed')), []);
  });

  it('a resumed run encodes only the missing frames and writes the same file', async () => {
    const reference = path.join(dir, 'reference.npy');
    const f1 = await createFrontend(loaded());
    await extractDescriptors(imageFolderFrames(images), f1, reference, { source: images, configFile: 'c' });
    await f1.close();

    const work = path.join(dir, 'resumed.npy.partial');
    // First run: dies after 8 frames; the work folder keeps what was flushed (chunks of 4).
    const first = new CountingEncoder(await createFrameEncoder(raw.frontend as never));
    const r1 = await ResumableFrameEncoder.open(first, work, { chunkSize: 4 });
    const frontend1 = await createFrontend(loaded(), { frameEncoder: r1 });
    await assert.rejects(
      extractDescriptors(
        (async function* () {
          for await (const f of frameRange(imageFolderFrames(images), 0, 8)) yield f;
          throw new Error('killed');
        })(),
        frontend1,
        path.join(dir, 'resumed.npy'),
        { source: images, configFile: 'c' },
      ),
    );
    await frontend1.close();
    assert.equal(existsSync(path.join(dir, 'resumed.npy')), false);

    const second = new CountingEncoder(await createFrameEncoder(raw.frontend as never));
    const r2 = await ResumableFrameEncoder.open(second, work, { chunkSize: 4 });
    assert.equal(r2.resumed, 8);
    const frontend2 = await createFrontend(loaded(), { frameEncoder: r2 });
    await extractDescriptors(imageFolderFrames(images), frontend2, path.join(dir, 'resumed.npy'), { source: images, configFile: 'c' });
    await r2.discard();
    await frontend2.close();
    assert.equal(second.encoded, 6, 'only the 6 frames the first run did not finish');
    const a = await readDescriptorSet(reference);
    const b = await readDescriptorSet(path.join(dir, 'resumed.npy'));
    assert.deepEqual(b.matrix.data, a.matrix.data);
    assert.equal(existsSync(work), false);
  });
});
