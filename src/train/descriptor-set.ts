// A descriptor set on disk: `NAME.npy` (float32 [frames, dim]) and its sidecar `NAME.json` (which
// encoder and centring produced it, and per frame its source, stamp and pose), as written by
// `seqvpr extract`. A bare .npy (e.g. from Python) is accepted wherever the sidecar is optional.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DescriptorError } from '../core/errors.js';
import type { DescriptorMatrix } from '../core/matrix.js';
import { readNpyMatrix } from './npy.js';

const poseSchema = z
  .object({
    position: z.object({ x: z.number(), y: z.number(), z: z.number() }).strict(),
    orientation: z.object({ x: z.number(), y: z.number(), z: z.number(), w: z.number() }).strict(),
  })
  .strict();

export const descriptorSidecarSchema = z
  .object({
    version: z.literal(1),
    kind: z.literal('seqvpr-descriptors'),
    /** The .npy file's name (same folder). */
    npy: z.string().min(1),
    rows: z.number().int().nonnegative(),
    dim: z.number().int().positive(),
    /** Identity of the descriptors, as a map built with the same config records it (encoder + centring). */
    encoder: z.object({ id: z.string(), hash: z.string(), dim: z.number().int().positive() }).strict(),
    /** The frame encoder alone (before centring). */
    frameEncoder: z.object({ id: z.string(), hash: z.string() }).strict(),
    config: z.object({ file: z.string(), name: z.string() }).strict(),
    centering: z.object({ enabled: z.boolean(), windowFrames: z.number(), minChange: z.number() }).strict(),
    source: z.string(),
    /** Frames of the source that were skipped (unreadable images). */
    skipped: z.number().int().nonnegative(),
    createdAt: z.string(),
    /** Set when the rows are a PCA projection of another descriptor file (seqvpr pca apply). */
    projection: z.object({ pca: z.string(), name: z.string(), from: z.string() }).strict().optional(),
    frames: z.array(
      z
        .object({
          /** Position in the source (before skipping and range selection). */
          index: z.number().int().nonnegative(),
          /** Nanoseconds, as a decimal string (ROS stamps exceed 2^53). */
          stamp: z.string().regex(/^-?\d+$/),
          source: z.string().optional(),
          pose: poseSchema.optional(),
        })
        .strict(),
    ),
  })
  .strict();

export type DescriptorSidecar = z.infer<typeof descriptorSidecarSchema>;

/** `runs/a.npy` -> `runs/a.json`. */
export function sidecarPath(npyPath: string): string {
  return npyPath.replace(/\.npy$/i, '') + '.json';
}

export interface DescriptorSet {
  file: string;
  matrix: DescriptorMatrix;
  /** Undefined for a bare .npy without sidecar. */
  sidecar?: DescriptorSidecar;
}

/** The sidecar of a .npy, or undefined when it has none. */
export async function readSidecar(npyPath: string): Promise<DescriptorSidecar | undefined> {
  const jsonPath = sidecarPath(npyPath);
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch {
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DescriptorError(`sidecar ${jsonPath} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = descriptorSidecarSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DescriptorError(`sidecar ${jsonPath}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Reads a .npy and, when present, its sidecar, checking that they agree. */
export async function readDescriptorSet(npyPath: string): Promise<DescriptorSet> {
  const matrix = await readNpyMatrix(npyPath);
  const sidecar = await readSidecar(npyPath);
  if (!sidecar) return { file: npyPath, matrix };
  if (sidecar.rows !== matrix.rows || sidecar.dim !== matrix.dim || sidecar.frames.length !== matrix.rows) {
    throw new DescriptorError(
      `${npyPath} holds ${matrix.rows} x ${matrix.dim} values but its sidecar ${sidecarPath(npyPath)} describes ${sidecar.rows} x ${sidecar.dim} ` +
        `(${sidecar.frames.length} frames); the two files come from different runs, extract again`,
    );
  }
  return { file: npyPath, matrix, sidecar };
}
