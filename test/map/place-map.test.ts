import assert from 'node:assert/strict';
import { ConfigError, DescriptorError, MapFormatError } from '../../src/core/errors.js';
import { PlaceMap } from '../../src/map/place-map.js';
import { hnswRecallAtK } from '../../src/map/hnsw-recall.js';
import { DEFAULT_HNSW_PARAMS } from '../../src/retrieve/hnsw-index.js';
import { randomUnitVectors } from '../support/random-unit-vectors.js';

const encoder = { id: 'test-enc', hash: 'h-frame', dim: 4 };
const sequence = { id: 'test-seq', hash: 'h-seq', length: 3, dim: 2 };
const v = (...xs: number[]): Float32Array => Float32Array.from(xs);

/** Map frames along the 4 axes and their opposites; sequences from frame 2 on. */
function axisMap(): PlaceMap {
  const map = PlaceMap.create({ encoder, sequence });
  const frames = [v(1, 0, 0, 0), v(0, 1, 0, 0), v(0, 0, 1, 0), v(0, 0, 0, 1), v(-1, 0, 0, 0)];
  const seqs = [undefined, undefined, v(1, 0), v(0, 1), v(-1, 0)];
  frames.forEach((f, i) => map.add({ stamp: BigInt(i) * 1_000_000_000n }, f, seqs[i]));
  return map;
}

