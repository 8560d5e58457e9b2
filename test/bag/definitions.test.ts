// Where message definitions come from: the bag, the built-in ROS 2 set, or nowhere (topic skipped).
import assert from 'node:assert/strict';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from '@foxglove/rosmsg';
import { MessageWriter } from '@foxglove/rosmsg2-serialization';
import { McapWriter, type IWritable } from '@mcap/core';
import Database from 'better-sqlite3';
import { canonicalTypeName, commonDefinitionText, definitionDependencies } from '../../src/bag/definitions.js';
import { parseBagMetadata } from '../../src/bag/metadata.js';
import { openBag } from '../../src/bag/reader.js';
import { McapBagWriter } from '../../src/bag/writer.js';
import { collectWarnings, readAll, withTempDir } from './helpers.js';

const T0 = 1_650_000_000_000_000_007n;
const SERVICE_DEFINITION = 'int64 a\nint64 b\n---\nint64 sum\n';

function cdr(definition: string, message: unknown): Uint8Array {
  return new MessageWriter(parse(definition, { ros2: true })).writeMessage(message);
}

class MemoryWritable implements IWritable {
  readonly parts: Uint8Array[] = [];
  #position = 0n;
  async write(buffer: Uint8Array): Promise<void> {
    this.parts.push(buffer.slice());
    this.#position += BigInt(buffer.byteLength);
  }
  position(): bigint {
    return this.#position;
  }
}

