// openBag: a rosbag2 bag (a folder with metadata.yaml, or one .mcap / .db3 file) as topic
// information plus a stream of decoded messages.
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { BagError } from '../core/errors.js';
import { decoderForTopic, type TopicDecoder } from './decoders.js';
import { openMcapFile } from './mcap-storage.js';
import { METADATA_FILE, readBagMetadata } from './metadata.js';
import { openSqliteFile } from './sqlite-storage.js';
import type { StorageFile, StorageTopic } from './storage.js';
import { WarnOnce } from './warn-once.js';
import type { BagInfo, BagMessage, BagReader, BagTopicInfo, MessageFilter, OpenBagOptions, StorageId, WarnFn } from './types.js';

const EXTENSIONS: Record<string, StorageId> = { '.mcap': 'mcap', '.db3': 'sqlite3' };

function storageOf(file: string): StorageId {
  const storage = EXTENSIONS[extname(file)];
  if (!storage) {
    const hint = /\.(zstd|lz4)$/.test(file)
      ? ' (a compressed bag: decompress it first, e.g. `ros2 bag decompress` or `zstd -d`)'
      : '';
    throw new BagError(`${file}: expected a .mcap or .db3 file or a bag folder${hint}`);
  }
  return storage;
}

/** The storage files of a bag path, in recording order. */
async function bagFiles(path: string): Promise<string[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new BagError(`bag not found: ${path}`);
  }
  if (!isDir) {
    storageOf(path);
    return [path];
  }
  if (existsSync(join(path, METADATA_FILE))) {
    const metadata = await readBagMetadata(path);
    if (metadata.compression_mode !== '') {
      throw new BagError(
        `${path} is compressed (${metadata.compression_format}, mode ${metadata.compression_mode}), which seqvpr does not read: ` +
          'decompress it first (e.g. `ros2 bag convert`), or record MCAP with chunk compression instead',
      );
    }
    if (metadata.relative_file_paths.length === 0) throw new BagError(`${join(path, METADATA_FILE)} lists no files`);
    // Older rosbag2 versions wrote paths relative to the bag's parent folder.
    return metadata.relative_file_paths.map((rel) => {
      const inside = join(path, basename(rel));
      return existsSync(join(path, rel)) ? join(path, rel) : inside;
    });
  }
  const files = (await readdir(path)).filter((f) => EXTENSIONS[extname(f)]).sort();
  if (files.length === 0) throw new BagError(`${path} holds no ${METADATA_FILE} and no .mcap or .db3 file`);
  return files.map((f) => join(path, f));
}

async function openStorage(file: string, warn: WarnFn): Promise<StorageFile> {
  if (!existsSync(file)) throw new BagError(`bag file missing: ${file} (listed in ${METADATA_FILE})`);
  return storageOf(file) === 'mcap' ? openMcapFile(file, warn) : openSqliteFile(file, warn);
}

/** Topics of all files, by name; counts add up. */
function mergeTopics(files: readonly StorageFile[], warn: WarnFn): StorageTopic[] {
  const byName = new Map<string, StorageTopic>();
  for (const file of files) {
    for (const t of file.topics) {
      const known = byName.get(t.name);
      if (!known) byName.set(t.name, { ...t });
      else if (known.type !== t.type) warn(`${file.path}: topic ${t.name} has type ${t.type} here but ${known.type} before`);
      else {
        known.count += t.count;
        known.definition ??= t.definition;
      }
    }
  }
  return [...byName.values()];
}

class Bag implements BagReader {
  readonly #info: BagInfo;
  readonly #decoders: ReadonlyMap<string, TopicDecoder>;
  readonly #problems: WarnOnce;
  #closed = false;

  constructor(
    path: string,
    private readonly files: readonly StorageFile[],
    warn: WarnFn,
  ) {
    this.#problems = new WarnOnce(warn);
    const topics = mergeTopics(files, warn);
    const rosDistro = files.find((f) => f.rosDistro)?.rosDistro;
    const decoders = new Map<string, TopicDecoder>();
    const topicInfo: BagTopicInfo[] = topics.map((t) => {
      const decoder = decoderForTopic(t, rosDistro, warn, this.#problems);
      if (decoder) decoders.set(t.name, decoder);
      return {
        name: t.name,
        type: t.type,
        count: t.count,
        serializationFormat: t.serializationFormat,
        offeredQosProfiles: t.offeredQosProfiles,
        typeDescriptionHash: t.typeDescriptionHash,
        decodable: decoder !== undefined,
      };
    });
    this.#decoders = decoders;
    const starts = files.flatMap((f) => (f.start === undefined ? [] : [f.start]));
    const ends = files.flatMap((f) => (f.end === undefined ? [] : [f.end]));
    const start = starts.length ? starts.reduce((a, b) => (b < a ? b : a)) : undefined;
    const end = ends.length ? ends.reduce((a, b) => (b > a ? b : a)) : undefined;
    this.#info = {
      path,
      storage: files[0].storage,
      files: files.map((f) => ({ path: f.path, sizeBytes: f.sizeBytes, messageCount: f.messageCount })),
      sizeBytes: files.reduce((n, f) => n + f.sizeBytes, 0),
      messageCount: files.reduce((n, f) => n + f.messageCount, 0),
      start,
      end,
      durationNs: start !== undefined && end !== undefined ? end - start : 0n,
      topics: topicInfo,
      rosDistro,
    };
  }

  info(): BagInfo {
    return this.#info;
  }

  messages(filter: MessageFilter = {}): AsyncIterable<BagMessage> {
    if (this.#closed) throw new BagError(`bag ${this.#info.path} is closed`);
    let topics: Set<string>;
    if (filter.topics) {
      const unknown = filter.topics.filter((t) => !this.#info.topics.some((i) => i.name === t));
      if (unknown.length) {
        throw new BagError(
          `topic(s) ${unknown.join(', ')} not in ${this.#info.path}; it has: ${this.#info.topics.map((t) => t.name).join(', ')}`,
        );
      }
      // Undecodable topics were reported once at open; asking for them yields nothing more.
      topics = new Set(filter.topics.filter((t) => this.#decoders.has(t)));
    } else {
      topics = new Set(this.#decoders.keys());
    }
    return this.#stream(topics, filter);
  }

  async *#stream(topics: Set<string>, filter: MessageFilter): AsyncGenerator<BagMessage> {
    if (topics.size === 0) return;
    for (const file of this.files) {
      if (filter.start !== undefined && file.end !== undefined && file.end < filter.start) continue;
      if (filter.end !== undefined && file.start !== undefined && file.start > filter.end) continue;
      for await (const raw of file.read({ topics, start: filter.start, end: filter.end })) {
        const decoder = this.#decoders.get(raw.topic)!;
        const decoded = decoder.decode(raw.data);
        if (!decoded) continue;
        yield {
          topic: raw.topic,
          type: decoder.type,
          logTime: raw.logTime,
          publishTime: raw.publishTime,
          data: raw.data,
          message: decoded.message,
        };
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const file of this.files) await file.close();
  }
}

/** Opens a bag folder (with metadata.yaml) or a single .mcap / .db3 file. */
export async function openBag(path: string, options: OpenBagOptions = {}): Promise<BagReader> {
  const warn = options.warn ?? ((message: string) => console.warn(`seqvpr bag: ${message}`));
  const files: StorageFile[] = [];
  try {
    for (const file of await bagFiles(path)) files.push(await openStorage(file, warn));
  } catch (err) {
    for (const f of files) await f.close();
    throw err;
  }
  return new Bag(path, files, warn);
}

