// The YAML manifest that sits beside every ONNX model: how to feed it and what it returns.
// One schema for built-in and user models, so a user's NetVLAD/MixVPR export plugs in the same way.
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ModelError } from '../core/errors.js';
import { modelInputSchema } from '../image/model-input.js';

export const MANIFEST_VERSION = 1;

export const frameModelManifestSchema = z
  .object({
    version: z.literal(MANIFEST_VERSION),
    kind: z.literal('frame-encoder'),
    /** Short stable name, e.g. "mobilenetv2-block10-grid8x4". */
    name: z.string().min(1),
    /** ONNX file, relative to the manifest's folder. */
    model: z.string().min(1),
    input: modelInputSchema,
    output: z
      .object({
        name: z.string().min(1),
        dim: z.number().int().positive(),
        /** L2-normalise outputs in JS (set false when the graph already does it). */
        l2Normalize: z.boolean().default(false),
      })
      .strict(),
    /** Largest batch the model accepts (1 for models exported with a fixed batch). */
    maxBatch: z.number().int().positive().default(16),
    description: z.string().optional(),
    license: z.string().optional(),
  })
  .strict();

export type FrameModelManifest = z.infer<typeof frameModelManifestSchema>;

export const sequenceModelManifestSchema = z
  .object({
    version: z.literal(MANIFEST_VERSION),
    kind: z.literal('sequence-encoder'),
    name: z.string().min(1),
    model: z.string().min(1),
    /** Input tensor [batch, length, inputDim], frame descriptors oldest first. */
    input: z.object({ name: z.string().min(1), length: z.number().int().positive(), dim: z.number().int().positive() }).strict(),
    output: z
      .object({ name: z.string().min(1), dim: z.number().int().positive(), l2Normalize: z.boolean().default(false) })
      .strict(),
    /** Frame encoder the model was trained on (manifest name); checked when a pipeline is assembled. */
    frameEncoder: z.string().optional(),
    description: z.string().optional(),
  })
  .strict();

export type SequenceModelManifest = z.infer<typeof sequenceModelManifestSchema>;

/** One of the models a combined model reproduces: its manifest and that manifest's hash (LoadedManifest.hash). */
const componentSchema = z.object({ manifest: z.string().min(1), hash: z.string().regex(/^[0-9a-f]{64}$/) }).strict();

/**
 * A model that computes two frame-encoder models' outputs in one run (the built-in frame and patch
 * models, their shared backbone once). Input and outputs are those of the two component manifests,
 * and so are the identities maps record; it is used only while both hashes still match.
 */
export const combinedModelManifestSchema = z
  .object({
    version: z.literal(MANIFEST_VERSION),
    kind: z.literal('frame-and-patches'),
    name: z.string().min(1),
    model: z.string().min(1),
    /** The frame descriptor's model (output and preprocessing). */
    frame: componentSchema,
    /** The patch grid's model (the re-ranker's local features). */
    patches: componentSchema,
    description: z.string().optional(),
  })
  .strict();

export type CombinedModelManifest = z.infer<typeof combinedModelManifestSchema>;

export interface LoadedManifest<T> {
  manifest: T;
  /** Absolute path of the ONNX file. */
  modelPath: string;
  /** sha256 over the manifest text and the model bytes: changes whenever the output can change. */
  hash: string;
}

/** Whether the manifest at `manifestPath` is a combined frame-and-patches model (unreadable: no; loading says why). */
export async function isCombinedManifest(manifestPath: string): Promise<boolean> {
  try {
    return (YAML.parse(await readFile(manifestPath, 'utf8')) as { kind?: unknown } | null)?.kind === 'frame-and-patches';
  } catch {
    return false;
  }
}

/** Reads and validates a manifest, resolves its model file and hashes both. */
export async function loadManifest<S extends z.ZodTypeAny>(
  manifestPath: string,
  schema: S,
): Promise<LoadedManifest<z.infer<S>>> {
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (e) {
    throw new ModelError(`cannot read model manifest ${manifestPath}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (e) {
    throw new ModelError(`model manifest ${manifestPath} is not valid YAML: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.join('.') || '(top level)';
    throw new ModelError(`model manifest ${manifestPath}: ${where}: ${issue.message}`);
  }
  const manifest = parsed.data as z.infer<S> & { model: string };
  const modelPath = path.resolve(path.dirname(manifestPath), manifest.model);
  let modelBytes: Buffer;
  try {
    modelBytes = await readFile(modelPath);
  } catch {
    throw new ModelError(
      `model file ${modelPath} (named by ${manifestPath}) is missing; for the built-in model run "npm run build:models"`,
    );
  }
  const hash = createHash('sha256').update(text).update(modelBytes).digest('hex');
  return { manifest, modelPath, hash };
}
