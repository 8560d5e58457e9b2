// Both cores, same answers: a recorded run that encodes the next frames ahead (and, for the CNN,
// in a worker thread) must give exactly the matches, confidences and descriptors of the
// one-frame-at-a-time run, on a real nordland64 stretch. Skips when the data is absent.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Frame } from '../../src/core/types.js';
import { WorkerFrameEncoder } from '../../src/encoders/worker-frame-encoder.js';
import { evaluate, type EvaluationRun } from '../../src/eval/evaluate.js';
import type { PlaceMap } from '../../src/map/place-map.js';
import { createFrontend, createRecognizer, type Frontend } from '../../src/pipeline/assemble.js';
import { buildMap } from '../../src/pipeline/build-map.js';
import { loadPipelineConfig } from '../../src/pipeline/config.js';
import { listImages } from '../../src/sources/image-folder.js';

const DATA = path.resolve('../shared/data/nordland64');

/** Frames [from, from + count) of a season as in-memory PNG messages (what a bag's CompressedImage holds). */
async function stretch(season: string, from: number, count: number): Promise<Frame[]> {
  const files = (await listImages(path.join(DATA, season))).slice(from, from + count);
  return Promise.all(
    files.map(async (file, index) => ({
      index,
      stamp: BigInt(index) * 100_000_000n,
      frameId: 'camera',
      image: { kind: 'compressed' as const, format: 'png', data: new Uint8Array(await readFile(file)) },
    })),
  );
}

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/** What must not change: per query, the ranked candidates, the answer, its confidence and the descriptor. */
async function replay(frontend: Frontend, map: PlaceMap, frames: Frame[], lookahead: number) {
  const descriptors: Float32Array[] = [];
  const run: EvaluationRun = await evaluate(each(frames), createRecognizer(frontend, map), {
    keepColumns: false,
    lookahead,
    onResult: (r) => r.kind !== 'skipped' && descriptors.push(r.descriptor),
  });
  return { records: run.records.map(({ latencyMs: _, ...r }) => r), skipped: run.skipped, descriptors };
}

describe('recorded runs: encoding ahead (and in a worker) gives the one-at-a-time results', function () {
  this.timeout(300_000);
  let summer: Frame[];
  let winter: Frame[];

  before(async function () {
    if (!existsSync(path.join(DATA, 'summer')) || !existsSync(path.join(DATA, 'winter'))) this.skip(); // needs ../shared/data/nordland64
    summer = await stretch('summer', 1200, 150);
    winter = await stretch('winter', 1200, 80);
  });

  for (const config of ['config/default.yaml', 'config/patchnorm.yaml']) {
    it(`${config}: same matches, confidences and descriptors`, async () => {
      const loaded = await loadPipelineConfig(config);
      const main = await createFrontend(loaded);
      const worker = await createFrontend(loaded, { encoderThread: 'worker' });
      try {
        const cnn = loaded.config.frontend.kind !== 'patchnorm';
        assert.equal(worker.frameEncoder instanceof WorkerFrameEncoder, cnn, 'the CNN runs in the worker, patchnorm on the main thread');
        assert.deepEqual(worker.identity, main.identity);
        const { map } = await buildMap(each(summer), main, { source: 'nordland64 summer 1200..1349' });
        const oneByOne = await replay(main, map, winter, 1);
        const ahead = await replay(worker, map, winter, 6);
        assert.equal(oneByOne.records.length, winter.length);
        assert.ok(oneByOne.records.filter((r) => r.predicted !== null).length > winter.length / 2, 'the stretch is matched at all');
        assert.deepEqual(ahead.skipped, oneByOne.skipped);
        assert.deepEqual(ahead.records, oneByOne.records); // same matches, same candidates, same confidences (exactly)
        assert.deepEqual(ahead.descriptors, oneByOne.descriptors);
      } finally {
        await Promise.all([main.close(), worker.close()]);
      }
    });
  }

  it('a frame that cannot be decoded is skipped in its place, also from the worker', async () => {
    const loaded = await loadPipelineConfig('config/default.yaml');
    const worker = await createFrontend(loaded, { encoderThread: 'worker' });
    try {
      const { map } = await buildMap(each(summer.slice(0, 40)), worker, { source: 'nordland64 summer' });
      const frames = winter.slice(0, 12).map((f, i) => (i === 5 ? { ...f, image: { kind: 'compressed' as const, format: 'png', data: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]) } } : f));
      const run = await replay(worker, map, frames, 4);
      assert.deepEqual(run.skipped.map((s) => [s.queryIndex, s.reason]), [[5, 'ImageDecodeError']]);
      assert.deepEqual(run.records.map((r) => r.queryIndex), frames.map((f) => f.index));
    } finally {
      await worker.close();
    }
  });
});
