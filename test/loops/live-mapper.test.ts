import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Frame } from '../../src/core/types.js';
import { loopConfigSchema } from '../../src/loops/live-mapper.js';
import { scoreLoops } from '../../src/loops/loop-eval.js';
import { loopsToJson } from '../../src/loops/loop-files.js';
import { renderLoopsHtml } from '../../src/sinks/report/loops-report.js';
import { runLoops } from '../../src/loops/run-loops.js';
import { createFrontend } from '../../src/pipeline/assemble.js';
import { pipelineConfigSchema } from '../../src/pipeline/config.js';
import { writePlacePng } from '../support/synthetic-images.js';

const pose = (x: number) => ({ position: { x, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } });

describe('live mapping with loop closures (real pipeline, synthetic places)', () => {
  let dir: string;
  /** A drive over places 0..59, then back over places 10..34 (a revisit), one frame per place, 10 Hz. */
  let frames: Frame[];
  const route = [...Array.from({ length: 60 }, (_, i) => i), ...Array.from({ length: 25 }, (_, i) => 10 + i)];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-loops-'));
    await mkdir(path.join(dir, 'img'));
    frames = await Promise.all(
      route.map(async (place, index) => {
        const file = path.join(dir, 'img', `f${String(index).padStart(3, '0')}.png`);
        // The revisit is seen under other lighting and with sensor noise.
        const light = index >= 60 ? { gain: 0.8, offset: 20, noise: 12, noiseSeed: index } : undefined;
        await writePlacePng(file, place, 64, 32, light);
        return { index, stamp: BigInt(index) * 100_000_000n, frameId: 'cam', image: { kind: 'file' as const, path: file }, pose: pose(place) };
      }),
    );
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(loopOptions: object, extra: object = {}) {
    const raw = { frontend: { kind: 'patchnorm' }, sequence: { kind: 'single' }, matcher: { kind: 'seqslam' }, windowLength: 5, ...extra };
    const frontend = await createFrontend({ config: pipelineConfigSchema.parse(raw), file: path.join(dir, 'c.yaml'), text: '' });
    async function* source() {
      yield* frames;
    }
    return runLoops(source(), frontend, loopConfigSchema.parse(loopOptions), { source: dir, toleranceM: 1 });
  }

  it('closes loops on the revisit only, with the right earlier frames and monotone correspondences', async () => {
    const result = await run({ minConfidence: 0.05, excludeSeconds: 2, excludeFrames: 10 });
    assert.equal(result.map.size, frames.length, 'every frame is added to the map');
    assert.ok(result.loops.length >= 15, `expected most of the 25 revisit frames to close a loop, got ${result.loops.length}`);
    for (const loop of result.loops) {
      assert.ok(loop.queryIndex >= 60, `loop closure during the first pass at ${loop.queryIndex}`);
      assert.ok(Math.abs(route[loop.matchIndex] - route[loop.queryIndex]) <= 1, `wrong loop ${loop.queryIndex} -> ${loop.matchIndex}`);
      assert.equal(loop.matchStamp, frames[loop.matchIndex].stamp);
      assert.equal(loop.correspondences.at(-1)!.mapIndex, loop.matchIndex);
      const rows = loop.correspondences.map((c) => c.mapIndex);
      assert.deepEqual(rows, [...rows].sort((a, b) => a - b), 'a sequence-consistent trajectory never goes back');
      assert.ok(rows.every((r) => r < loop.queryIndex - 10), 'never inside the exclusion window');
    }
    assert.equal(result.scores!.precision, 1);
    assert.ok(result.scores!.recall! > 0.5);
  });

  it('a long exclusion window leaves nothing to match: no loop closures at all', async () => {
    const result = await run({ minConfidence: 0.05, excludeSeconds: 1000 });
    assert.equal(result.loops.length, 0);
    assert.equal(result.scores!.revisits, 0, 'nothing was searchable, so nothing counts as missed');
  });

  it('a confidence threshold of 1 rejects everything', async () => {
    const result = await run({ minConfidence: 1, excludeSeconds: 2 });
    assert.equal(result.loops.length, 0);
    assert.ok(result.scores!.revisits > 0);
    assert.equal(result.scores!.recall, 0);
  });

  it('works with a sequence encoder too (the live map gets sequence descriptors)', async () => {
    const result = await run(
      { minConfidence: 0.05, excludeSeconds: 2, excludeFrames: 10 },
      { sequence: { kind: 'delta', length: 4 }, retrieval: { source: 'sequence', k: 5 } },
    );
    assert.equal(result.map.sequenceCount, frames.length - 3);
    assert.ok(result.loops.length > 0);
    assert.equal(result.scores!.precision, 1);
  });

  it('loops.json keeps stamps as exact decimal strings and the report draws every loop', async () => {
    const result = await run({ minConfidence: 0.05, excludeSeconds: 2, excludeFrames: 10 });
    assert.ok(result.loops.length > 0);
    const parsed = JSON.parse(loopsToJson(result.loops));
    assert.equal(parsed.length, result.loops.length);
    assert.equal(parsed[0].queryStamp, result.loops[0].queryStamp.toString());
    const html = renderLoopsHtml({ title: 't', facts: {}, loops: result.loops, frames: result.map.frames, scores: result.scores });
    assert.equal((html.match(/<circle /g) ?? []).length, result.loops.length);
  });
});

describe('scoreLoops', () => {
  const frames = [0, 1, 2, 3, 0, 1, 9].map((x, index) => ({ index, stamp: BigInt(index), pose: pose(x) }));
  const loop = (queryIndex: number, matchIndex: number) => ({
    queryIndex, matchIndex, queryStamp: 0n, matchStamp: 0n, confidence: 1, correspondences: [],
  });

  it('precision over reported loops, recall over keyframes that revisit a searchable earlier place', () => {
    // Keyframes 4 and 5 revisit 0 and 1; 6 is new. Each may search everything before it minus 2.
    const searchable = frames.map((_, i) => Math.max(0, i - 2));
    const s = scoreLoops([loop(4, 0), loop(6, 2)], frames, searchable, 0.5);
    assert.deepEqual([s.loops, s.correct, s.precision, s.revisits, s.recall], [2, 1, 0.5, 2, 0.5]);
  });

  it('a revisit whose earlier place was still excluded is not counted as missed', () => {
    const s = scoreLoops([], frames, [0, 0, 0, 0, 0, 1, 0], 0.5);
    assert.equal(s.revisits, 0);
    assert.equal(s.recall, null);
  });
});
