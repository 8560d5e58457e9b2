// McapBagWriter: records a rosbag2 bag the way `ros2 bag record -s mcap` lays it out (profile ros2,
// ros2msg schemas with full dependency text, cdr channels carrying offered_qos_profiles, a
// `rosbag2` metadata record, chunked and indexed, metadata.yaml beside it). The bag is built in a
// temporary sibling folder and renamed into place on close, so a reader never sees half a bag.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse } from '@foxglove/rosmsg';
import { MessageWriter } from '@foxglove/rosmsg2-serialization';
import { LIBRARY_IDENTIFIER, McapWriter, type IWritable } from '@mcap/core';
import { BagError } from '../core/errors.js';
import { DEFAULT_DISTRO, canonicalTypeName, commonDefinitionText } from './definitions.js';
import {
  METADATA_FILE,
  buildBagMetadata,
  serializeBagMetadata,
  serializeMetadataFile,
  type TopicStats,
} from './metadata.js';
import { resolveQos, serializeOfferedQos, type QosPresetName, type QosProfile } from './qos.js';
import { MessageShapeChecker } from './validate.js';

/** mcap's C++ default, which `ros2 bag record` uses. */
const DEFAULT_CHUNK_SIZE = 768 * 1024;
const LIBRARY = `seqvpr; ${LIBRARY_IDENTIFIER}`;
const MAX_U64 = (1n << 64n) - 1n;

export interface McapBagWriterOptions {
  /** MCAP file name without extension; default `<folder name>_0` as rosbag2 names it. */
  storageName?: string;
  /** Distribution whose built-in definitions are written and recorded as ros_distro. */
  rosDistro?: string;
  chunkSizeBytes?: number;
}

export interface WrittenBag {
  dir: string;
  mcapPath: string;
  messageCount: number;
}

class FileWritable implements IWritable {
  #position = 0n;
  constructor(private readonly fh: FileHandle) {}

  async write(buffer: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < buffer.byteLength) {
      const { bytesWritten } = await this.fh.write(buffer, offset, buffer.byteLength - offset);
      offset += bytesWritten;
    }
    this.#position += BigInt(buffer.byteLength);
  }

  position(): bigint {
    return this.#position;
  }
}

interface TopicState extends TopicStats {
  channelId: number;
  serializer: MessageWriter;
  checker: MessageShapeChecker;
  sequence: number;
}

export class McapBagWriter {
  readonly #topics = new Map<string, TopicState>();
  readonly #schemaIds = new Map<string, number>();
  /** McapWriter calls must not overlap: every operation runs after the previous one. */
  #queue: Promise<unknown> = Promise.resolve();
  #state: 'open' | 'closed' | { failed: Error } = 'open';
  #messageCount = 0;
  #start: bigint | undefined;
  #end: bigint | undefined;

  private constructor(
    readonly dir: string,
    private readonly tmpDir: string,
    private readonly fileName: string,
    private readonly fh: FileHandle,
    private readonly writer: McapWriter,
    private readonly rosDistro: string,
  ) {}

