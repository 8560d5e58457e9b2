// End to end with patch re-ranking on the real nordland64 data (a 300-frame stretch, winter queries
// against a summer map): map building stores patch features, saving and loading keeps them, the
// recogniser re-ranks, times the stage and returns the patch correspondences. Skips when the data
// is absent.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { Frame, PlaceMatch } from '../../src/core/types.js';
import { CachingFrameEncoder } from '../../src/encoders/caching.js';
import { createFrameEncoder } from '../../src/encoders/factory.js';
import { OnnxFrameEncoder } from '../../src/encoders/onnx-frame-encoder.js';
import { loadMap } from '../../src/map/load-map.js';
import { saveMap } from '../../src/map/save-map.js';
import { type PlaceMap } from '../../src/map/place-map.js';
import { createFrontend, createRecognizer, type Frontend } from '../../src/pipeline/assemble.js';
import { buildMap } from '../../src/pipeline/build-map.js';
import { loadPipelineConfig, pipelineConfigSchema } from '../../src/pipeline/config.js';
import { imageFolderFrames } from '../../src/sources/image-folder.js';
import { StageTimer } from '../../src/pipeline/timing.js';
import { BUILTIN_PATCH_MANIFEST } from '../../src/rerank/assemble.js';
import { frameRange } from '../../src/train/extract.js';

const DATA = path.resolve('../shared/data/nordland64');
const FROM = 600;
const COUNT = 300;

async function* stretch(season: string): AsyncGenerator<Frame> {
  let index = 0;
  for await (const f of frameRange(imageFolderFrames(path.join(DATA, season)), FROM, FROM + COUNT)) yield { ...f, index: index++ };
}

