// One MCAP file of a rosbag2 bag. Indexed files are read through their summary (log-time order,
// one chunk at a time); files without a usable index (unchunked "fastwrite" files, recordings cut
// short) are read sequentially, and a truncated or corrupt tail ends the read with a warning.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import {
  McapIndexedReader,
  McapStreamReader,
  hasMcapPrefix,
  type DecompressHandlers,
  type IReadable,
  type McapTypes,
} from '@mcap/core';
import { loadDecompressHandlers } from '@mcap/support';
import { parse } from 'yaml';
import { BagError } from '../core/errors.js';
import { inRange, type RawFilter, type RawMessage, type StorageFile, type StorageTopic } from './storage.js';
import { WarnOnce } from './warn-once.js';
import type { WarnFn } from './types.js';

type Channel = McapTypes.Channel;
type Schema = McapTypes.Schema;

let handlers: Promise<DecompressHandlers> | undefined;
/** zstd / lz4 / bz2 chunk decompressors (WebAssembly, loaded once). */
function decompressHandlers(): Promise<DecompressHandlers> {
  handlers ??= loadDecompressHandlers();
  return handlers;
}

class FileReadable implements IReadable {
  constructor(
    private readonly fh: FileHandle,
    private readonly bytes: bigint,
  ) {}

  async size(): Promise<bigint> {
    return this.bytes;
  }

  async read(offset: bigint, length: bigint): Promise<Uint8Array> {
    const out = new Uint8Array(Number(length));
    const { bytesRead } = await this.fh.read(out, 0, out.length, Number(offset));
    if (bytesRead !== out.length) throw new BagError(`short read at byte ${offset} (file truncated?)`);
    return out;
  }
}

const textDecoder = new TextDecoder();

/** Channels -> topics. A second channel on a topic is merged when its type agrees, dropped otherwise. */
function topicsOf(
  path: string,
  channels: Iterable<Channel>,
  schemas: ReadonlyMap<number, Schema>,
  counts: ReadonlyMap<number, bigint>,
  warn: WarnFn,
): { topics: StorageTopic[]; channelTopics: Map<number, string> } {
  const byName = new Map<string, StorageTopic>();
  const channelTopics = new Map<number, string>();
  for (const channel of channels) {
    const schema = schemas.get(channel.schemaId);
    const type = schema?.name ?? '';
    const count = Number(counts.get(channel.id) ?? 0n);
    const known = byName.get(channel.topic);
    if (known) {
      if (known.type !== type) {
        warn(`${path}: channel ${channel.id} repeats topic ${channel.topic} with type "${type}" (not "${known.type}"); ignoring it`);
        continue;
      }
      known.count += count;
    } else {
      byName.set(channel.topic, {
        name: channel.topic,
        type,
        serializationFormat: channel.messageEncoding,
        offeredQosProfiles: channel.metadata.get('offered_qos_profiles') ?? '',
        typeDescriptionHash: channel.metadata.get('topic_type_hash') ?? '',
        count,
        definition: schema ? { encoding: schema.encoding, text: textDecoder.decode(schema.data) } : undefined,
      });
    }
    channelTopics.set(channel.id, channel.topic);
  }
  return { topics: [...byName.values()], channelTopics };
}

/** Records of a file read front to back; a damaged or missing tail is reported, not thrown. */
async function* streamRecords(path: string, onProblem: (detail: string) => void): AsyncGenerator<McapTypes.TypedMcapRecord> {
  const reader = new McapStreamReader({ decompressHandlers: await decompressHandlers() });
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      reader.append(chunk as Buffer);
      for (;;) {
        let record: McapTypes.TypedMcapRecord | undefined;
        try {
          record = reader.nextRecord();
        } catch (err) {
          onProblem(`corrupt data: ${(err as Error).message}`);
          return;
        }
        if (!record) break;
        yield record;
      }
    }
    if (!reader.done()) onProblem('the file ends before its footer (truncated recording?)');
  } finally {
    stream.destroy();
  }
}

interface Summary {
  topics: StorageTopic[];
  channelTopics: Map<number, string>;
  messageCount: number;
  start?: bigint;
  end?: bigint;
}

/** Counts messages per channel by reading the whole file (no summary to take them from). */
async function scanSummary(path: string, warn: WarnFn, onProblem: (detail: string) => void): Promise<Summary> {
  const schemas = new Map<number, Schema>();
  const channels = new Map<number, Channel>();
  const counts = new Map<number, bigint>();
  let start: bigint | undefined;
  let end: bigint | undefined;
  let messageCount = 0;
  for await (const record of streamRecords(path, onProblem)) {
    if (record.type === 'Schema') schemas.set(record.id, record);
    else if (record.type === 'Channel') channels.set(record.id, record);
    else if (record.type === 'Message') {
      messageCount++;
      counts.set(record.channelId, (counts.get(record.channelId) ?? 0n) + 1n);
      if (start === undefined || record.logTime < start) start = record.logTime;
      if (end === undefined || record.logTime > end) end = record.logTime;
    }
  }
  return { ...topicsOf(path, channels.values(), schemas, counts, warn), messageCount, start, end };
}

