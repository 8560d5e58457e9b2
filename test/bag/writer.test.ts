// McapBagWriter: write -> read round trips, the MCAP layout rosbag2 expects, metadata.yaml.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseMsg } from '@foxglove/rosmsg';
import { McapIndexedReader, McapStreamReader, type IReadable } from '@mcap/core';
import { parse as parseYaml } from 'yaml';
import { BagError } from '../../src/core/errors.js';
import { readBagMetadata } from '../../src/bag/metadata.js';
import { QOS_PRESETS, parseOfferedQos, serializeOfferedQos } from '../../src/bag/qos.js';
import { openBag } from '../../src/bag/reader.js';
import { nsToStamp } from '../../src/bag/stamp.js';
import { McapBagWriter } from '../../src/bag/writer.js';
import { readAll, withTempDir } from './helpers.js';

// Stamps above 2^53 (9.007e15): Number arithmetic would round them.
const T0 = 1_700_000_000_123_456_789n;
const header = (t: bigint, frame_id: string) => ({ stamp: nsToStamp(t), frame_id });

/** 4x2 rgb8 image whose bytes are all distinct: (i * 7 + seed) mod 256. */
function image(t: bigint, seed: number) {
  return {
    header: header(t, 'camera_optical'),
    height: 2,
    width: 4,
    encoding: 'rgb8',
    is_bigendian: 0,
    step: 12,
    data: Uint8Array.from({ length: 24 }, (_, i) => (i * 7 + seed) % 256),
  };
}

function compressed(t: bigint, seed: number) {
  return { header: header(t, 'camera_optical'), format: 'rgb8; png compressed bgr8', data: Uint8Array.from([137, 80, 78, 71, seed, 1, 2, 3]) };
}

function odometry(t: bigint, i: number) {
  return {
    header: header(t, 'odom'),
    child_frame_id: 'base_link',
    pose: {
      pose: { position: { x: 1.5 * i, y: -2.25, z: 0.125 }, orientation: { x: 0, y: 0, z: Math.SQRT1_2, w: Math.SQRT1_2 } },
      covariance: Float64Array.from({ length: 36 }, (_, k) => (k % 7 === 0 ? 0.01 * (i + 1) : 0)),
    },
    twist: {
      twist: { linear: { x: 0.5, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0.1 * i } },
      covariance: new Float64Array(36),
    },
  };
}

interface Written {
  topic: string;
  logTime: bigint;
  message: Record<string, unknown>;
}

/** Writes 3 rounds of every topic, interleaved, with stamps 10 ms apart. */
async function writeSampleBag(dir: string, chunkSizeBytes?: number): Promise<Written[]> {
  const writer = await McapBagWriter.create(dir, { chunkSizeBytes });
  await writer.addTopic('/camera/image_raw', 'sensor_msgs/msg/Image', 'sensor_data');
  await writer.addTopic('/camera/image_raw/compressed', 'sensor_msgs/CompressedImage', 'sensor_data');
  await writer.addTopic('/odom', 'nav_msgs/msg/Odometry');
  await writer.addTopic('/chatter', 'std_msgs/msg/String', 'transient_local');
  const written: Written[] = [];
  for (let i = 0; i < 3; i++) {
    const t = T0 + BigInt(i) * 10_000_000n;
    const round: Written[] = [
      { topic: '/camera/image_raw', logTime: t + 1n, message: image(t, i) },
      { topic: '/camera/image_raw/compressed', logTime: t + 2n, message: compressed(t, i) },
      { topic: '/odom', logTime: t + 3n, message: odometry(t, i) },
      { topic: '/chatter', logTime: t + 4n, message: { data: `hello ${i}` } },
    ];
    for (const w of round) await writer.write(w.topic, w.logTime, w.message);
    written.push(...round);
  }
  const result = await writer.close();
  assert.equal(result.messageCount, 12);
  return written;
}

function fileReadable(bytes: Uint8Array): IReadable {
  return {
    size: async () => BigInt(bytes.byteLength),
    read: async (offset, length) => bytes.subarray(Number(offset), Number(offset + length)),
  };
}

