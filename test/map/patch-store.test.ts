import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DescriptorError, MapFormatError } from '../../src/core/errors.js';
import { MAP_FILES } from '../../src/map/map-files.js';
import { PatchStore } from '../../src/map/patch-store.js';
import { PlaceMap } from '../../src/map/place-map.js';
import { loadMap } from '../../src/map/load-map.js';
import { saveMap } from '../../src/map/save-map.js';
import { randomUnitVectors } from '../support/random-unit-vectors.js';
import { SAMPLE_ENCODER } from './fixtures/sample-map.js';

const PATCHES = { encoder: { id: 'onnx:test-patches', hash: 'p'.repeat(16) }, cellsX: 4, cellsY: 2, dim: 3 };
const GRID = PATCHES.cellsX * PATCHES.cellsY * PATCHES.dim;

function mapWithPatches(frames: number): { map: PlaceMap; grids: Float32Array[] } {
  const map = PlaceMap.create({ encoder: SAMPLE_ENCODER, patches: PATCHES, source: 'test' });
  const descriptors = randomUnitVectors(frames, SAMPLE_ENCODER.dim, 3);
  const grids = randomUnitVectors(frames, GRID, 4);
  descriptors.forEach((d, i) => map.add({ stamp: BigInt(i) }, d, undefined, i === 2 ? undefined : grids[i]));
  return { map, grids };
}

describe('map patch features (optional, int8)', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-patches-'));
  });
  after(async () => rm(tmp, { recursive: true, force: true }));

  it('quantises each value to round(v x 127) and keeps a zero grid for a frame added without patches', () => {
    const { map, grids } = mapWithPatches(5);
    assert.equal(map.patches!.rows, 5);
    assert.deepEqual(Array.from(map.patches!.row(1)!), Array.from(grids[1], (v) => Math.round(v * 127)));
    assert.ok(map.patches!.row(2)!.every((v) => v === 0));
    assert.equal(map.patches!.row(5), undefined);
  });

  it('survives save and load, and the manifest names the patch model and grid', async () => {
    const { map } = mapWithPatches(40);
    const dir = path.join(tmp, 'with');
    const manifest = await saveMap(map, dir);
    assert.deepEqual(manifest.patches, PATCHES);
    assert.equal(manifest.files[MAP_FILES.patches].bytes, 40 * GRID);
    const loaded = await loadMap(dir);
    assert.deepEqual(loaded.patches!.info, PATCHES);
    assert.deepEqual(loaded.patches!.data(), map.patches!.data());
    // A loaded map keeps growing with patch features.
    loaded.add({ stamp: 100n }, randomUnitVectors(1, SAMPLE_ENCODER.dim, 9)[0], undefined, new Float32Array(GRID).fill(0.5));
    assert.equal(loaded.patches!.row(40)![0], 64);
  });

  it('a map without patch features saves and loads without them (older maps stay loadable)', async () => {
    const map = PlaceMap.create({ encoder: SAMPLE_ENCODER });
    map.add({ stamp: 0n }, randomUnitVectors(1, SAMPLE_ENCODER.dim, 1)[0], undefined, new Float32Array(GRID));
    const dir = path.join(tmp, 'without');
    const manifest = await saveMap(map, dir);
    assert.equal(manifest.patches, undefined);
    assert.ok(!(MAP_FILES.patches in manifest.files));
    assert.equal(JSON.parse(await readFile(path.join(dir, MAP_FILES.manifest), 'utf8')).patches, undefined);
    assert.equal((await loadMap(dir)).patches, undefined);
  });

  it('refuses a truncated patch file and a grid of the wrong size', async () => {
    const { map } = mapWithPatches(10);
    const dir = path.join(tmp, 'truncated');
    await saveMap(map, dir);
    await truncate(path.join(dir, MAP_FILES.patches), 10 * GRID - 1);
    await assert.rejects(loadMap(dir), MapFormatError);
    assert.throws(() => map.add({ stamp: 50n }, randomUnitVectors(1, SAMPLE_ENCODER.dim, 2)[0], undefined, new Float32Array(GRID - 1)), DescriptorError);
    assert.equal(map.size, 10, 'nothing stored after a refused add');
    assert.throws(() => new PatchStore(PATCHES, new Int8Array(GRID + 1)), DescriptorError);
  });
});
