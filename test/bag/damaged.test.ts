// Truncated and corrupt bags: a clear BagError or a partial read with a warning, never a crash or hang.
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { McapIndexedReader, type IReadable } from '@mcap/core';
import { BagError } from '../../src/core/errors.js';
import { openBag } from '../../src/bag/reader.js';
import { McapBagWriter } from '../../src/bag/writer.js';
import { FIXTURES, collectWarnings, fixturesPresent, readAll, withTempDir } from './helpers.js';

const T0 = 1_700_000_000_000_000_000n;
const N = 40;

/** A bag of N std_msgs/String messages in chunks of a few messages each (uncompressed). */
async function writeChunkyBag(dir: string): Promise<string> {
  const writer = await McapBagWriter.create(dir, { chunkSizeBytes: 200 });
  await writer.addTopic('/chatter', 'std_msgs/msg/String');
  for (let i = 0; i < N; i++) await writer.write('/chatter', T0 + BigInt(i) * 1000n, { data: `message number ${i}` });
  return (await writer.close()).mcapPath;
}

function readable(bytes: Uint8Array): IReadable {
  return { size: async () => BigInt(bytes.byteLength), read: async (o, l) => bytes.subarray(Number(o), Number(o + l)) };
}

const isBagError = (pattern: RegExp) => (e: unknown) => e instanceof BagError && pattern.test(e.message);