describe('McapBagWriter', () => {
  it('round-trips Image, CompressedImage, Odometry and String with identical messages and stamps', () =>
    withTempDir(async (tmp) => {
      const dir = join(tmp, 'run1');
      const written = await writeSampleBag(dir);
      const bag = await openBag(dir, { warn: (m) => assert.fail(m) });
      try {
        const read = await readAll(bag);
        assert.equal(read.length, written.length);
        for (let i = 0; i < read.length; i++) {
          const r = read[i];
          const w = written[i];
          assert.equal(r.topic, w.topic);
          assert.equal(r.logTime, w.logTime);
          assert.equal(r.publishTime, w.logTime);
          assert.ok(r.logTime > BigInt(Number.MAX_SAFE_INTEGER));
          assert.deepEqual(r.message, w.message, `message ${i} on ${w.topic}`);
        }
        const img = read[0].message as { data: Uint8Array; header: { stamp: unknown } };
        assert.deepEqual([...img.data], Array.from({ length: 24 }, (_, i) => (i * 7) % 256));
        assert.deepEqual(img.header.stamp, { sec: 1_700_000_000, nanosec: 123_456_789 });
        assert.deepEqual(
          bag.info().topics.map((t) => [t.name, t.type, t.count]),
          [
            ['/camera/image_raw', 'sensor_msgs/msg/Image', 3],
            ['/camera/image_raw/compressed', 'sensor_msgs/msg/CompressedImage', 3],
            ['/odom', 'nav_msgs/msg/Odometry', 3],
            ['/chatter', 'std_msgs/msg/String', 3],
          ],
        );
      } finally {
        await bag.close();
      }
      // Atomic: only the finished bag is left in the parent folder.
      assert.deepEqual(await readdir(tmp), ['run1']);
      assert.deepEqual((await readdir(dir)).sort(), ['metadata.yaml', 'run1_0.mcap']);
    }));

  it('writes what rosbag2 writes: ros2 profile, full ros2msg schemas, cdr channels with QoS, rosbag2 record, chunks', () =>
    withTempDir(async (tmp) => {
      const dir = join(tmp, 'layout');
      await writeSampleBag(dir, 1024);
      const bytes = new Uint8Array(await readFile(join(dir, 'layout_0.mcap')));
      const reader = await McapIndexedReader.Initialize({ readable: fileReadable(bytes) });
      assert.equal(reader.header.profile, 'ros2');
      assert.match(reader.header.library, /^seqvpr; mcap-typescript\//);
      assert.ok(reader.chunkIndexes.length > 1, 'small chunk size gives several chunks');
      assert.equal(reader.statistics?.messageCount, 12n);

      const schemas = [...reader.schemasById.values()];
      assert.deepEqual(schemas.map((s) => s.name).sort(), [
        'nav_msgs/msg/Odometry', 'sensor_msgs/msg/CompressedImage', 'sensor_msgs/msg/Image', 'std_msgs/msg/String',
      ]);
      for (const schema of schemas) {
        assert.equal(schema.encoding, 'ros2msg');
        const text = new TextDecoder().decode(schema.data);
        const defs = parseMsg(text, { ros2: true });
        assert.ok(defs[0].definitions.length > 0, `${schema.name} parses`);
        if (schema.name === 'sensor_msgs/msg/Image') {
          assert.deepEqual(defs[0].definitions.map((d) => d.name), ['header', 'height', 'width', 'encoding', 'is_bigendian', 'step', 'data']);
          assert.deepEqual(text.match(/^MSG: .*$/gm), ['MSG: std_msgs/Header', 'MSG: builtin_interfaces/Time']);
          assert.match(text, /\n\n={80}\nMSG: std_msgs\/Header\n/);
        }
        if (schema.name === 'nav_msgs/msg/Odometry') {
          // Depth first, dependencies in sorted order, each once: what rosbag2's definition source emits.
          assert.deepEqual(text.match(/^MSG: .*$/gm), [
            'MSG: geometry_msgs/PoseWithCovariance', 'MSG: geometry_msgs/Pose', 'MSG: geometry_msgs/Point',
            'MSG: geometry_msgs/Quaternion', 'MSG: geometry_msgs/TwistWithCovariance', 'MSG: geometry_msgs/Twist',
            'MSG: geometry_msgs/Vector3', 'MSG: std_msgs/Header', 'MSG: builtin_interfaces/Time',
          ]);
        }
      }

      const channels = new Map([...reader.channelsById.values()].map((c) => [c.topic, c]));
      assert.equal(channels.size, 4);
      for (const c of channels.values()) {
        assert.equal(c.messageEncoding, 'cdr');
        assert.equal(c.metadata.get('topic_type_hash'), '');
      }
      assert.equal(channels.get('/camera/image_raw')!.metadata.get('offered_qos_profiles'), serializeOfferedQos([QOS_PRESETS.sensor_data]));
      assert.equal(parseOfferedQos(channels.get('/camera/image_raw')!.metadata.get('offered_qos_profiles')!)[0].reliability, 'best_effort');
      assert.equal(parseOfferedQos(channels.get('/chatter')!.metadata.get('offered_qos_profiles')!)[0].durability, 'transient_local');
      assert.equal(parseOfferedQos(channels.get('/odom')!.metadata.get('offered_qos_profiles')!)[0].reliability, 'reliable');

      // Every chunk passes its CRC check and messages come out in log-time order.
      const times: bigint[] = [];
      for await (const m of reader.readMessages({ validateCrcs: true })) times.push(m.logTime);
      assert.equal(times.length, 12);
      assert.deepEqual(times, [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

      // A streaming reader gets through the whole file to a valid footer.
      const stream = new McapStreamReader();
      stream.append(bytes);
      let records = 0;
      while (stream.nextRecord()) records++;
      assert.ok(records > 12);
      assert.equal(stream.done(), true);

      // The rosbag2 metadata record holds the same BagMetadata as metadata.yaml.
      const records2 = [];
      for await (const m of reader.readMetadata({ name: 'rosbag2' })) records2.push(m);
      assert.equal(records2.length, 1);
      const embedded = parseYaml(records2[0].metadata.get('serialized_metadata')!, { intAsBigInt: true });
      const file = parseYaml(await readFile(join(dir, 'metadata.yaml'), 'utf8'), { intAsBigInt: true });
      assert.deepEqual(embedded, file.rosbag2_bagfile_information);
    }));

  it('writes a metadata.yaml whose fields match the bag', () =>
    withTempDir(async (tmp) => {
      const dir = join(tmp, 'meta');
      const written = await writeSampleBag(dir);
      const text = await readFile(join(dir, 'metadata.yaml'), 'utf8');
      // rosbag2's layout of the QoS string: one double-quoted line.
      assert.match(text, /offered_qos_profiles: "- history: 1\\n {2}depth: 5\\n {2}reliability: 2\\n {2}durability: 2\\n {2}deadline:/);
      const md = await readBagMetadata(dir);
      const first = written[0].logTime;
      const last = written.at(-1)!.logTime;
      assert.equal(md.version, 8n);
      assert.equal(md.storage_identifier, 'mcap');
      assert.deepEqual(md.relative_file_paths, ['meta_0.mcap']);
      assert.equal(md.message_count, 12n);
      assert.equal(md.starting_time.nanoseconds_since_epoch, first);
      assert.equal(md.duration.nanoseconds, last - first);
      assert.equal(md.compression_format, '');
      assert.equal(md.compression_mode, '');
      assert.equal(md.ros_distro, 'jazzy');
      assert.deepEqual(md.files, [
        { path: 'meta_0.mcap', starting_time: { nanoseconds_since_epoch: first }, duration: { nanoseconds: last - first }, message_count: 12n },
      ]);
      const bag = await openBag(dir, { warn: () => {} });
      const info = bag.info();
      await bag.close();
      assert.equal(info.start, first);
      assert.equal(info.durationNs, last - first);
      assert.deepEqual(
        md.topics_with_message_count.map((t) => [t.topic_metadata.name, t.topic_metadata.type, t.topic_metadata.serialization_format, t.topic_metadata.offered_qos_profiles, t.topic_metadata.type_description_hash, Number(t.message_count)]),
        info.topics.map((t) => [t.name, t.type, t.serializationFormat, t.offeredQosProfiles, t.typeDescriptionHash, t.count]),
      );
    }));

  it('records custom types from their definition text, raw CDR bytes, and an empty bag', () =>
    withTempDir(async (tmp) => {
      const dir = join(tmp, 'custom');
      const writer = await McapBagWriter.create(dir, { storageName: 'results' });
      await writer.addTopic('/seqvpr/score', 'seqvpr/msg/Score', 'default', 'int64 query\nfloat64 confidence\nstring label\n');
      await writer.addTopic('/chatter', 'std_msgs/String');
      await writer.write('/seqvpr/score', T0, { query: 41n, confidence: 0.75, label: 'loop' });
      // CDR of std_msgs/String "hi": header, length 3, "hi\0".
      const raw = Uint8Array.from([0, 1, 0, 0, 3, 0, 0, 0, 104, 105, 0]);
      await writer.writeSerialized('/chatter', T0 + 5n, raw, T0 + 4n);
      await writer.close();
      const bag = await openBag(join(dir, 'results.mcap'), { warn: (m) => assert.fail(m) });
      const read = await readAll(bag);
      await bag.close();
      assert.deepEqual(read[0].message, { query: 41n, confidence: 0.75, label: 'loop' });
      assert.deepEqual(read[1].message, { data: 'hi' });
      assert.equal(read[1].publishTime, T0 + 4n);

      const emptyDir = join(tmp, 'empty');
      const empty = await McapBagWriter.create(emptyDir);
      await empty.addTopic('/chatter', 'std_msgs/msg/String');
      await empty.close();
      const md = await readBagMetadata(emptyDir);
      assert.equal(md.message_count, 0n);
      assert.equal(md.starting_time.nanoseconds_since_epoch, 9223372036854775807n); // rosbag2's "no start"
      const bag2 = await openBag(emptyDir, { warn: (m) => assert.fail(m) });
      assert.equal(bag2.info().messageCount, 0);
      assert.equal(bag2.info().start, undefined);
      assert.deepEqual(await readAll(bag2), []);
      await bag2.close();
    }));

  it('rejects misuse with BagError and leaves nothing behind on abort', () =>
    withTempDir(async (tmp) => {
      const dir = join(tmp, 'bad');
      const writer = await McapBagWriter.create(dir);
      await assert.rejects(McapBagWriter.create(tmp), (e: unknown) => e instanceof BagError && /already exists/.test(e.message));
      assert.throws(() => writer.addTopic('/x', 'foo_msgs/msg/Unknown'), /no built-in definition/);
      assert.throws(() => writer.addTopic('/x', 'foo_msgs/msg/Bad', 'default', 'int64 a\n---\nint64 b\n'), /cannot be parsed/);
      assert.throws(() => writer.addTopic('chatter', 'std_msgs/msg/String'), /absolute/);
      assert.throws(() => writer.addTopic('/x', 'std_msgs/msg/String', 'fastest' as never), /QoS preset/);
      await writer.addTopic('/chatter', 'std_msgs/msg/String');
      assert.throws(() => writer.addTopic('/chatter', 'std_msgs/msg/Int32'), /already added/);
      assert.throws(() => writer.write('/nope', T0, { data: 'x' }), /addTopic/);
      assert.throws(() => writer.write('/chatter', 5 as never, { data: 'x' }), /bigint/);
      assert.throws(() => writer.write('/chatter', -1n, { data: 'x' }), /bigint/);
      assert.throws(() => writer.write('/chatter', T0, { data: 5 }), /does not fit std_msgs\/msg\/String: data must be a string \(got 5\)/);
      assert.throws(() => writer.write('/chatter', T0, { text: 'x' }), /text is not a field of/);
      await writer.abort();
      assert.deepEqual(await readdir(tmp), []);
      assert.throws(() => writer.write('/chatter', T0, { data: 'x' }), /closed/);
    }));

  it('keeps concurrent (un-awaited) writes in order', () =>
    withTempDir(async (tmp) => {
      const dir = join(tmp, 'burst');
      const writer = await McapBagWriter.create(dir);
      const pending = [writer.addTopic('/chatter', 'std_msgs/msg/String')];
      for (let i = 0; i < 50; i++) pending.push(writer.write('/chatter', T0 + BigInt(i), { data: `m${i}` }));
      await Promise.all(pending);
      await writer.close();
      assert.ok(existsSync(join(dir, 'metadata.yaml')));
      const bag = await openBag(dir, { warn: (m) => assert.fail(m) });
      const read = await readAll(bag);
      await bag.close();
      assert.deepEqual(read.map((m) => (m.message as { data: string }).data), Array.from({ length: 50 }, (_, i) => `m${i}`));
    }));
});
