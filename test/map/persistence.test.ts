import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MapFormatError } from '../../src/core/errors.js';
import { MAP_FILES } from '../../src/map/map-files.js';
import { PlaceMap } from '../../src/map/place-map.js';
import { loadMap, readMapManifest } from '../../src/map/load-map.js';
import { saveMap } from '../../src/map/save-map.js';
import { type MapManifest } from '../../src/map/manifest.js';
import { replaceDirAtomically } from '../../src/map/atomic-dir.js';
import { sha256Hex } from '../../src/map/map-files.js';
import { randomUnitVectors } from '../support/random-unit-vectors.js';
import { SAMPLE_ENCODER, SAMPLE_SEQUENCE, sampleMap } from './fixtures/sample-map.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Every search result of `a` and `b` for the same queries, both modes, both indexes. */
function assertSameSearches(a: PlaceMap, b: PlaceMap): void {
  const fq = randomUnitVectors(10, SAMPLE_ENCODER.dim, 99);
  const sq = randomUnitVectors(10, SAMPLE_SEQUENCE.dim, 98);
  for (const mode of ['hnsw', 'exact'] as const) {
    for (const q of fq) assert.deepEqual(b.searchFrames(q, 7, { mode }), a.searchFrames(q, 7, { mode }));
    for (const q of sq) assert.deepEqual(b.searchSequences(q, 7, { mode }), a.searchSequences(q, 7, { mode }));
  }
}

async function flipByte(file: string, at: number): Promise<void> {
  const bytes = await readFile(file);
  bytes[at] ^= 0x10;
  await writeFile(file, bytes);
}

/** Edits a data file and updates its manifest entry, to reach the parsers behind the checksum. */
async function replaceSigned(dir: string, name: string, bytes: Uint8Array): Promise<void> {
  await writeFile(path.join(dir, name), bytes);
  const manifest = JSON.parse(await readFile(path.join(dir, MAP_FILES.manifest), 'utf8')) as MapManifest;
  manifest.files[name] = { sha256: sha256Hex(bytes), bytes: bytes.byteLength };
  await writeFile(path.join(dir, MAP_FILES.manifest), JSON.stringify(manifest));
}

async function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(dir, MAP_FILES.manifest);
  const m = JSON.parse(await readFile(file, 'utf8'));
  edit(m);
  await writeFile(file, JSON.stringify(m));
}