describe('patch re-ranking on nordland64 (end to end)', function () {
  let tmp: string;
  let on: Frontend;
  let off: Frontend;
  let along: Frontend;
  let map: PlaceMap;

  before(async function () {
    if (!existsSync(path.join(DATA, 'summer')) || !existsSync(path.join(DATA, 'winter'))) {
      console.log('    (skipped: ../shared/data/nordland64 is not present)');
      this.skip();
    }
    tmp = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-rerank-'));
    const base = await loadPipelineConfig('config/default.yaml');
    const frameEncoder = new CachingFrameEncoder(await createFrameEncoder(base.config.frontend));
    const patchEncoder = new CachingFrameEncoder(await OnnxFrameEncoder.load(BUILTIN_PATCH_MANIFEST));
    const frontend = async (rerank: Record<string, unknown>) =>
      createFrontend({ ...base, config: pipelineConfigSchema.parse({ ...YAML.parse(base.text), rerank }) }, { frameEncoder, patchEncoder });
    [on, off, along] = [await frontend({ enabled: true }), await frontend({ enabled: false }), await frontend({ enabled: true, alongTrack: { rows: 4 } })];
    ({ map } = await buildMap(stretch('summer'), on, { source: 'nordland64 summer 600:900' }));
  });

  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  async function run(frontend: Frontend, m: PlaceMap, warn?: (s: string) => void): Promise<{ matches: PlaceMatch[]; timer: StageTimer }> {
    const recognizer = createRecognizer(frontend, m, 'the test map', { warn });
    const timer = new StageTimer();
    const matches: PlaceMatch[] = [];
    for await (const frame of stretch('winter')) {
      const r = await recognizer.process(frame);
      timer.record(r.times);
      if (r.kind === 'match') matches.push(r.match);
    }
    return { matches, timer };
  }

  const recall = (ms: PlaceMatch[]) => ms.filter((m) => Math.abs(m.mapIndex - m.queryIndex) <= 1).length / COUNT;

  it('stores int8 patch features in the map and keeps them through save and load', async () => {
    assert.equal(map.patches?.rows, COUNT);
    assert.equal(map.patches!.rowBytes, 16 * 8 * 32, '4 KiB per frame');
    const dir = path.join(tmp, 'map');
    await saveMap(map, dir);
    const loaded = await loadMap(dir);
    assert.deepEqual(loaded.patches!.data(), map.patches!.data());
  });

  it('re-ranks, times the stage and returns patch correspondences; accuracy holds', async () => {
    const [withRerank, without] = [await run(on, map), await run(off, map)];
    assert.ok(recall(withRerank.matches) >= recall(without.matches) - 0.02, `R@1 ${recall(withRerank.matches)} vs ${recall(without.matches)} without`);
    assert.ok(recall(withRerank.matches) >= 0.7);
    const stages = withRerank.timer.summary();
    assert.ok(stages.rerank && stages.rerank.count === COUNT, 'a rerank time for every match');
    assert.ok(stages.patches && stages.patches.count === COUNT);
    assert.equal(without.timer.summary().rerank, undefined);
    // Correct matches carry agreeing patch pairs on the frames of their trajectory.
    const correct = withRerank.matches.filter((m) => Math.abs(m.mapIndex - m.queryIndex) <= 1);
    const withPairs = correct.filter((m) => m.patchMatches!.frames.some((f) => f.pairs.length > 0));
    assert.ok(withPairs.length >= 0.9 * correct.length, `${withPairs.length} of ${correct.length} correct matches have patch pairs`);
    const last = correct.at(-1)!;
    assert.equal(last.patchMatches!.frames[0].queryIndex, last.queryIndex, 'the newest query frame is compared first');
    assert.equal(last.patchMatches!.frames[0].mapIndex, last.mapIndex);
    assert.deepEqual(last.patchMatches!.grid, { cellsX: 16, cellsY: 8 });
    assert.ok(withRerank.matches.every((m) => m.confidence >= 0 && m.confidence <= 1 && m.patchScore! >= 0 && m.patchScore! <= 1));
  });

  it('the along-track move: answers moved at most `rows`, path and correspondences moved with them, accuracy holds on aligned frames', async () => {
    const [moved, plain] = [(await run(along, map)).matches, (await run(on, map)).matches];
    assert.ok(recall(moved) >= recall(plain) - 0.02, `R@1 ${recall(moved)} vs ${recall(plain)} without the move`);
    assert.ok(plain.every((m) => m.alongTrackShift === undefined), 'off: no shift reported');
    moved.forEach((m, i) => {
      const shift = m.alongTrackShift!;
      assert.ok(Number.isInteger(shift) && Math.abs(shift) <= 4, `shift ${shift}`);
      assert.equal(m.mapIndex, plain[i].mapIndex + shift, 'the re-ranker chose the same place, the move shifted it');
      assert.equal(m.correspondences.at(-1)!.mapIndex, m.mapIndex, 'the path ends at the answer');
      assert.equal(m.candidates[0].mapIndex, m.mapIndex);
    });
  });

  it('the combined model (one run for descriptor and grid, as a front end without given encoders loads it) builds the same map and gives the same answers', async () => {
    const loaded = await loadPipelineConfig('config/default.yaml');
    const combined = await createFrontend({ ...loaded, config: pipelineConfigSchema.parse({ ...YAML.parse(loaded.text), rerank: { enabled: true } }) });
    try {
      assert.ok(combined.patchEncoder?.withFrame);
      const built = (await buildMap(stretch('summer'), combined, { source: 'nordland64 summer 600:900' })).map;
      assert.deepEqual(built.patches!.data(), map.patches!.data());
      assert.deepEqual(built.frameDescriptors.data, map.frameDescriptors.data);
      const strip = (ms: PlaceMatch[]) => ms.map((m) => ({ ...m, queryStamp: String(m.queryStamp) }));
      assert.deepEqual(strip((await run(combined, map)).matches), strip((await run(on, map)).matches));
    } finally {
      await combined.close();
    }
  });

  it('a map without patch features still works with re-ranking configured: a warning, and the plain answers', async () => {
    const plain = (await buildMap(stretch('summer'), off, { source: 'no patches' })).map;
    const warnings: string[] = [];
    const { matches } = await run(on, plain, (w) => warnings.push(w));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /no patch features: patch re-ranking is off/);
    const reference = (await run(off, plain)).matches;
    assert.deepEqual(matches.map((m) => [m.mapIndex, m.confidence]), reference.map((m) => [m.mapIndex, m.confidence]));
    assert.ok(matches.every((m) => m.patchMatches === undefined));
  });
});