describe('map/PlaceMap', () => {
  it('searches frames with both modes and returns cosine distances', () => {
    const map = axisMap();
    for (const mode of ['hnsw', 'exact'] as const) {
      const hits = map.searchFrames(v(0.6, 0.64, 0.48, 0), 3, { mode });
      assert.deepEqual(
        hits.map((h) => h.mapIndex),
        [1, 0, 2],
        mode,
      );
      assert.ok(Math.abs(hits[0].distance - 0.36) < 1e-6, `${mode}: ${hits[0].distance}`);
      assert.ok(Math.abs(hits[1].distance - 0.4) < 1e-6, `${mode}: ${hits[1].distance}`);
      assert.ok(Math.abs(hits[2].distance - 0.52) < 1e-6, `${mode}: ${hits[2].distance}`);
    }
  });

  it('reports the END frame of a matching sequence as mapIndex', () => {
    const map = axisMap();
    assert.deepEqual(Array.from(map.sequenceEnds!), [2, 3, 4]);
    for (const mode of ['hnsw', 'exact'] as const) {
      const hits = map.searchSequences(v(0, 1), 2, { mode });
      assert.equal(hits[0].mapIndex, 3, mode);
      assert.ok(Math.abs(hits[0].distance) < 1e-6);
      assert.equal(hits[1].distance.toFixed(6), '1.000000');
    }
  });

  it('returns all entries when k exceeds the map size, and none for k = 0', () => {
    const map = axisMap();
    for (const mode of ['hnsw', 'exact'] as const) {
      assert.equal(map.searchFrames(v(1, 0, 0, 0), 50, { mode }).length, 5);
      assert.equal(map.searchSequences(v(1, 0), 50, { mode }).length, 3);
      assert.deepEqual(map.searchFrames(v(1, 0, 0, 0), 0, { mode }), []);
    }
    const empty = PlaceMap.create({ encoder });
    assert.deepEqual(empty.searchFrames(v(1, 0, 0, 0), 5), []);
    assert.deepEqual(empty.searchFrames(v(1, 0, 0, 0), 5, { mode: 'exact' }), []);
  });

  it('rejects queries of the wrong size, with NaN, or not normalised', () => {
    const map = axisMap();
    assert.throws(() => map.searchFrames(v(1, 0, 0), 1), DescriptorError);
    assert.throws(() => map.searchFrames(v(NaN, 0, 0, 0), 1), DescriptorError);
    assert.throws(() => map.searchFrames(v(2, 0, 0, 0), 1), /L2-normalised/);
    assert.throws(() => map.searchSequences(v(1, 0, 0, 0), 1), DescriptorError);
    assert.throws(() => map.searchFrames(v(1, 0, 0, 0), 1.5), ConfigError);
    assert.throws(() => map.searchFrames(v(1, 0, 0, 0), 1, { mode: 'fast' as 'hnsw' }), ConfigError);
  });

  it('accepts an all-zero descriptor (a blank frame), equally far from everything', () => {
    const map = axisMap();
    map.add({ stamp: 9n }, v(0, 0, 0, 0));
    const hits = map.searchFrames(v(0, 0, 0, 0), 6, { mode: 'exact' });
    assert.ok(hits.every((h) => h.distance === 1));
  });

  it('validates added frames and stores nothing when one is rejected', () => {
    const map = axisMap();
    assert.throws(() => map.add({ stamp: 1n }, v(1, 0, 0)), DescriptorError);
    assert.throws(() => map.add({ stamp: 1n }, v(1, 0, 0, 0), v(1, 0, 0)), DescriptorError);
    assert.throws(() => map.add({ stamp: 1n, index: 7 }, v(1, 0, 0, 0)), /next map index is 5/);
    assert.throws(() => map.add({ stamp: 1 as unknown as bigint }, v(1, 0, 0, 0)), MapFormatError);
    assert.equal(map.size, 5);
    assert.equal(map.frameIndex.count, 5);
    const early = PlaceMap.create({ encoder, sequence });
    assert.throws(() => early.add({ stamp: 0n }, v(1, 0, 0, 0), v(1, 0)), /cannot end a full window of 3/);
    const frameOnly = PlaceMap.create({ encoder });
    assert.throws(() => frameOnly.add({ stamp: 0n }, v(1, 0, 0, 0), v(1, 0)), /without a sequence encoder/);
    assert.throws(() => frameOnly.searchSequences(v(1, 0), 1), MapFormatError);
  });

  it('keeps copies of metadata, with poses and sources', () => {
    const map = PlaceMap.create({ encoder });
    const pose = { position: { x: 1, y: 2, z: 3 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
    map.add({ stamp: 2n ** 62n, pose, source: 'a.png' }, v(1, 0, 0, 0));
    pose.position.x = 99;
    assert.deepEqual(map.frames[0], {
      index: 0,
      stamp: 2n ** 62n,
      pose: { position: { x: 1, y: 2, z: 3 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
      source: 'a.png',
    });
    assert.equal(map.hasPoses, true);
    map.add({ stamp: 3n }, v(0, 1, 0, 0));
    assert.equal(map.hasPoses, false);
  });

  it('grows storage and HNSW capacity past the initial size', () => {
    const dim = 8;
    const map = PlaceMap.create({ encoder: { ...encoder, dim }, initialCapacity: 4 });
    assert.equal(map.frameIndex.capacity, 16);
    const rows = randomUnitVectors(100, dim, 3);
    rows.forEach((r, i) => map.add({ stamp: BigInt(i) }, r));
    assert.equal(map.size, 100);
    assert.equal(map.frameIndex.count, 100);
    assert.equal(map.frameIndex.capacity, 128);
    assert.equal(map.frameDescriptors.rows, 100);
    assert.deepEqual(map.frameDescriptors.row(57), rows[57]);
    // Every row is findable as its own nearest neighbour, the earliest and the latest included.
    for (const i of [0, 15, 16, 17, 63, 64, 99]) {
      assert.equal(map.searchFrames(rows[i], 1)[0].mapIndex, i);
      assert.equal(map.searchFrames(rows[i], 1, { mode: 'exact' })[0].mapIndex, i);
    }
  });

  it('keeps old descriptor views valid after the storage grows', () => {
    const map = PlaceMap.create({ encoder });
    map.add({ stamp: 0n }, v(1, 0, 0, 0));
    const before = map.frameDescriptors;
    for (let i = 0; i < 40; i++) map.add({ stamp: BigInt(i + 1) }, v(0, 1, 0, 0));
    assert.deepEqual(Array.from(before.row(0)), [1, 0, 0, 0]);
    assert.equal(map.frameDescriptors.rows, 41);
  });

  it('HNSW recall@10 against exact search is >= 0.95 at default params (3000 random 256-D unit vectors)', function () {
    const dim = 256;
    const map = PlaceMap.create({ encoder: { ...encoder, dim } });
    randomUnitVectors(3000, dim, 11).forEach((r, i) => map.add({ stamp: BigInt(i) }, r));
    const queries = randomUnitVectors(200, dim, 12);
    const recall = hnswRecallAtK(map, 'frames', queries, 10);
    // Measured 0.98 (efSearch 200); with efSearch 64 it is ~0.75.
    assert.ok(recall >= 0.95, `recall@10 ${recall} with ${JSON.stringify(DEFAULT_HNSW_PARAMS)}`);
  });

  it('rejects map settings that could not be saved', () => {
    assert.throws(() => PlaceMap.create({ encoder: { ...encoder, id: '' } }), /map encoder\.id/);
    assert.throws(() => PlaceMap.create({ encoder: { ...encoder, dim: 0 } }), ConfigError);
    assert.throws(() => PlaceMap.create({ encoder, sequence: { ...sequence, length: 0 } }), /map sequence\.length/);
    assert.throws(() => PlaceMap.create({ encoder, createdAt: 'yesterday' }), /map createdAt/);
    const map = PlaceMap.create({ encoder });
    const pose = { position: { x: NaN, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
    assert.throws(() => map.add({ stamp: 0n, pose }, v(1, 0, 0, 0)), /non-finite/);
    // Extra fields of a richer object (an encoder instance) are not kept.
    const rich = PlaceMap.create({ encoder: { ...encoder, provider: 'cpu' } as typeof encoder });
    assert.deepEqual(rich.info.encoder, encoder);
  });

  it('rejects HNSW params out of range and applies defaults to the rest', () => {
    assert.throws(() => PlaceMap.create({ encoder, hnsw: { m: 1 } }), /hnsw\.m/);
    assert.throws(() => PlaceMap.create({ encoder, hnsw: { efSearch: 0 } }), ConfigError);
    const map = PlaceMap.create({ encoder, hnsw: { efSearch: 7 } });
    assert.deepEqual(map.info.hnsw, { ...DEFAULT_HNSW_PARAMS, efSearch: 7 });
  });

  it('finds all k neighbours when k exceeds efSearch', () => {
    const dim = 8;
    const map = PlaceMap.create({ encoder: { ...encoder, dim }, hnsw: { efSearch: 2 } });
    randomUnitVectors(60, dim, 5).forEach((r, i) => map.add({ stamp: BigInt(i) }, r));
    const [q] = randomUnitVectors(1, dim, 6);
    const hnsw = map.searchFrames(q, 40).map((c) => c.mapIndex);
    const exact = map.searchFrames(q, 40, { mode: 'exact' }).map((c) => c.mapIndex);
    assert.equal(hnsw.length, 40);
    assert.deepEqual([...hnsw].sort((a, b) => a - b), [...exact].sort((a, b) => a - b));
  });

  it('fromParts rejects contents that disagree', () => {
    const map = axisMap();
    const parts = {
      info: map.info,
      frames: map.frames.slice(),
      frameDescriptors: map.frameDescriptors,
      sequenceDescriptors: map.sequenceDescriptors,
      sequenceEnds: Int32Array.from([2, 2, 4]),
    };
    assert.throws(() => PlaceMap.fromParts(parts), /ends must increase/);
    assert.throws(() => PlaceMap.fromParts({ ...parts, sequenceEnds: Int32Array.from([1, 3, 4]) }), /ends must increase/);
    assert.throws(() => PlaceMap.fromParts({ ...parts, frames: parts.frames.slice(1) }), /5 frame descriptors for 4 frames/);
    const rebuilt = PlaceMap.fromParts({ ...parts, sequenceEnds: Int32Array.from([2, 3, 4]) });
    assert.equal(rebuilt.frameIndex.count, 5);
    assert.equal(rebuilt.searchSequences(v(-1, 0), 1)[0].mapIndex, 4);
  });
});
