// Multi-session maps: a saved map is continued by a second run (a new session whose loop closures
// reach into the first), sessions survive save and load, maps of one encoder merge into one
// multi-session map, and maps of different encoders are refused.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Frame } from '../../src/core/types.js';
import { loopConfigSchema } from '../../src/loops/live-mapper.js';
import { runLoops } from '../../src/loops/run-loops.js';
import { loadMap } from '../../src/map/load-map.js';
import { mergeMaps } from '../../src/map/merge-maps.js';
import { PlaceMap } from '../../src/map/place-map.js';
import { saveMap } from '../../src/map/save-map.js';
import { createFrontend, type Frontend } from '../../src/pipeline/assemble.js';
import { pipelineConfigSchema } from '../../src/pipeline/config.js';
import { runSeqvpr } from '../support/run-cli.js';
import { randomUnitVectors } from '../support/random-unit-vectors.js';
import { writePlacePng } from '../support/synthetic-images.js';

const pose = (x: number) => ({ position: { x, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } });

describe('multi-session maps (real pipeline, synthetic places)', () => {
  let dir: string;
  let frontend: Frontend;

  /** Frames over `places`, stamps from 0 at 10 Hz (each session has its own clock). */
  async function session(name: string, places: number[], light?: { gain: number; offset: number; noise: number }): Promise<Frame[]> {
    await mkdir(path.join(dir, name));
    return Promise.all(
      places.map(async (place, index) => {
        const file = path.join(dir, name, `f${String(index).padStart(3, '0')}.png`);
        await writePlacePng(file, place, 64, 32, light ? { ...light, noiseSeed: 1000 + index } : undefined);
        return { index, stamp: BigInt(index) * 100_000_000n, frameId: 'cam', image: { kind: 'file' as const, path: file }, pose: pose(place) };
      }),
    );
  }
  async function* stream(frames: Frame[]) {
    yield* frames;
  }
  const config = loopConfigSchema.parse({ minConfidence: 0.05, excludeSeconds: 2, excludeFrames: 10 });
  const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-sessions-'));
    const raw = { frontend: { kind: 'patchnorm' }, sequence: { kind: 'single' }, matcher: { kind: 'seqslam' }, windowLength: 5 };
    frontend = await createFrontend({ config: pipelineConfigSchema.parse(raw), file: path.join(dir, 'c.yaml'), text: '' });
  });

  after(async () => {
    await frontend.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('continues a saved map as a new session, closing loops between the sessions', async () => {
    const first = await runLoops(stream(await session('s1', range(0, 40))), frontend, config, { source: 's1', toleranceM: 1 });
    assert.equal(first.loops.length, 0, 'no revisit within the first session');
    assert.deepEqual(first.map.sessionStarts, [0]);
    await saveMap(first.map, path.join(dir, 'map1'));
    const manifest = JSON.parse(await readFile(path.join(dir, 'map1', 'manifest.json'), 'utf8'));
    assert.equal(manifest.sessionStarts, undefined, 'a single-session map is written as before');

    const loaded = await loadMap(path.join(dir, 'map1'));
    assert.deepEqual(loaded.sessionStarts, [0], 'a map without sessions loads as one session');
    const second = await runLoops(stream(await session('s2', range(15, 20), { gain: 0.8, offset: 20, noise: 10 })), frontend, config, { source: 's2', toleranceM: 1, map: loaded });
    assert.equal(second.map.size, 60);
    assert.deepEqual(second.map.sessionStarts, [0, 40]);
    assert.ok(second.loops.length >= 10, `closures into the first session: ${second.loops.length}`);
    for (const l of second.loops) {
      assert.ok(l.queryIndex >= 40 && l.matchIndex < 40, `${l.queryIndex} -> ${l.matchIndex}`);
      assert.deepEqual(l.sessions, { query: 1, match: 0 });
      assert.ok(Math.abs(second.map.frames[l.queryIndex].pose!.position.x - second.map.frames[l.matchIndex].pose!.position.x) <= 1);
    }
    assert.equal(second.scores!.precision, 1);
    // Sessions survive a save and a load.
    await saveMap(second.map, path.join(dir, 'map12'));
    assert.deepEqual((await loadMap(path.join(dir, 'map12'))).sessionStarts, [0, 40]);
  });

  it('seqvpr loops --map continues a saved map from the command line', async () => {
    // s1 and s2 were written by the test above.
    const m1 = path.join(dir, 'cli-m1');
    const first = await runSeqvpr('loops', '--images', path.join(dir, 's1'), '--out', path.join(dir, 'cli-o1'), '--config', 'config/patchnorm.yaml', '--save-map', m1);
    assert.equal(first.code, 0, first.stderr);
    const second = await runSeqvpr('loops', '--images', path.join(dir, 's2'), '--map', m1, '--out', path.join(dir, 'cli-o2'), '--config', 'config/patchnorm.yaml', '--save-map', path.join(dir, 'cli-m12'));
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /keyframes 60 in 2 sessions/);
    const loops = JSON.parse(await readFile(path.join(dir, 'cli-o2', 'loops.json'), 'utf8')) as { queryIndex: number; matchIndex: number; querySession: number; matchSession: number }[];
    assert.ok(loops.length > 0, second.stdout);
    assert.ok(loops.every((l) => l.querySession === 1 && l.matchSession === 0 && l.matchIndex < 40));
    assert.deepEqual((await loadMap(path.join(dir, 'cli-m12'))).sessionStarts, [0, 40]);
  });

  it('merges maps of one encoder into sessions, and refuses maps of different encoders', async () => {
    const a = PlaceMap.create({ encoder: { id: 'enc-a', hash: 'h1', dim: 8 }, source: 'a' });
    const b = PlaceMap.create({ encoder: { id: 'enc-a', hash: 'h1', dim: 8 }, source: 'b' });
    randomUnitVectors(5, 8, 1).forEach((d, i) => a.add({ stamp: BigInt(i), pose: pose(i) }, d));
    randomUnitVectors(3, 8, 2).forEach((d, i) => b.add({ stamp: BigInt(i) }, d));
    b.beginSession();
    randomUnitVectors(2, 8, 3).forEach((d, i) => b.add({ stamp: BigInt(10 + i) }, d));
    const merged = mergeMaps([{ name: 'A', map: a }, { name: 'B', map: b }]);
    assert.equal(merged.size, 10);
    assert.deepEqual(merged.sessionStarts, [0, 5, 8]);
    assert.deepEqual(merged.frames.map((f) => f.index), range(0, 10));
    assert.deepEqual([merged.sessionOf(4), merged.sessionOf(5), merged.sessionOf(9)], [0, 1, 2]);
    assert.deepEqual(Array.from(merged.frameDescriptors.row(7)), Array.from(b.frameDescriptors.row(2)));
    assert.equal(merged.searchFrames(b.frameDescriptors.row(4), 1, { mode: 'exact' })[0].mapIndex, 9, 'the merged index finds B\'s frames');

    const other = PlaceMap.create({ encoder: { id: 'enc-b', hash: 'h2', dim: 8 }, source: 'c' });
    randomUnitVectors(3, 8, 4).forEach((d, i) => other.add({ stamp: BigInt(i) }, d));
    assert.throws(() => mergeMaps([{ name: 'A', map: a }, { name: 'C', map: other }]), /enc-b.*enc-a|enc-a.*enc-b/);

    // The command line: a clear one-line failure, nothing written.
    await saveMap(a, path.join(dir, 'A'));
    await saveMap(other, path.join(dir, 'C'));
    const refused = await runSeqvpr('map', 'merge', '--out', path.join(dir, 'AC'), path.join(dir, 'A'), path.join(dir, 'C'));
    assert.equal(refused.code, 1);
    assert.equal(refused.errorLines.length, 1, refused.stderr);
    assert.match(refused.errorLines[0], /"enc-b".*"enc-a"/);
    await saveMap(b, path.join(dir, 'B'));
    const ok = await runSeqvpr('map', 'merge', '--out', path.join(dir, 'AB'), path.join(dir, 'A'), path.join(dir, 'B'));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /10 frames in 3 sessions/);
    assert.deepEqual((await loadMap(path.join(dir, 'AB'))).sessionStarts, [0, 5, 8]);
  });
});