describe('message definitions', () => {
  it('builds the full rosbag2-style text of a built-in type, each dependency once', () => {
    const text = commonDefinitionText('sensor_msgs/msg/Image')!;
    assert.ok(text.includes('uint8[] data'));
    assert.deepEqual(text.match(/^MSG: .*$/gm), ['MSG: std_msgs/Header', 'MSG: builtin_interfaces/Time']);
    assert.equal(commonDefinitionText('sensor_msgs/Image'), text);
    const defs = parse(text, { ros2: true });
    assert.deepEqual(defs[0].definitions.map((d) => d.name), ['header', 'height', 'width', 'encoding', 'is_bigendian', 'step', 'data']);
    // PoseStamped reaches Point and Quaternion only through Pose: still listed once each.
    const pose = commonDefinitionText('geometry_msgs/msg/PoseStamped')!;
    assert.deepEqual(pose.match(/^MSG: .*$/gm), [
      'MSG: geometry_msgs/Pose', 'MSG: geometry_msgs/Point', 'MSG: geometry_msgs/Quaternion',
      'MSG: std_msgs/Header', 'MSG: builtin_interfaces/Time',
    ]);
    assert.equal(commonDefinitionText('foo_msgs/msg/Bar'), undefined);
    assert.equal(commonDefinitionText('example_interfaces/srv/AddTwoInts_Event'), undefined);
    assert.equal(commonDefinitionText('not a type'), undefined);
  });

  it('finds dependencies the way rosbag2 does (bare names take the package, comments and primitives ignored)', () => {
    const text = '# Header header\nHeader header\nPoint[] points\nfloat64[36] covariance\nstring<=10 name\nstd_msgs/ColorRGBA[<=4] colors\nint32 X=3\n';
    assert.deepEqual(definitionDependencies(text, 'my_msgs'), ['my_msgs/Header', 'my_msgs/Point', 'std_msgs/ColorRGBA']);
    assert.equal(canonicalTypeName('std_msgs/String'), 'std_msgs/msg/String');
    assert.equal(canonicalTypeName('std_msgs/msg/String'), 'std_msgs/msg/String');
  });

  it('MCAP: a service-event topic and an unknown type are skipped with one warning each', () =>
    withTempDir(async (tmp) => {
      const out = new MemoryWritable();
      const writer = new McapWriter({ writable: out, chunkSize: 64 });
      await writer.start({ profile: 'ros2', library: 'test' });
      const enc = new TextEncoder();
      const stringSchema = await writer.registerSchema({ name: 'std_msgs/msg/String', encoding: 'ros2msg', data: enc.encode('string data\n') });
      const serviceSchema = await writer.registerSchema({
        name: 'example_interfaces/srv/AddTwoInts_Event',
        encoding: 'ros2msg',
        data: enc.encode(SERVICE_DEFINITION),
      });
      const unknownSchema = await writer.registerSchema({ name: 'foo_msgs/msg/Bar', encoding: 'ros2msg', data: new Uint8Array() });
      const metadata = new Map([['offered_qos_profiles', '']]);
      const chatter = await writer.registerChannel({ topic: '/chatter', schemaId: stringSchema, messageEncoding: 'cdr', metadata });
      const service = await writer.registerChannel({ topic: '/add_two_ints/_service_event', schemaId: serviceSchema, messageEncoding: 'cdr', metadata });
      const unknown = await writer.registerChannel({ topic: '/bar', schemaId: unknownSchema, messageEncoding: 'cdr', metadata });
      for (let i = 0; i < 5; i++) {
        const t = T0 + BigInt(i);
        const base = { sequence: i, logTime: t, publishTime: t };
        await writer.addMessage({ ...base, channelId: chatter, data: cdr('string data', { data: `chat ${i}` }) });
        await writer.addMessage({ ...base, channelId: service, data: cdr('int64 a\nint64 b', { a: 1n, b: 2n }) });
        await writer.addMessage({ ...base, channelId: unknown, data: cdr('int32 x', { x: i }) });
      }
      await writer.end();
      const path = join(tmp, 'services.mcap');
      await writeFile(path, Buffer.concat(out.parts));

      const { warn, warnings } = collectWarnings();
      const bag = await openBag(path, { warn });
      const all = await readAll(bag);
      await readAll(bag, { topics: ['/add_two_ints/_service_event', '/chatter'] });
      await bag.close();
      assert.deepEqual(all.map((m) => (m.message as { data: string }).data), ['chat 0', 'chat 1', 'chat 2', 'chat 3', 'chat 4']);
      assert.equal(warnings.length, 2, warnings.join('\n'));
      assert.match(warnings[0], /skipping topic \/add_two_ints\/_service_event .*cannot be parsed.*'---'/);
      assert.match(warnings[1], /skipping topic \/bar \(foo_msgs\/msg\/Bar\): the bag carries no definition/);
      const info = bag.info();
      assert.deepEqual(info.topics.map((t) => [t.name, t.count, t.decodable]), [
        ['/chatter', 5, true],
        ['/add_two_ints/_service_event', 5, false],
        ['/bar', 5, false],
      ]);
    }));

  it('Humble-style sqlite3 bag without message_definitions decodes with built-in definitions', () =>
    withTempDir(async (tmp) => {
      const path = join(tmp, 'humble_0.db3');
      const db = new Database(path);
      db.exec(`
        CREATE TABLE schema(schema_version INTEGER PRIMARY KEY, ros_distro TEXT NOT NULL);
        INSERT INTO schema VALUES (3, 'humble');
        CREATE TABLE topics(id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL,
          serialization_format TEXT NOT NULL, offered_qos_profiles TEXT NOT NULL);
        CREATE TABLE messages(id INTEGER PRIMARY KEY, topic_id INTEGER NOT NULL, timestamp INTEGER NOT NULL, data BLOB NOT NULL);
        CREATE INDEX timestamp_idx ON messages (timestamp ASC);`);
      const topic = db.prepare('INSERT INTO topics VALUES (?, ?, ?, ?, ?)');
      topic.run(1, '/camera/image_raw', 'sensor_msgs/msg/Image', 'cdr', '');
      topic.run(2, '/add_two_ints/_service_event', 'example_interfaces/srv/AddTwoInts_Event', 'cdr', '');
      const imageText = commonDefinitionText('sensor_msgs/msg/Image')!;
      const insert = db.prepare('INSERT INTO messages (topic_id, timestamp, data) VALUES (?, ?, ?)');
      // Inserted out of time order: the reader returns log-time order.
      for (const i of [2, 0, 1]) {
        const t = T0 + BigInt(i) * 33_333_333n;
        const msg = {
          header: { stamp: { sec: Number(t / 1_000_000_000n), nanosec: Number(t % 1_000_000_000n) }, frame_id: 'cam' },
          height: 1, width: 2, encoding: 'mono8', is_bigendian: 0, step: 2, data: Uint8Array.from([i, 255 - i]),
        };
        insert.run(1n, t, Buffer.from(cdr(imageText, msg)));
        insert.run(2n, t, Buffer.from([0, 1, 0, 0]));
      }
      db.close();

      const { warn, warnings } = collectWarnings();
      const bag = await openBag(path, { warn });
      const read = await readAll(bag);
      await bag.close();
      assert.equal(bag.info().rosDistro, 'humble');
      assert.equal(bag.info().start, T0);
      assert.equal(bag.info().end, T0 + 66_666_666n);
      assert.deepEqual(read.map((m) => m.logTime), [T0, T0 + 33_333_333n, T0 + 66_666_666n]);
      assert.deepEqual(read.map((m) => [...(m.message as { data: Uint8Array }).data]), [[0, 255], [1, 254], [2, 253]]);
      assert.deepEqual((read[0].message as { header: unknown }).header, {
        stamp: { sec: 1_650_000_000, nanosec: 7 },
        frame_id: 'cam',
      });
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0], /skipping topic \/add_two_ints\/_service_event.*not among the built-in/);
    }));

  it('a bag split over two files reads as one, in order', () =>
    withTempDir(async (tmp) => {
      for (const [part, offset] of [['a', 0n], ['b', 100n]] as const) {
        const w = await McapBagWriter.create(join(tmp, part));
        await w.addTopic('/chatter', 'std_msgs/msg/String');
        for (let i = 0n; i < 3n; i++) await w.write('/chatter', T0 + offset + i, { data: `${part}${i}` });
        await w.close();
      }
      const dir = join(tmp, 'split');
      await mkdir(dir);
      await rename(join(tmp, 'a', 'a_0.mcap'), join(dir, 'split_0.mcap'));
      await rename(join(tmp, 'b', 'b_0.mcap'), join(dir, 'split_1.mcap'));
      const metadata = [
        'rosbag2_bagfile_information:',
        '  version: 8',
        '  storage_identifier: mcap',
        '  relative_file_paths: [split_0.mcap, split_1.mcap]',
        `  duration: {nanoseconds: 102}`,
        `  starting_time: {nanoseconds_since_epoch: ${T0}}`,
        '  message_count: 6',
        '  topics_with_message_count: []',
        '  compression_format: ""',
        '  compression_mode: ""',
      ].join('\n');
      assert.equal(parseBagMetadata(metadata).starting_time.nanoseconds_since_epoch, T0);
      await writeFile(join(dir, 'metadata.yaml'), metadata);
      const bag = await openBag(dir, { warn: (m) => assert.fail(m) });
      const read = await readAll(bag);
      const late = await readAll(bag, { start: T0 + 100n });
      await bag.close();
      assert.deepEqual(read.map((m) => (m.message as { data: string }).data), ['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
      assert.equal(late.length, 3);
      const info = bag.info();
      assert.equal(info.files.length, 2);
      assert.equal(info.messageCount, 6);
      assert.equal(info.topics[0].count, 6);
      assert.equal(info.durationNs, 102n);
    }));
});
