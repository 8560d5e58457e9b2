// Loop closures when the run passes a place more than once (real pipeline, synthetic places): a
// third pass sees two earlier ones. Ranking rivals by place must not let the second pass lower the
// confidence of a closure, while a lookalike stretch at another place still must.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Frame } from '../../src/core/types.js';
import { loopConfigSchema } from '../../src/loops/live-mapper.js';
import { runLoops, type LoopRun } from '../../src/loops/run-loops.js';
import { createFrontend } from '../../src/pipeline/assemble.js';
import { pipelineConfigSchema } from '../../src/pipeline/config.js';
import { writePlacePng } from '../support/synthetic-images.js';

const pose = (x: number) => ({ position: { x, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } });

describe('loop closures with revisits: rivals ranked by place', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-revisits-'));
    await mkdir(path.join(dir, 'img'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Frames for (image place, pose x) pairs, each pass under the same light with its own sensor noise (no pass matches another better by lighting). */
  async function frames(drive: readonly [number, number][], tag: string): Promise<Frame[]> {
    return Promise.all(
      drive.map(async ([place, x], index) => {
        const file = path.join(dir, 'img', `${tag}-${String(index).padStart(3, '0')}.png`);
        const light = { gain: 1, offset: 0, noise: 12, noiseSeed: index };
        await writePlacePng(file, place, 64, 32, light);
        return { index, stamp: BigInt(index) * 100_000_000n, frameId: 'cam', image: { kind: 'file' as const, path: file }, pose: pose(x) };
      }),
    );
  }

  async function run(input: Frame[], samePlace: object): Promise<LoopRun> {
    // No running-mean centring: it would make the latest passes look alike by their common mean.
    const raw = { frontend: { kind: 'patchnorm' }, centering: { enabled: false }, sequence: { kind: 'single' }, matcher: { kind: 'seqslam', samePlace }, windowLength: 5 };
    const frontend = await createFrontend({ config: pipelineConfigSchema.parse(raw), file: path.join(dir, 'c.yaml'), text: '' });
    async function* source() {
      yield* input;
    }
    try {
      return await runLoops(source(), frontend, loopConfigSchema.parse({ minConfidence: 0, excludeSeconds: 2, excludeFrames: 10 }), { source: dir, toleranceM: 1 });
    } finally {
      await frontend.close();
    }
  }

  const firstPass = Array.from({ length: 60 }, (_, i): [number, number] => [i, i]);
  const pass = (x0: number): [number, number][] => Array.from({ length: 25 }, (_, i) => [10 + i, x0 + i]);
  /** Third-pass keyframes whose 5-frame window lies inside the pass (the first 4 span the jump to it). */
  const THIRD = 85 + 4;
  /** Closures by query index of the keyframes >= from. */
  const confidences = (r: LoopRun, from: number) => new Map(r.loops.filter((l) => l.queryIndex >= from).map((l) => [l.queryIndex, l]));

  it('a third pass: the second pass is no rival, confidences rise, every closure stays correct', async () => {
    const input = await frames([...firstPass, ...pass(10), ...pass(10)], 'three');
    const byRow = await run(input, { radiusM: 0 });
    const byPlace = await run(input, {});
    const before = confidences(byRow, THIRD);
    const after = confidences(byPlace, THIRD);
    assert.ok(after.size >= 18, `third-pass closures: ${after.size}`);
    let raised = 0;
    for (const [q, loop] of after) {
      assert.ok(Math.abs(loop.correspondences.at(-1)!.mapIndex - loop.matchIndex) === 0);
      assert.ok(Math.abs(input[loop.matchIndex].pose!.position.x - input[q].pose!.position.x) <= 1, `wrong closure ${q} -> ${loop.matchIndex}`);
      const old = before.get(q)!.confidence;
      assert.ok(loop.confidence >= old - 1e-12, `confidence fell at ${q}: ${old} -> ${loop.confidence}`);
      if (loop.confidence > old + 0.05) raised++;
    }
    const mean = (m: Map<number, { confidence: number }>) => [...m.values()].reduce((s, l) => s + l.confidence, 0) / m.size;
    assert.ok(raised >= after.size / 2, `most third-pass confidences should rise clearly, ${raised} of ${after.size} did (mean ${mean(before).toFixed(3)} -> ${mean(after).toFixed(3)})`);
    // The second pass (one earlier visit) is not changed by the rule.
    for (const [q, loop] of confidences(byPlace, 60)) if (q >= 64 && q < 85) assert.equal(loop.confidence, confidences(byRow, 60).get(q)!.confidence);
  });

  it('a lookalike stretch at another place stays a rival: the third pass is as unsure as by row', async () => {
    // The second stretch looks like places 10..34 but lies 200 m away: a true alias.
    const input = await frames([...firstPass, ...pass(200), ...pass(10)], 'alias');
    const byRow = confidences(await run(input, { radiusM: 0 }), THIRD);
    const byPlace = confidences(await run(input, {}), THIRD);
    assert.ok(byPlace.size >= 18);

    for (const [q, loop] of byPlace) {
      assert.equal(loop.confidence, byRow.get(q)!.confidence, `query ${q}`);
      assert.ok(loop.confidence < 0.15, `an aliased place must not be confident, got ${loop.confidence} at ${q}`);
    }
  });

  it('without poses nothing changes: every answer and confidence equals ranking by row', async () => {
    const input = (await frames([...firstPass, ...pass(10), ...pass(10)], 'noposes')).map(({ pose: _pose, ...f }) => f);
    const strip = (r: LoopRun) => r.loops.map((l) => [l.queryIndex, l.matchIndex, l.confidence]);
    const byRow = await run(input, { radiusM: 0 });
    assert.ok(byRow.loops.length >= 40);
    assert.deepEqual(strip(await run(input, {})), strip(byRow));
  });
});