describe('damaged bags', () => {
  it('truncated MCAP: reads exactly the complete chunks before the cut, with a warning', () =>
    withTempDir(async (tmp) => {
      const full = new Uint8Array(await readFile(await writeChunkyBag(join(tmp, 'ok'))));
      const { chunkIndexes, dataEndOffset } = await McapIndexedReader.Initialize({ readable: readable(full) });
      assert.ok(chunkIndexes.length >= 5);
      // Cut inside chunk k (k = 1, 3, last): chunks 0..k-1 survive. Cutting in the summary loses nothing.
      const cases = [1, 3, chunkIndexes.length - 1].map((k) => ({
        length: Number(chunkIndexes[k].chunkStartOffset + chunkIndexes[k].chunkLength / 2n),
        expected: Number((chunkIndexes[k].messageStartTime - T0) / 1000n),
      }));
      cases.push({ length: Number(dataEndOffset) + 10, expected: N });
      for (const { length, expected } of cases) {
        const cut = join(tmp, `cut-${length}.mcap`);
        await writeFile(cut, full.subarray(0, length));
        const { warn, warnings } = collectWarnings();
        const bag = await openBag(cut, { warn });
        const read = await readAll(bag);
        await readAll(bag); // a second pass reports nothing new
        await bag.close();
        assert.equal(read.length, expected, `cut at ${length}`);
        assert.equal(bag.info().messageCount, expected);
        read.forEach((m, i) => {
          assert.equal(m.logTime, T0 + BigInt(i) * 1000n);
          assert.deepEqual(m.message, { data: `message number ${i}` });
        });
        assert.equal(warnings.length, 2, warnings.join('\n'));
        assert.match(warnings[0], /summary or footer is missing or damaged/);
        assert.match(warnings[1], /ends before its footer/);
      }
    }));

  it('truncated fixture MCAP (one zstd chunk) and cuts inside the header do not crash', async function () {
    if (!fixturesPresent()) this.skip();
    const full = await readFile(join(FIXTURES, 'mcap_talker', 'talker.mcap'));
    await withTempDir(async (tmp) => {
      for (const length of [8, 100, 6000, full.byteLength - 20]) {
        const cut = join(tmp, `talker-${length}.mcap`);
        await writeFile(cut, full.subarray(0, length));
        const { warn, warnings } = collectWarnings();
        const bag = await openBag(cut, { warn });
        const read = await readAll(bag);
        await bag.close();
        assert.ok(read.length <= 20);
        assert.ok(warnings.length >= 1);
      }
      for (const length of [0, 5]) {
        const cut = join(tmp, `magic-${length}.mcap`);
        await writeFile(cut, full.subarray(0, length));
        await assert.rejects(openBag(cut), isBagError(/not an MCAP file/));
      }
    });
  });

  it('corrupt chunk inside an indexed MCAP: stops at the bad chunk with one warning', () =>
    withTempDir(async (tmp) => {
      const path = await writeChunkyBag(join(tmp, 'ok'));
      const bytes = new Uint8Array(await readFile(path));
      const index = await McapIndexedReader.Initialize({ readable: readable(bytes) });
      const third = index.chunkIndexes[2];
      // Flip the last byte of the third chunk's records: its CRC no longer matches.
      const at = Number(third.chunkStartOffset + third.chunkLength) - 1;
      bytes[at] ^= 0xff;
      const bad = join(tmp, 'bad.mcap');
      await writeFile(bad, bytes);
      const { warn, warnings } = collectWarnings();
      const bag = await openBag(bad, { warn });
      const read = await readAll(bag);
      await bag.close();
      // Exactly the messages of the two intact chunks before it.
      assert.equal(read.length, Number((third.messageStartTime - T0) / 1000n));
      assert.ok(read.length > 0);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /reading stopped early.*crc/i);
    }));

  it('truncated or garbage .db3: a BagError that says what to do', async function () {
    if (!fixturesPresent()) this.skip();
    const full = await readFile(join(FIXTURES, 'sqlite3_cdr_test', 'cdr_test_0.db3'));
    await withTempDir(async (tmp) => {
      for (const length of [100, 8192, full.byteLength - 4096]) {
        const cut = join(tmp, `cut-${length}.db3`);
        await writeFile(cut, full.subarray(0, length));
        await assert.rejects(openBag(cut), isBagError(/damaged.*\.recover/));
      }
      const garbage = join(tmp, 'garbage.db3');
      await writeFile(garbage, Buffer.from('this is not a database at all, just text that is long enough to fill a header'.repeat(20)));
      await assert.rejects(openBag(garbage), isBagError(/not a rosbag2 sqlite3 bag or is damaged/));
    });
  });

  it('bad paths and metadata: BagError', () =>
    withTempDir(async (tmp) => {
      await assert.rejects(openBag(join(tmp, 'missing')), isBagError(/bag not found/));
      await assert.rejects(openBag(tmp), isBagError(/no metadata\.yaml and no \.mcap or \.db3/));
      const txt = join(tmp, 'notes.txt');
      await writeFile(txt, 'hello');
      await assert.rejects(openBag(txt), isBagError(/expected a \.mcap or \.db3/));
      await assert.rejects(openBag(join(tmp, 'x.mcap.zstd')), isBagError(/bag not found/));

      const dir = join(tmp, 'badmeta');
      await mkdir(dir);
      await writeFile(join(dir, 'metadata.yaml'), 'rosbag2_bagfile_information:\n  version: 5\n  storage_identifier: mcap\n');
      await assert.rejects(openBag(dir), isBagError(/invalid rosbag2_bagfile_information\.duration/));
      await writeFile(join(dir, 'metadata.yaml'), 'just: [unclosed');
      await assert.rejects(openBag(dir), isBagError(/not valid YAML/));
      await writeFile(join(dir, 'metadata.yaml'), 'other: 1\n');
      await assert.rejects(openBag(dir), isBagError(/no rosbag2_bagfile_information/));

      const compressed = join(tmp, 'compressed');
      await mkdir(compressed);
      await writeFile(
        join(compressed, 'metadata.yaml'),
        [
          'rosbag2_bagfile_information:',
          '  version: 5',
          '  storage_identifier: sqlite3',
          '  relative_file_paths: [compressed_0.db3.zstd]',
          '  duration: {nanoseconds: 0}',
          '  starting_time: {nanoseconds_since_epoch: 0}',
          '  message_count: 0',
          '  topics_with_message_count: []',
          '  compression_format: zstd',
          '  compression_mode: FILE',
        ].join('\n'),
      );
      await assert.rejects(openBag(compressed), isBagError(/compressed \(zstd, mode FILE\).*decompress/));

      const missingFile = join(tmp, 'missingfile');
      await mkdir(missingFile);
      await writeFile(
        join(missingFile, 'metadata.yaml'),
        (await readFile(join(compressed, 'metadata.yaml'), 'utf8'))
          .replace('compressed_0.db3.zstd', 'gone_0.mcap')
          .replace('compression_format: zstd', 'compression_format: ""')
          .replace('compression_mode: FILE', 'compression_mode: ""'),
      );
      await assert.rejects(openBag(missingFile), isBagError(/bag file missing: .*gone_0\.mcap/));
    }));
});