describe('map/saveMap + loadMap', () => {
  let tmp: string;
  let original: PlaceMap;
  let saved: string;

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-map-test-'));
    original = sampleMap();
    saved = path.join(tmp, 'saved');
    await saveMap(original, saved);
  });
  after(async () => rm(tmp, { recursive: true, force: true }));

  /** A fresh copy of the saved map to damage. */
  async function copy(name: string): Promise<string> {
    const dir = path.join(tmp, name);
    await cp(saved, dir, { recursive: true });
    return dir;
  }

  const noWarnings = (m: string): never => assert.fail(`unexpected warning: ${m}`);

  it('round-trips descriptors, metadata (bigint stamps, poses) and search results', async () => {
    const loaded = await loadMap(saved, { onWarning: noWarnings });
    assert.deepEqual(loaded.info, original.info);
    assert.equal(loaded.size, 60);
    assert.deepEqual(loaded.frames, original.frames);
    assert.equal(loaded.frames[59].stamp, 1_700_000_000_123_456_789n + 59n * 100_000_001n);
    assert.deepEqual(loaded.frameDescriptors.data, original.frameDescriptors.data);
    assert.deepEqual(loaded.sequenceDescriptors!.data, original.sequenceDescriptors!.data);
    assert.deepEqual(Array.from(loaded.sequenceEnds!), Array.from({ length: 56 }, (_, i) => i + 4));
    assert.equal(loaded.hasPoses, true);
    assertSameSearches(original, loaded);
  });

  it('writes the documented files and a manifest that describes them', async () => {
    const names = (await readdir(saved)).sort();
    assert.deepEqual(names, [
      'frames.f32',
      'frames.hnsw',
      'frames.jsonl',
      'manifest.json',
      'sequence-ends.i32',
      'sequences.f32',
      'sequences.hnsw',
    ]);
    const m = await readMapManifest(saved);
    assert.equal(m.formatVersion, 1);
    assert.deepEqual(m.encoder, SAMPLE_ENCODER);
    assert.deepEqual(m.sequence, SAMPLE_SEQUENCE);
    assert.equal(m.frames, 60);
    assert.equal(m.sequences, 56);
    assert.equal(m.hasPoses, true);
    assert.equal(m.source, 'nordland64/summer');
    assert.equal(m.files['frames.f32'].bytes, 60 * 32 * 4);
    for (const [name, entry] of Object.entries(m.files)) {
      const bytes = await readFile(path.join(saved, name));
      assert.equal(entry.bytes, bytes.byteLength, name);
      assert.equal(entry.sha256, sha256Hex(bytes), name);
    }
    // Raw little-endian float32 rows, readable without seqvpr.
    const raw = await readFile(path.join(saved, 'frames.f32'));
    assert.equal(raw.readFloatLE(4 * (32 * 3 + 5)), original.frameDescriptors.row(3)[5]);
    const firstLine = JSON.parse((await readFile(path.join(saved, 'frames.jsonl'), 'utf8')).split('\n')[0]);
    assert.equal(firstLine.stamp, '1700000000123456789');
  });

  it('round-trips a frame-only map without poses, and an empty map', async () => {
    const map = PlaceMap.create({ encoder: { id: 'e', hash: 'h', dim: 8 }, hnsw: { m: 8, efSearch: 50 } });
    randomUnitVectors(20, 8, 4).forEach((r, i) => map.add({ stamp: BigInt(i) }, r));
    const dir = path.join(tmp, 'frame-only');
    const manifest = await saveMap(map, dir);
    assert.equal(manifest.sequence, null);
    assert.equal(manifest.hasPoses, false);
    assert.deepEqual(Object.keys(manifest.files).sort(), ['frames.f32', 'frames.hnsw', 'frames.jsonl']);
    const loaded = await loadMap(dir, { onWarning: noWarnings });
    assert.deepEqual(loaded.frames, map.frames);
    assert.equal(loaded.sequenceDescriptors, undefined);
    assert.deepEqual(loaded.info.hnsw, map.info.hnsw);
    const q = randomUnitVectors(1, 8, 5)[0];
    assert.deepEqual(loaded.searchFrames(q, 5), map.searchFrames(q, 5));

    const emptyDir = path.join(tmp, 'empty');
    await saveMap(PlaceMap.create({ encoder: SAMPLE_ENCODER, sequence: SAMPLE_SEQUENCE }), emptyDir);
    const empty = await loadMap(emptyDir, { onWarning: noWarnings });
    assert.equal(empty.size, 0);
    assert.deepEqual(empty.searchSequences(randomUnitVectors(1, 32, 1)[0], 3), []);
  });

  it('a loaded map keeps growing past its loaded size', async () => {
    const loaded = await loadMap(saved, { onWarning: noWarnings });
    const extra = randomUnitVectors(100, 32, 77);
    extra.forEach((r, i) => loaded.add({ stamp: BigInt(i) }, r, r));
    assert.equal(loaded.size, 160);
    assert.equal(loaded.sequenceCount, 156);
    assert.equal(loaded.searchFrames(extra[99], 1)[0].mapIndex, 159);
    assert.equal(loaded.searchSequences(extra[50], 1)[0].mapIndex, 110);
  });

  describe('rejects damaged maps', () => {
    const rejects = async (dir: string, pattern: RegExp): Promise<void> => {
      await assert.rejects(loadMap(dir, { onWarning: noWarnings }), (e: unknown) => {
        assert.ok(e instanceof MapFormatError, `expected MapFormatError, got ${e}`);
        assert.match(e.message, pattern);
        return true;
      });
    };

    it('truncated frames.f32', async () => {
      const dir = await copy('truncated');
      await truncate(path.join(dir, 'frames.f32'), 60 * 32 * 4 - 4);
      await rejects(dir, /frames\.f32: file has 7676 bytes, the manifest says 7680 \(truncated/);
    });

    it('a flipped byte in any data file (checksum)', async () => {
      for (const name of ['frames.f32', 'frames.jsonl', 'sequences.f32', 'sequence-ends.i32']) {
        const dir = await copy(`flipped-${name}`);
        await flipByte(path.join(dir, name), 17);
        await rejects(dir, new RegExp(`${name.replace('.', '\\.')}: checksum mismatch`));
      }
    });

    it('a missing data file', async () => {
      const dir = await copy('missing');
      await rm(path.join(dir, 'sequences.f32'));
      await rejects(dir, /sequences\.f32: file is missing/);
    });

    it('manifest.json that is not JSON, missing, of an unknown version, or invalid', async () => {
      const bad = await copy('bad-json');
      await writeFile(path.join(bad, 'manifest.json'), '{"formatVersion": 1,');
      await rejects(bad, /manifest\.json is not valid JSON/);

      const version = await copy('version');
      await editManifest(version, (m) => (m.formatVersion = 2));
      await rejects(version, /map format version 2, but this seqvpr reads version 1/);

      const invalid = await copy('invalid');
      await editManifest(invalid, (m) => delete m.encoder);
      await rejects(invalid, /manifest\.json: encoder:/);

      const counts = await copy('counts');
      await editManifest(counts, (m) => (m.frames = 61));
      await rejects(counts, /frames\.f32 has 7680 bytes, but its counts need 7808/);

      const missing = await copy('no-manifest');
      await rm(path.join(missing, 'manifest.json'));
      await rejects(missing, /is not a seqvpr map \(no manifest\.json\)/);

      await rejects(path.join(tmp, 'nowhere'), /no map at .*nowhere: the directory does not exist/);
    });

    it('bad frame metadata behind a valid checksum', async () => {
      const lines = (await readFile(path.join(saved, 'frames.jsonl'), 'utf8')).split('\n');
      const notJson = await copy('meta-json');
      await replaceSigned(notJson, 'frames.jsonl', Buffer.from([lines[0], '{oops', ...lines.slice(2)].join('\n')));
      await rejects(notJson, /frames\.jsonl line 2 is not valid JSON/);

      const badStamp = await copy('meta-stamp');
      const l3 = JSON.parse(lines[2]);
      l3.stamp = 12.5;
      await replaceSigned(badStamp, 'frames.jsonl', Buffer.from([...lines.slice(0, 2), JSON.stringify(l3), ...lines.slice(3)].join('\n')));
      await rejects(badStamp, /frames\.jsonl line 3: stamp:/);

      const short = await copy('meta-short');
      await replaceSigned(short, 'frames.jsonl', Buffer.from(lines.slice(1).join('\n')));
      await rejects(short, /has 59 frames, the manifest says 60/);
    });

    it('a map built with another encoder than expected, naming both', async () => {
      const expect = { encoderId: 'mobilenet-gem', encoderHash: 'c'.repeat(64) };
      await assert.rejects(loadMap(saved, { expect }), (e: Error) => {
        assert.ok(e instanceof MapFormatError);
        assert.match(e.message, /built with frame encoder "patchnorm-8x4".*this pipeline uses "mobilenet-gem"/);
        return true;
      });
      const seqExpect = {
        encoderId: SAMPLE_ENCODER.id,
        encoderHash: SAMPLE_ENCODER.hash,
        sequence: { id: 'seqnet-s5', hash: 'd'.repeat(64), length: 5 },
      };
      await assert.rejects(loadMap(saved, { expect: seqExpect }), /sequence encoder "smooth-5".*uses "seqnet-s5"/);
      const ok = { encoderId: SAMPLE_ENCODER.id, encoderHash: SAMPLE_ENCODER.hash, dim: 32, sequence: SAMPLE_SEQUENCE };
      assert.equal((await loadMap(saved, { expect: ok })).size, 60);
    });
  });

  describe('rebuilds a missing or damaged HNSW index from the verified descriptors', () => {
    for (const [what, damage] of [
      ['missing', (f: string) => rm(f)],
      ['flipped byte', (f: string) => flipByte(f, 200)],
      ['truncated', (f: string) => truncate(f, 100)],
    ] as const) {
      it(`${what} index files`, async () => {
        const dir = await copy(`index-${what.replace(' ', '-')}`);
        await damage(path.join(dir, 'frames.hnsw'));
        await damage(path.join(dir, 'sequences.hnsw'));
        const warnings: string[] = [];
        const loaded = await loadMap(dir, { onWarning: (m) => warnings.push(m) });
        assert.equal(warnings.length, 2);
        assert.match(warnings[0], /frames\.hnsw .*rebuilding the index from the 60 verified descriptors/);
        assert.match(warnings[1], /sequences\.hnsw .*rebuilding the index from the 56 verified descriptors/);
        assert.equal(loaded.frameIndex.count, 60);
        // Same seed and insertion order: the rebuilt graph answers exactly like the saved one.
        assertSameSearches(original, loaded);
      });
    }
  });

  describe('saves atomically', () => {
    const leftovers = async (dir: string): Promise<string[]> =>
      (await readdir(path.dirname(dir))).filter((n) => n.startsWith(`.${path.basename(dir)}.`));

    it('replaces an existing map and leaves no temp or old copies', async () => {
      const dir = await copy('replace');
      await saveMap(sampleMap(25, 5), dir);
      const loaded = await loadMap(dir, { onWarning: noWarnings });
      assert.equal(loaded.size, 25);
      assert.deepEqual(await leftovers(dir), []);
    });

    it('keeps the old map when writing the new one fails', async () => {
      const dir = await copy('failed-save');
      const next = sampleMap(25, 5);
      next.frameIndex.writeSync = () => {
        throw new Error('disk full');
      };
      await assert.rejects(saveMap(next, dir), /disk full/);
      assert.equal((await loadMap(dir, { onWarning: noWarnings })).size, 60);
      assert.deepEqual(await leftovers(dir), []);

      await assert.rejects(
        replaceDirAtomically(dir, async (temp) => {
          await writeFile(path.join(temp, 'manifest.json'), '{}');
          throw new Error('interrupted');
        }),
        /interrupted/,
      );
      assert.equal((await loadMap(dir, { onWarning: noWarnings })).size, 60);
      assert.deepEqual(await leftovers(dir), []);
    });

    it('leaves the old map intact when the process dies mid-save', async () => {
      const dir = path.join(tmp, 'crash');
      const child = promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/save-then-die.ts'), dir]);
      await assert.rejects(child, (e: { code?: number }) => e.code === 3);
      const loaded = await loadMap(dir, { onWarning: noWarnings });
      assert.equal(loaded.size, 30);
      // The dead save's temp directory stays behind, hidden, and holds no manifest.
      const left = await leftovers(dir);
      assert.equal(left.length, 1);
      assert.match(left[0], /^\.crash\.tmp-/);
      assert.ok(!(await readdir(path.join(tmp, left[0]))).includes('manifest.json'));
    });

    it('points at the previous map when a save died between its renames', async () => {
      const dir = await copy('between-renames');
      const aside = path.join(tmp, '.between-renames.old-abc123');
      await rename(dir, aside);
      await assert.rejects(loadMap(dir), /a save to it was interrupted: the previous map is at .*\.between-renames\.old-abc123/);
      assert.ok((await stat(path.join(aside, 'manifest.json'))).isFile());
    });

    it('saves a consistent snapshot while frames keep arriving', async () => {
      const live = sampleMap(30, 8);
      const extra = randomUnitVectors(50, 32, 9);
      let saving = true;
      const feed = (): void => {
        // A few frames per turn of the event loop, interleaved with the save's awaits.
        for (let n = 0; n < 3; n++) live.add({ stamp: 0n }, extra[live.size % 50], extra[live.size % 50]);
        if (saving) setImmediate(feed);
      };
      setImmediate(feed);
      const dir = path.join(tmp, 'live');
      const manifest = await saveMap(live, dir).finally(() => (saving = false));
      // The save awaits file writes after its snapshot, so frames arrived after it too.
      assert.ok(manifest.frames < live.size, `saved ${manifest.frames} of ${live.size} frames`);
      const loaded = await loadMap(dir, { onWarning: noWarnings });
      assert.equal(loaded.size, manifest.frames);
      assert.equal(loaded.sequenceCount, manifest.sequences);
      assert.equal(loaded.frameIndex.count, manifest.frames);
      assert.deepEqual(loaded.frameDescriptors.data, live.frameDescriptors.data.subarray(0, manifest.frames * 32));
    });

    it('refuses to replace a directory that is not a map', async () => {
      const dir = path.join(tmp, 'user-data');
      await cp(path.join(here, 'fixtures'), dir, { recursive: true });
      await assert.rejects(saveMap(sampleMap(5), dir), /refusing to replace .*not a seqvpr map/);
      assert.ok((await readdir(dir)).includes('sample-map.ts'));
    });
  });
});
