import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Subject, lastValueFrom, toArray } from 'rxjs';
import type { Frame } from '../../src/core/types.js';
import { createFrontend, createRecognizer } from '../../src/pipeline/assemble.js';
import { buildMap } from '../../src/pipeline/build-map.js';
import { pipelineConfigSchema } from '../../src/pipeline/config.js';
import { recognizeLive, recognizeRecorded } from '../../src/pipeline/stream.js';
import { mkdir } from 'node:fs/promises';
import { writePlacePng } from '../support/synthetic-images.js';

describe('recognizeLive / recognizeRecorded (real recogniser)', () => {
  let dir: string;
  let frames: Frame[];
  let recognizerFor: () => Promise<ReturnType<typeof createRecognizer>>;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-stream-'));
    await mkdir(path.join(dir, 'map'));
    const files = Array.from({ length: 20 }, (_, i) => path.join(dir, 'map', `place-${String(i).padStart(2, '0')}.png`));
    await Promise.all(files.map((f, i) => writePlacePng(f, i)));
    frames = files.map((p, index) => ({ index, stamp: BigInt(index) * 100_000_000n, frameId: 'cam', image: { kind: 'file', path: p } }));
    const raw = { frontend: { kind: 'patchnorm' }, sequence: { kind: 'single' }, retrieval: { k: 0 }, matcher: { kind: 'seqslam' }, windowLength: 3 };
    const loaded = { config: pipelineConfigSchema.parse(raw), file: path.join(dir, 'c.yaml'), text: '' };
    const frontend = await createFrontend(loaded);
    async function* source() {
      yield* frames;
    }
    const { map } = await buildMap(source(), frontend, { source: dir });
    recognizerFor = async () => createRecognizer(frontend, map);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('recorded: every frame is processed in order', async () => {
    async function* source() {
      yield* frames;
    }
    const results = await lastValueFrom(recognizeRecorded(source(), await recognizerFor()).pipe(toArray()));
    assert.deepEqual(results.map((r) => r.frame.index), frames.map((f) => f.index));
  });

  it('live: a burst while busy keeps only the newest frame and counts the rest as dropped', async () => {
    const frames$ = new Subject<Frame>();
    const drops = { dropped: 0 };
    const done = lastValueFrom(recognizeLive(frames$, await recognizerFor(), drops).pipe(toArray()));
    for (const f of frames) frames$.next(f); // all at once: the first is processed, the last waits
    frames$.complete();
    const results = await done;
    assert.deepEqual(results.map((r) => r.frame.index), [0, frames.length - 1]);
    assert.equal(drops.dropped, frames.length - 2);
  });
});
