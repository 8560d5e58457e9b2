// What the reader needs from one storage file (one .mcap or .db3 of a bag), whatever the plugin.
import type { TopicStats } from './metadata.js';
import type { StorageId } from './types.js';

export interface StorageTopic extends TopicStats {
  /** The definition the file carries for the type, if any. */
  definition?: { encoding: string; text: string };
}

export interface RawMessage {
  topic: string;
  logTime: bigint;
  publishTime?: bigint;
  data: Uint8Array;
}

export interface RawFilter {
  topics?: ReadonlySet<string>;
  start?: bigint;
  end?: bigint;
}

export interface StorageFile {
  readonly path: string;
  readonly storage: StorageId;
  readonly sizeBytes: number;
  readonly topics: readonly StorageTopic[];
  readonly messageCount: number;
  readonly start?: bigint;
  readonly end?: bigint;
  readonly rosDistro?: string;
  /** Streams raw messages; stops with a warning (never throws) when the file turns out corrupt. */
  read(filter: RawFilter): AsyncIterable<RawMessage>;
  close(): Promise<void>;
}

export function inRange(t: bigint, filter: RawFilter): boolean {
  return (filter.start === undefined || t >= filter.start) && (filter.end === undefined || t <= filter.end);
}