  /** Starts a bag in folder `dir`, which must not exist yet (as with `ros2 bag record -o`). */
  static async create(dir: string, options: McapBagWriterOptions = {}): Promise<McapBagWriter> {
    if (existsSync(dir)) throw new BagError(`${dir} already exists: choose another output folder or delete it`);
    const stem = options.storageName ?? `${basename(dir)}_0`;
    if (stem === '' || stem.includes('/')) throw new BagError(`storageName "${stem}" must be a plain file name`);
    await mkdir(dirname(dir), { recursive: true });
    const tmpDir = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    await mkdir(tmpDir);
    const fileName = `${stem}.mcap`;
    let fh: FileHandle | undefined;
    try {
      fh = await open(join(tmpDir, fileName), 'wx');
      const writer = new McapWriter({
        writable: new FileWritable(fh),
        useChunks: true,
        chunkSize: options.chunkSizeBytes ?? DEFAULT_CHUNK_SIZE,
        startChannelId: 1,
      });
      await writer.start({ profile: 'ros2', library: LIBRARY });
      return new McapBagWriter(dir, tmpDir, fileName, fh, writer, options.rosDistro ?? DEFAULT_DISTRO);
    } catch (err) {
      await fh?.close();
      await rm(tmpDir, { recursive: true, force: true });
      throw new BagError(`cannot create bag ${dir}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Declares a topic. `definitionText` is the full ros2msg text (with its `MSG:` dependency
   * blocks); it defaults to the built-in definition of `type` (std_msgs, sensor_msgs, ...).
   */
  addTopic(topic: string, type: string, qos?: QosProfile | QosPresetName, definitionText?: string): Promise<void> {
    this.#assertOpen();
    if (!topic.startsWith('/')) throw new BagError(`topic "${topic}" must be an absolute name such as /camera/image_raw`);
    const canonical = canonicalTypeName(type);
    const known = this.#topics.get(topic);
    if (known) {
      if (known.type !== canonical) throw new BagError(`topic ${topic} was already added with type ${known.type}`);
      return this.#queue.then(() => undefined);
    }
    const text = definitionText ?? commonDefinitionText(canonical, this.rosDistro);
    if (text === undefined) {
      throw new BagError(`no built-in definition for ${canonical}: pass its full .msg text (with MSG: blocks) to addTopic`);
    }
    let serializer: MessageWriter;
    let checker: MessageShapeChecker;
    try {
      const definitions = parse(text, { ros2: true });
      serializer = new MessageWriter(definitions);
      checker = new MessageShapeChecker(canonical, definitions);
    } catch (err) {
      throw new BagError(`definition of ${canonical} cannot be parsed: ${(err as Error).message}`, { cause: err });
    }
    const offeredQosProfiles = serializeOfferedQos([resolveQos(qos)]);
    const state: TopicState = {
      name: topic,
      type: canonical,
      serializationFormat: 'cdr',
      offeredQosProfiles,
      typeDescriptionHash: '',
      count: 0,
      channelId: -1,
      serializer,
      checker,
      sequence: 0,
    };
    this.#topics.set(topic, state);
    return this.#enqueue(async () => {
      let schemaId = this.#schemaIds.get(canonical);
      if (schemaId === undefined) {
        schemaId = await this.writer.registerSchema({
          name: canonical,
          encoding: 'ros2msg',
          data: new TextEncoder().encode(text),
        });
        this.#schemaIds.set(canonical, schemaId);
      }
      state.channelId = await this.writer.registerChannel({
        topic,
        schemaId,
        messageEncoding: 'cdr',
        metadata: new Map([
          ['offered_qos_profiles', offeredQosProfiles],
          ['topic_type_hash', state.typeDescriptionHash],
        ]),
      });
    });
  }

  /** Serialises `message` (ROS 2 field names; time fields as {sec, nanosec}) and records it. */
  write(topic: string, logTime: bigint, message: object, publishTime = logTime): Promise<void> {
    const state = this.#topicFor(topic);
    let data: Uint8Array;
    try {
      state.checker.check(message);
      data = state.serializer.writeMessage(message);
    } catch (err) {
      throw new BagError(`topic ${topic}: message does not fit ${state.type}: ${(err as Error).message}`, { cause: err });
    }
    return this.#record(state, logTime, publishTime, data);
  }

  /** Records CDR bytes as they are (e.g. from an rclnodejs subscription with `isRaw: true`). */
  writeSerialized(topic: string, logTime: bigint, data: Uint8Array, publishTime = logTime): Promise<void> {
    return this.#record(this.#topicFor(topic), logTime, publishTime, data);
  }

  /** Finishes the MCAP summary, writes metadata.yaml and moves the bag into place. */
  async close(): Promise<WrittenBag> {
    this.#assertOpen();
    await this.#enqueue(async () => {
      const metadata = this.#metadata();
      await this.writer.addMetadata({
        name: 'rosbag2',
        metadata: new Map([['serialized_metadata', serializeBagMetadata(metadata)]]),
      });
      await this.writer.end();
      await this.fh.sync();
      await this.fh.close();
      await writeFile(join(this.tmpDir, METADATA_FILE), serializeMetadataFile(metadata));
    });
    this.#state = 'closed';
    try {
      await rename(this.tmpDir, this.dir);
    } catch (err) {
      throw new BagError(
        `bag complete in ${this.tmpDir} but it cannot be moved to ${this.dir} (${(err as Error).message}); move it by hand`,
        { cause: err },
      );
    }
    return { dir: this.dir, mcapPath: join(this.dir, this.fileName), messageCount: this.#messageCount };
  }

  /** Drops the unfinished bag. */
  async abort(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    await this.#queue.catch(() => undefined);
    await this.fh.close().catch(() => undefined);
    await rm(this.tmpDir, { recursive: true, force: true });
  }

  #metadata(): Record<string, unknown> {
    return buildBagMetadata({
      storageIdentifier: 'mcap',
      files: [{ path: this.fileName, messageCount: this.#messageCount, start: this.#start, end: this.#end }],
      topics: [...this.#topics.values()],
      rosDistro: this.rosDistro,
    });
  }

  #topicFor(topic: string): TopicState {
    this.#assertOpen();
    const state = this.#topics.get(topic);
    if (!state) throw new BagError(`topic ${topic} was not added: call addTopic(topic, type) first`);
    return state;
  }

  #record(state: TopicState, logTime: bigint, publishTime: bigint, data: Uint8Array): Promise<void> {
    for (const [name, t] of [['logTime', logTime], ['publishTime', publishTime]] as const) {
      if (typeof t !== 'bigint' || t < 0n || t > MAX_U64) {
        throw new BagError(`topic ${state.name}: ${name} must be a bigint of nanoseconds in [0, 2^64), got ${String(t)}`);
      }
    }
    const sequence = state.sequence++;
    state.count++;
    this.#messageCount++;
    if (this.#start === undefined || logTime < this.#start) this.#start = logTime;
    if (this.#end === undefined || logTime > this.#end) this.#end = logTime;
    return this.#enqueue(() => this.writer.addMessage({ channelId: state.channelId, sequence, logTime, publishTime, data }));
  }

  #assertOpen(): void {
    if (this.#state === 'closed') throw new BagError(`bag writer for ${this.dir} is closed`);
    if (typeof this.#state === 'object') {
      throw new BagError(`bag writer for ${this.dir} failed earlier (${this.#state.failed.message}); call abort()`);
    }
  }

  /** Runs after every earlier operation; an I/O failure makes the writer refuse further work. */
  #enqueue(op: () => Promise<unknown>): Promise<void> {
    const run = this.#queue
      .then(() => {
        if (typeof this.#state === 'object') throw new BagError(`bag writer for ${this.dir} failed earlier: ${this.#state.failed.message}`);
        return op();
      })
      .then(
      () => undefined,
      (err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        if (this.#state === 'open') this.#state = { failed: error };
        throw error instanceof BagError ? error : new BagError(`writing bag ${this.dir} failed: ${error.message}`, { cause: error });
      },
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
