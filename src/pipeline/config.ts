// The pipeline configuration: one YAML file names every stage and its parameters. Validated once at
// load; errors name the file and the offending key. Files in config/ are complete examples.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { parseConfig } from '../core/parse-config.js';
import { frameEncoderConfigSchema } from '../encoders/factory.js';
import { sequenceEncoderConfigSchema } from '../encoders/sequence/factory.js';
import { hnswParamsSchema } from '../map/manifest.js';
import { DEFAULT_HNSW_PARAMS } from '../retrieve/hnsw-index.js';
import { matcherConfigSchema } from '../match/config.js';
import { centeringConfigSchema } from '../encoders/centering.js';
import { motionGateConfigSchema } from './motion-gate.js';
import { packageRoot } from '../core/package-root.js';
import { rerankConfigSchema } from '../rerank/config.js';

export const retrievalConfigSchema = z
  .object({
    source: z
      .enum(['sequence', 'frame-votes'])
      .default('frame-votes')
      .describe("Coarse stage: 'sequence' = the sequence descriptor's nearest map sequences; 'frame-votes' = per-frame nearest map frames vote for sequence ends."),
    k: z.number().int().min(0).default(10).describe('Coarse candidates passed to the matcher; 0 = the matcher sweeps the whole map.'),
    perFrameK: z.number().int().min(1).default(20).describe('frame-votes: nearest map frames per query frame.'),
    separationRows: z.number().int().min(0).default(3).describe('frame-votes: candidate ends closer than this are merged (map frames).'),
    mode: z.enum(['hnsw', 'exact']).default('hnsw').describe('exact = brute force (small maps, checking HNSW).'),
  })
  .strict();

export const pipelineConfigSchema = z
  .object({
    /** Free text shown in reports. */
    name: z.string().default('custom'),
    frontend: frameEncoderConfigSchema,
    centering: centeringConfigSchema.default(centeringConfigSchema.parse({})),
    /** Sequence descriptor for coarse retrieval (its length is the coarse window, L). */
    sequence: sequenceEncoderConfigSchema,
    retrieval: retrievalConfigSchema.default(retrievalConfigSchema.parse({})),
    matcher: matcherConfigSchema,
    /** Patch-level re-ranking of the matcher's best candidates (src/rerank/); off by default. */
    rerank: rerankConfigSchema.default(rerankConfigSchema.parse({})),
    /** Query frames aligned by the fine matcher (columns of the difference matrix). */
    windowLength: z.number().int().min(1).max(200).default(10),
    windowPlacement: z
      .enum(['path', 'frames'])
      .default('path')
      .describe(
        "Where the matcher places the window's frames along the map: 'path' = at the distance the camera travelled (posed frames, a map with poses: window-placement.ts); 'frames' = one map frame per query frame.",
      ),
    /** Frames enter the query window only once the camera moved (motion-gate.ts). */
    motionGate: motionGateConfigSchema.default(motionGateConfigSchema.parse({})),
    hnsw: hnswParamsSchema.partial().default({}),
    encodeBatch: z.number().int().min(1).max(256).default(16).describe('Frames per encoder call when building maps.'),
  })
  .strict();

export type PipelineConfig = z.output<typeof pipelineConfigSchema>;

export const DEFAULT_CONFIG_FILE = 'config/default.yaml';

export interface LoadedConfig {
  config: PipelineConfig;
  /** The file read (absolute), for messages and for resolving relative model paths. */
  file: string;
  /** The YAML text, shown in reports. */
  text: string;
}

/** Reads and validates a pipeline config; without a path, the built-in default. */
export async function loadPipelineConfig(file?: string): Promise<LoadedConfig> {
  const resolved = path.resolve(file ?? path.join(packageRoot(), DEFAULT_CONFIG_FILE));
  let text: string;
  try {
    text = await readFile(resolved, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config ${resolved}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (e) {
    throw new ConfigError(`config ${resolved} is not valid YAML: ${(e as Error).message}`);
  }
  return { config: parseConfig(pipelineConfigSchema, raw, `config ${resolved}`), file: resolved, text };
}

/** HNSW parameters with defaults filled in. */
export function hnswParams(config: PipelineConfig): z.output<typeof hnswParamsSchema> {
  return { ...DEFAULT_HNSW_PARAMS, ...config.hnsw };
}
