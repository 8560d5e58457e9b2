// Every rosbag2 fixture bag (MCAP and sqlite3, recorded by rosbag2 itself) opens and decodes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BagError } from '../../src/core/errors.js';
import { formatBagInfo } from '../../src/bag/format-info.js';
import { parseOfferedQos } from '../../src/bag/qos.js';
import { openBag } from '../../src/bag/reader.js';
import { FIXTURES, collectWarnings, fixturesPresent, readAll } from './helpers.js';

interface MetadataYaml {
  storage_identifier: string;
  message_count: bigint;
  duration: { nanoseconds: bigint };
  starting_time: { nanoseconds_since_epoch: bigint };
  topics_with_message_count: {
    message_count: bigint;
    topic_metadata: { name: string; type: string; serialization_format: string; offered_qos_profiles: string };
  }[];
}

function metadataOf(bag: string): MetadataYaml {
  const text = readFileSync(join(FIXTURES, bag, 'metadata.yaml'), 'utf8');
  return parse(text, { intAsBigInt: true }).rosbag2_bagfile_information;
}

/** The QoS policies that matter for matching publishers (bags differ in how they store infinite durations). */
function policies(qos: string) {
  return parseOfferedQos(qos).map((p) => [p.history, p.depth, p.reliability, p.durability, p.liveliness]);
}

const BAGS = ['mcap_talker', 'sqlite3_talker', 'mcap_cdr_test', 'sqlite3_cdr_test'];
const TALKER_FIRST_STAMP = 1585866235112411371n;