async function rosDistroOf(reader: McapIndexedReader): Promise<string | undefined> {
  if (!reader.metadataIndexes.some((m) => m.name === 'rosbag2')) return undefined;
  try {
    for await (const record of reader.readMetadata({ name: 'rosbag2' })) {
      const direct = record.metadata.get('ROS_DISTRO');
      if (direct) return direct;
      const serialized = record.metadata.get('serialized_metadata');
      const distro = serialized ? (parse(serialized) as { ros_distro?: unknown } | null)?.ros_distro : undefined;
      if (typeof distro === 'string' && distro) return distro;
    }
  } catch {
    // The distro only picks fallback definitions: a damaged record is not worth a warning.
  }
  return undefined;
}

class McapFile implements StorageFile {
  readonly storage = 'mcap' as const;
  readonly topics: readonly StorageTopic[];
  readonly messageCount: number;
  readonly start?: bigint;
  readonly end?: bigint;
  readonly #channelTopics: Map<number, string>;
  readonly #problems: WarnOnce;

  constructor(
    readonly path: string,
    readonly sizeBytes: number,
    summary: Summary,
    private readonly fh: FileHandle,
    /** Undefined when the file is read sequentially. */
    private readonly indexed: McapIndexedReader | undefined,
    problems: WarnOnce,
    readonly rosDistro?: string,
  ) {
    this.topics = summary.topics;
    this.messageCount = summary.messageCount;
    this.start = summary.start;
    this.end = summary.end;
    this.#channelTopics = summary.channelTopics;
    this.#problems = problems;
  }

  read(filter: RawFilter): AsyncIterable<RawMessage> {
    return this.indexed ? this.#readIndexed(this.indexed, filter) : this.#readSequential(filter);
  }

  async *#readIndexed(reader: McapIndexedReader, filter: RawFilter): AsyncGenerator<RawMessage> {
    const messages = reader.readMessages({
      topics: filter.topics ? [...filter.topics] : undefined,
      startTime: filter.start,
      endTime: filter.end,
    });
    for (;;) {
      let next: IteratorResult<McapTypes.Message>;
      try {
        next = await messages.next();
      } catch (err) {
        this.#problems.report('read', `${this.path}: reading stopped early: ${(err as Error).message}`);
        return;
      }
      if (next.done) return;
      const m = next.value;
      const topic = this.#channelTopics.get(m.channelId);
      if (topic === undefined) continue;
      yield { topic, logTime: m.logTime, publishTime: m.publishTime, data: m.data };
    }
  }

  async *#readSequential(filter: RawFilter): AsyncGenerator<RawMessage> {
    const channelTopics = new Map<number, string>();
    const onProblem = (detail: string) =>
      this.#problems.report('stream', `${this.path}: ${detail}; messages before that point are read`);
    for await (const record of streamRecords(this.path, onProblem)) {
      if (record.type === 'Channel') {
        // Only channels the summary accepted (a conflicting repeat of a topic stays dropped).
        if (this.#channelTopics.get(record.id) === record.topic) channelTopics.set(record.id, record.topic);
      } else if (record.type === 'Message') {
        const topic = channelTopics.get(record.channelId);
        if (topic === undefined || (filter.topics && !filter.topics.has(topic)) || !inRange(record.logTime, filter)) continue;
        yield { topic, logTime: record.logTime, publishTime: record.publishTime, data: record.data };
      }
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

export async function openMcapFile(path: string, warn: WarnFn): Promise<StorageFile> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new BagError(`cannot open ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const size = (await fh.stat()).size;
    const prefix = new Uint8Array(8);
    await fh.read(prefix, 0, 8, 0);
    if (!hasMcapPrefix(new DataView(prefix.buffer))) {
      throw new BagError(`${path} is not an MCAP file (no MCAP magic at its start)`);
    }
    const problems = new WarnOnce(warn);
    let reader: McapIndexedReader | undefined;
    try {
      reader = await McapIndexedReader.Initialize({
        readable: new FileReadable(fh, BigInt(size)),
        decompressHandlers: await decompressHandlers(),
      });
    } catch (err) {
      warn(`${path}: the MCAP summary or footer is missing or damaged (${(err as Error).message}); reading the file sequentially`);
    }
    // Unchunked files (rosbag2's "fastwrite" preset) have an index without chunks to read through.
    const unchunked = reader && reader.chunkIndexes.length === 0 && (reader.statistics?.messageCount ?? 1n) > 0n;
    if (reader && !unchunked) {
      const summary = reader.statistics
        ? {
            ...topicsOf(path, reader.channelsById.values(), reader.schemasById, reader.statistics.channelMessageCounts, warn),
            messageCount: Number(reader.statistics.messageCount),
            start: reader.statistics.messageCount > 0n ? reader.statistics.messageStartTime : undefined,
            end: reader.statistics.messageCount > 0n ? reader.statistics.messageEndTime : undefined,
          }
        : await scanSummary(path, warn, (d) => problems.report('stream', `${path}: ${d}`));
      return new McapFile(path, size, summary, fh, reader, problems, await rosDistroOf(reader));
    }
    const summary = await scanSummary(path, warn, (detail) =>
      problems.report('stream', `${path}: ${detail}; messages before that point are read`),
    );
    return new McapFile(path, size, summary, fh, undefined, problems);
  } catch (err) {
    await fh.close();
    throw err;
  }
}
