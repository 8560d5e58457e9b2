// One .db3 file of a rosbag2 sqlite3 bag, opened read-only. Integers are read as bigint
// (safeIntegers): stamps are int64 nanoseconds beyond 2^53. Each messages() pass gets its own
// connection and streams rows one at a time, so passes can interleave and memory stays flat.
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { BagError } from '../core/errors.js';
import type { RawFilter, RawMessage, StorageFile, StorageTopic } from './storage.js';
import { WarnOnce } from './warn-once.js';
import type { WarnFn } from './types.js';

type Db = Database.Database;

function connect(path: string): Db {
  try {
    return new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    const wal = existsSync(`${path}-wal`) ? ' (a write-ahead-log bag in a read-only folder needs its -shm file: copy the bag somewhere writable)' : '';
    throw new BagError(`cannot open ${path} as a sqlite3 bag: ${(err as Error).message}${wal}`, { cause: err });
  }
}

/** Runs a query; sqlite errors become a BagError that names the file and what to try. */
function query<T>(path: string, what: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    throw new BagError(
      `${path}: cannot read ${what} (${code}: ${(err as Error).message}); the file is not a rosbag2 sqlite3 bag or is ` +
        `damaged (a cut-short recording can often be rescued with: sqlite3 ${path} ".recover" | sqlite3 fixed.db3)`,
      { cause: err },
    );
  }
}

interface TopicRow {
  id: bigint;
  name: string;
  type: string;
  serialization_format: string;
  offered_qos_profiles?: string;
  type_description_hash?: string;
}

interface CountRow {
  topic_id: bigint;
  n: bigint;
  first: bigint;
  last: bigint;
}

interface MessageRow {
  topic_id: bigint;
  timestamp: bigint;
  data: Uint8Array;
}

class SqliteFile implements StorageFile {
  readonly storage = 'sqlite3' as const;
  readonly #passes = new Set<Db>();
  readonly #problems: WarnOnce;

  constructor(
    readonly path: string,
    readonly sizeBytes: number,
    readonly topics: readonly StorageTopic[],
    private readonly topicIds: ReadonlyMap<string, bigint>,
    readonly messageCount: number,
    readonly start: bigint | undefined,
    readonly end: bigint | undefined,
    readonly rosDistro: string | undefined,
    warn: WarnFn,
  ) {
    this.#problems = new WarnOnce(warn);
  }

  async *read(filter: RawFilter): AsyncGenerator<RawMessage> {
    const names = new Map<bigint, string>();
    for (const [name, id] of this.topicIds) if (!filter.topics || filter.topics.has(name)) names.set(id, name);
    if (names.size === 0) return;
    const where: string[] = [];
    const params: bigint[] = [];
    if (filter.topics) {
      where.push(`topic_id IN (${[...names.keys()].map(() => '?').join(',')})`);
      params.push(...names.keys());
    }
    if (filter.start !== undefined) (where.push('timestamp >= ?'), params.push(filter.start));
    if (filter.end !== undefined) (where.push('timestamp <= ?'), params.push(filter.end));
    const sql =
      `SELECT topic_id, timestamp, data FROM messages` +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY timestamp, id';

    const db = connect(this.path);
    this.#passes.add(db);
    try {
      const rows = db.prepare(sql).safeIntegers(true).iterate(...params);
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = rows.next();
        } catch (err) {
          this.#problems.report('read', `${this.path}: reading stopped early: ${(err as Error).message}`);
          return;
        }
        if (next.done) return;
        const row = next.value as MessageRow;
        const topic = names.get(row.topic_id);
        if (topic === undefined) continue;
        const data = new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength);
        yield { topic, logTime: row.timestamp, data };
      }
    } finally {
      this.#passes.delete(db);
      db.close();
    }
  }

  async close(): Promise<void> {
    for (const db of this.#passes) db.close();
    this.#passes.clear();
  }
}

export async function openSqliteFile(path: string, warn: WarnFn): Promise<StorageFile> {
  if (!existsSync(path)) throw new BagError(`cannot open ${path}: no such file`);
  const db = connect(path);
  try {
    const tables = new Set(
      query(path, 'its table list', () =>
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name),
      ),
    );
    if (!tables.has('topics') || !tables.has('messages')) {
      throw new BagError(`${path} is a sqlite database but not a rosbag2 bag (no topics/messages table)`);
    }
    const topicRows = query(path, 'the topics table', () =>
      db.prepare('SELECT * FROM topics ORDER BY id').safeIntegers(true).all(),
    ) as TopicRow[];
    const definitions = new Map<string, { encoding: string; text: string }>();
    if (tables.has('message_definitions')) {
      const rows = query(path, 'the message_definitions table', () =>
        db.prepare('SELECT topic_type, encoding, encoded_message_definition FROM message_definitions').all(),
      ) as { topic_type: string; encoding: string; encoded_message_definition: string }[];
      for (const r of rows) definitions.set(r.topic_type, { encoding: r.encoding, text: r.encoded_message_definition });
    }
    let rosDistro: string | undefined;
    if (tables.has('schema')) {
      try {
        rosDistro = (db.prepare('SELECT ros_distro FROM schema LIMIT 1').get() as { ros_distro?: string } | undefined)?.ros_distro;
      } catch {
        // Schema version 1-2 tables have no ros_distro column; the distro is optional.
      }
    }
    // rosbag2 computes the same per-topic summary; it reads only the index and row headers.
    const counts = query(path, 'the messages table', () =>
      db
        .prepare('SELECT topic_id, COUNT(*) AS n, MIN(timestamp) AS first, MAX(timestamp) AS last FROM messages GROUP BY topic_id')
        .safeIntegers(true)
        .all(),
    ) as CountRow[];
    const countById = new Map(counts.map((c) => [c.topic_id, c]));

    const topicIds = new Map<string, bigint>();
    const topics: StorageTopic[] = [];
    for (const row of topicRows) {
      if (topicIds.has(row.name)) {
        warn(`${path}: topic ${row.name} is listed twice in the topics table; using the first entry`);
        continue;
      }
      topicIds.set(row.name, row.id);
      topics.push({
        name: row.name,
        type: row.type,
        serializationFormat: row.serialization_format,
        offeredQosProfiles: row.offered_qos_profiles ?? '',
        typeDescriptionHash: row.type_description_hash ?? '',
        count: Number(countById.get(row.id)?.n ?? 0n),
        definition: definitions.get(row.type),
      });
    }
    const known = counts.filter((c) => [...topicIds.values()].includes(c.topic_id));
    const messageCount = known.reduce((n, c) => n + Number(c.n), 0);
    const start = known.length ? known.map((c) => c.first).reduce((a, b) => (b < a ? b : a)) : undefined;
    const end = known.length ? known.map((c) => c.last).reduce((a, b) => (b > a ? b : a)) : undefined;
    const orphans = counts.length - known.length;
    if (orphans > 0) warn(`${path}: messages of ${orphans} topic id(s) missing from the topics table are ignored`);
    return new SqliteFile(path, statSync(path).size, topics, topicIds, messageCount, start, end, rosDistro, warn);
  } finally {
    // Metadata is in memory now; every read pass opens its own connection.
    db.close();
  }
}