describe('bag reader on the rosbag2 fixture bags', function () {
  before(function () {
    if (!fixturesPresent()) this.skip(); // ../shared/data/rosbag2-fixtures is not on this machine
  });

  for (const name of BAGS) {
    it(`${name}: topics, types, counts, start and duration equal metadata.yaml`, async () => {
      const expected = metadataOf(name);
      const bag = await openBag(join(FIXTURES, name), { warn: () => {} });
      try {
        const info = bag.info();
        assert.equal(info.storage, expected.storage_identifier);
        assert.equal(BigInt(info.messageCount), expected.message_count);
        assert.equal(info.start, expected.starting_time.nanoseconds_since_epoch);
        assert.equal(info.durationNs, expected.duration.nanoseconds);
        assert.equal(info.end, info.start! + info.durationNs);
        const byName = new Map(info.topics.map((t) => [t.name, t]));
        assert.equal(byName.size, expected.topics_with_message_count.length);
        for (const { message_count, topic_metadata: m } of expected.topics_with_message_count) {
          const t = byName.get(m.name);
          assert.ok(t, `topic ${m.name} missing`);
          assert.equal(t.type, m.type);
          assert.equal(BigInt(t.count), message_count);
          assert.equal(t.serializationFormat, m.serialization_format);
          assert.deepEqual(policies(t.offeredQosProfiles), policies(m.offered_qos_profiles));
          assert.equal(t.decodable, true);
        }
        // Streaming yields exactly the counted messages, in log-time order.
        const all = await readAll(bag);
        assert.equal(all.length, info.messageCount);
        for (let i = 1; i < all.length; i++) assert.ok(all[i].logTime >= all[i - 1].logTime);
        assert.equal(all[0].logTime, info.start);
        assert.equal(all.at(-1)!.logTime, info.end);
      } finally {
        await bag.close();
      }
    });
  }

  for (const name of ['mcap_talker', 'sqlite3_talker']) {
    it(`${name}: decodes std_msgs/String and rcl_interfaces/Log contents and stamps`, async () => {
      const { warn, warnings } = collectWarnings();
      const bag = await openBag(join(FIXTURES, name), { warn });
      try {
        const chatter = await readAll(bag, { topics: ['/topic'] });
        assert.deepEqual(
          chatter.map((m) => (m.message as { data: string }).data),
          Array.from({ length: 10 }, (_, i) => `Hello, world! ${i}`),
        );
        assert.equal(chatter[0].type, 'std_msgs/msg/String');
        assert.equal(chatter[0].logTime, 1585866235112609068n);
        // CDR bytes are passed through: 4-byte header, uint32 length 16, "Hello, world! 0\0".
        assert.deepEqual([...chatter[0].data.subarray(0, 8)], [0, 1, 0, 0, 16, 0, 0, 0]);
        assert.equal(chatter[0].publishTime, name.startsWith('mcap') ? chatter[0].logTime : undefined);

        const [log] = await readAll(bag, { topics: ['/rosout'], end: TALKER_FIRST_STAMP });
        assert.equal(log.logTime, TALKER_FIRST_STAMP);
        const m = log.message as { stamp: { sec: number; nanosec: number }; level: number; msg: string; name: string };
        assert.deepEqual(m.stamp, { sec: 1585866235, nanosec: 112130688 });
        assert.equal(m.level, 20);
        assert.equal(m.name, 'minimal_publisher');
        assert.equal(m.msg, "Publishing: 'Hello, world! 0'");
      } finally {
        await bag.close();
      }
      if (name === 'sqlite3_talker') {
        // This bag's message_definitions rows are stubs ("uint8 level", "Parameter[] ..."): one
        // warning each, then the built-in definitions decode the real payloads.
        assert.equal(warnings.length, 2, warnings.join('\n'));
        assert.match(warnings.join('\n'), /\/parameter_events.*cannot be parsed.*built-in/);
        assert.match(warnings.join('\n'), /\/rosout.*does not match its messages.*built-in/);
      } else {
        assert.deepEqual(warnings, []);
      }
    });
  }

  for (const name of ['mcap_cdr_test', 'sqlite3_cdr_test']) {
    it(`${name}: decodes test_msgs BasicTypes and Arrays from the bag's own definitions`, async () => {
      const bag = await openBag(join(FIXTURES, name), { warn: (m) => assert.fail(m) });
      try {
        const basic = await readAll(bag, { topics: ['/test_topic'] });
        assert.equal(basic.length, 3);
        assert.equal(basic[0].logTime, 1586406456763032325n);
        const b = basic[0].message as Record<string, unknown>;
        assert.equal(b.int32_value, 123);
        assert.equal(b.bool_value, false);
        assert.equal(b.uint64_value, 0n);

        const [arrays] = await readAll(bag, { topics: ['/array_topic'] });
        const a = arrays.message as Record<string, unknown>;
        assert.deepEqual(a.bool_values, [true, false, true]);
        assert.deepEqual(a.string_values, ['Complex Hello1', 'Complex Hello2', 'Complex Hello3']);
        assert.deepEqual([...(a.uint64_values_default as BigUint64Array)], [0n, 1n, 18446744073709551615n]);
        assert.equal((a.basic_types_values as unknown[]).length, 3);
      } finally {
        await bag.close();
      }
    });
  }

  it('opens a single .mcap or .db3 file as well as the bag folder', async () => {
    for (const file of ['mcap_talker/talker.mcap', 'sqlite3_talker/talker.db3']) {
      const bag = await openBag(join(FIXTURES, file), { warn: () => {} });
      assert.equal(bag.info().messageCount, 20);
      assert.equal(bag.info().files.length, 1);
      await bag.close();
    }
  });

  it('filters by topic and by an inclusive log-time range', async () => {
    const bag = await openBag(join(FIXTURES, 'mcap_talker'), { warn: () => {} });
    try {
      const chatter = await readAll(bag, { topics: ['/topic'] });
      const window = await readAll(bag, { topics: ['/topic'], start: chatter[2].logTime, end: chatter[4].logTime });
      assert.deepEqual(
        window.map((m) => m.logTime),
        chatter.slice(2, 5).map((m) => m.logTime),
      );
      assert.deepEqual(await readAll(bag, { start: chatter[9].logTime + 1n, topics: ['/topic'] }), []);
      assert.throws(() => bag.messages({ topics: ['/camera/image_raw'] }), (e: unknown) => e instanceof BagError && /\/topic/.test(e.message));
    } finally {
      await bag.close();
    }
    assert.throws(() => bag.messages(), BagError);
  });

  it('prints info like `ros2 bag info`', async () => {
    const bag = await openBag(join(FIXTURES, 'mcap_talker'), { warn: () => {} });
    const text = formatBagInfo(bag.info());
    await bag.close();
    assert.match(text, /^Files: {13}talker\.mcap$/m);
    assert.match(text, /^Storage id: {8}mcap$/m);
    assert.match(text, /^Duration: {10}4\.531096768s$/m);
    assert.match(text, /^Start: {13}2020-04-02T22:23:55\.112411371Z \(1585866235\.112411371\)$/m);
    assert.match(text, /^Messages: {10}20$/m);
    assert.match(text, /Topic: \/topic \| Type: std_msgs\/msg\/String \| Count: 10 \| Serialization Format: cdr/);
  });
});
