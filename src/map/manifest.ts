// The manifest.json of a map directory: which encoders built it, how big it is, and a checksum for
// every data file, so a loader can refuse a map it cannot trust before reading megabytes of floats.
import { z } from 'zod';
import { MapFormatError } from '../core/errors.js';
import type { HnswParams } from '../retrieve/hnsw-index.js';
import { patchInfoSchema } from './patch-store.js';

export const MAP_FORMAT_VERSION = 1;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256');
const positiveInt = z.number().int().positive();
const count = z.number().int().nonnegative();

export const mapFileEntrySchema = z.object({ sha256: sha256Hex, bytes: count }).strict();

/** HnswParams (documented where the index uses them). */
export const hnswParamsSchema = z
  .object({
    m: z.number().int().min(2),
    efConstruction: positiveInt,
    efSearch: positiveInt,
    randomSeed: z.number().int().nonnegative(),
  })
  .strict() satisfies z.ZodType<HnswParams>;

export const mapManifestSchema = z.object({
  formatVersion: z.literal(MAP_FORMAT_VERSION),
  createdAt: z.iso.datetime(),
  encoder: z.object({ id: z.string().min(1), hash: z.string().min(1), dim: positiveInt }).strict(),
  sequence: z
    .object({ id: z.string().min(1), hash: z.string().min(1), length: positiveInt, dim: positiveInt })
    .strict()
    .nullable(),
  /** Number of map frames (rows of frames.f32). */
  frames: count,
  /** Number of sequence descriptors (rows of sequences.f32); 0 when `sequence` is null. */
  sequences: count,
  hnsw: hnswParamsSchema,
  /** Data file name (relative to the map directory) -> checksum and size. */
  files: z.record(z.string(), mapFileEntrySchema),
  /** Free text: where the frames came from (image folder, bag and topic...). */
  source: z.string(),
  /** True when every frame carries a pose. */
  hasPoses: z.boolean(),
  /** Optional (maps before sessions have none: one session): first frame of each mapping session. */
  sessionStarts: z.array(count).min(1).optional(),
  /** Optional local features for patch re-ranking (file patches.i8); absent in maps without them. */
  patches: patchInfoSchema.optional(),
});

/** The part of a manifest that a map carries in memory (PlaceMap.info). */
export const mapInfoSchema = mapManifestSchema.pick({ createdAt: true, encoder: true, sequence: true, hnsw: true, source: true });

export type MapManifest = z.infer<typeof mapManifestSchema>;
export type MapFileEntry = z.infer<typeof mapFileEntrySchema>;
export type { HnswParams };

/** Parses manifest.json text. Checks the version first so an old or newer map gets a clear message. */
export function parseMapManifest(text: string, where: string): MapManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new MapFormatError(`${where} is not valid JSON (${(e as Error).message}); the map is corrupt, rebuild it`);
  }
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== MAP_FORMAT_VERSION) {
    throw new MapFormatError(
      `${where} has map format version ${JSON.stringify(version)}, but this seqvpr reads version ` +
        `${MAP_FORMAT_VERSION} only; rebuild the map with this version of seqvpr`,
    );
  }
  const parsed = mapManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MapFormatError(`${where}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}
