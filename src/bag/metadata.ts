// rosbag2's metadata.yaml (`rosbag2_bagfile_information`): read to find a bag's files, written
// next to the MCAP files seqvpr records. Integers are read as bigint: stamps exceed 2^53.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Document, Scalar, parse, stringify, visit } from 'yaml';
import { z } from 'zod';
import { BagError } from '../core/errors.js';

/** Metadata version written: the last one whose QoS enums are numeric, readable from Humble on. */
export const METADATA_VERSION = 8;

export const METADATA_FILE = 'metadata.yaml';

const int = z.union([z.bigint(), z.number().int()]).transform((v) => BigInt(v));
const nanoseconds = z.object({ nanoseconds: int });
const sinceEpoch = z.object({ nanoseconds_since_epoch: int });

const topicSchema = z.object({
  topic_metadata: z.object({
    name: z.string(),
    type: z.string(),
    serialization_format: z.string(),
    // A string up to version 8; tolerate a YAML list as well.
    offered_qos_profiles: z.union([z.string(), z.array(z.unknown()).transform((v) => stringify(v).trimEnd())]).default(''),
    type_description_hash: z.string().default(''),
  }),
  message_count: int,
});

const metadataSchema = z.object({
  version: int,
  storage_identifier: z.string(),
  relative_file_paths: z.array(z.string()).default([]),
  duration: nanoseconds,
  starting_time: sinceEpoch,
  message_count: int,
  topics_with_message_count: z.array(topicSchema).nullish().transform((v) => v ?? []),
  compression_format: z.string().default(''),
  compression_mode: z.string().default(''),
  files: z
    .array(z.object({ path: z.string(), starting_time: sinceEpoch, duration: nanoseconds, message_count: int }))
    .nullish()
    .transform((v) => v ?? []),
  custom_data: z.record(z.string(), z.unknown()).nullish(),
  ros_distro: z.string().optional(),
});

export type BagMetadata = z.output<typeof metadataSchema>;

/** Reads and validates `<dir>/metadata.yaml`. */
export async function readBagMetadata(dir: string): Promise<BagMetadata> {
  const file = join(dir, METADATA_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new BagError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseBagMetadata(text, file);
}

export function parseBagMetadata(text: string, source = METADATA_FILE): BagMetadata {
  let doc: unknown;
  try {
    doc = parse(text, { intAsBigInt: true });
  } catch (err) {
    throw new BagError(`${source} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  const info = (doc as { rosbag2_bagfile_information?: unknown } | null)?.rosbag2_bagfile_information;
  if (info === undefined) throw new BagError(`${source} has no rosbag2_bagfile_information: is it a rosbag2 bag?`);
  const result = metadataSchema.safeParse(info);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BagError(
      `${source}: invalid rosbag2_bagfile_information.${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return result.data;
}

export interface TopicStats {
  name: string;
  type: string;
  serializationFormat: string;
  offeredQosProfiles: string;
  typeDescriptionHash: string;
  count: number;
}

export interface FileStats {
  path: string;
  messageCount: number;
  start?: bigint;
  end?: bigint;
}

export interface MetadataInput {
  storageIdentifier: string;
  files: FileStats[];
  topics: TopicStats[];
  rosDistro: string;
}

/** rosbag2 records an empty bag's start as INT64_MAX. */
const NO_START = 9223372036854775807n;

function span(start: bigint | undefined, end: bigint | undefined) {
  return {
    starting_time: { nanoseconds_since_epoch: start ?? NO_START },
    duration: { nanoseconds: start !== undefined && end !== undefined ? end - start : 0n },
  };
}

/** The BagMetadata node rosbag2 writes (inside metadata.yaml and the MCAP `rosbag2` record). */
export function buildBagMetadata(input: MetadataInput): Record<string, unknown> {
  const starts = input.files.flatMap((f) => (f.start === undefined ? [] : [f.start]));
  const ends = input.files.flatMap((f) => (f.end === undefined ? [] : [f.end]));
  const start = starts.length ? starts.reduce((a, b) => (b < a ? b : a)) : undefined;
  const end = ends.length ? ends.reduce((a, b) => (b > a ? b : a)) : undefined;
  const { starting_time, duration } = span(start, end);
  return {
    version: METADATA_VERSION,
    storage_identifier: input.storageIdentifier,
    duration,
    starting_time,
    message_count: input.files.reduce((n, f) => n + f.messageCount, 0),
    topics_with_message_count: input.topics.map((t) => ({
      topic_metadata: {
        name: t.name,
        type: t.type,
        serialization_format: t.serializationFormat,
        offered_qos_profiles: t.offeredQosProfiles,
        type_description_hash: t.typeDescriptionHash,
      },
      message_count: t.count,
    })),
    compression_format: '',
    compression_mode: '',
    relative_file_paths: input.files.map((f) => f.path),
    files: input.files.map((f) => ({ path: f.path, ...span(f.start, f.end), message_count: f.messageCount })),
    custom_data: null,
    ros_distro: input.rosDistro,
  };
}

/** YAML text with multi-line strings (the QoS profiles) double-quoted on one line, as rosbag2 writes them. */
function toYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && node.value.includes('\n')) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0, doubleQuotedAsJSON: true });
}

/** YAML text of one BagMetadata node (no wrapper), as in the MCAP `rosbag2` metadata record. */
export function serializeBagMetadata(metadata: Record<string, unknown>): string {
  return toYaml(metadata);
}

/** The metadata.yaml text. */
export function serializeMetadataFile(metadata: Record<string, unknown>): string {
  return toYaml({ rosbag2_bagfile_information: metadata });
}
