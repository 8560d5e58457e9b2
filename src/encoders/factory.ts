// Frame encoder config (one section of the runtime config) -> a ready FrameEncoder.
import path from 'node:path';
import { z } from 'zod';
import { ModelError } from '../core/errors.js';
import { parseConfig } from '../core/parse-config.js';
import { MOBILENET_WITH_PATCHES } from './builtin/patch-model-spec.js';
import { isCombinedManifest } from './manifest.js';
import { OnnxFrameEncoder } from './onnx-frame-encoder.js';
import { OnnxFramePatchEncoder } from './onnx-frame-patch-encoder.js';
import { onnxRuntimeConfigShape } from './onnx-model.js';
import { packageRoot } from '../core/package-root.js';
import { PatchNormEncoder } from './patchnorm.js';
import type { FrameEncoder } from './types.js';
import { WorkerFrameEncoder } from './worker-frame-encoder.js';

/** Manifest of the built-in ImageNet CNN, relative to the package root. */
export const BUILTIN_CNN_MANIFEST = 'models/mobilenetv2-block10.yaml';
/** The built-in CNN merged with the built-in patch model (re-ranking: one run gives both). */
export const BUILTIN_CNN_WITH_PATCHES_MANIFEST = `models/${MOBILENET_WITH_PATCHES.manifestFile}`;

export const frameEncoderConfigSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('patchnorm'),
      width: z.number().int().positive().default(32),
      height: z.number().int().positive().default(16),
      patch: z.number().int().min(2).default(8),
    })
    .strict(),
  z.object({ kind: z.literal('onnx'), manifest: z.string().min(1), ...onnxRuntimeConfigShape }).strict(),
  z.object({ kind: z.literal('builtin-cnn'), ...onnxRuntimeConfigShape }).strict(),
]);

/** The config as written (defaults may be left out). */
export type FrameEncoderConfig = z.input<typeof frameEncoderConfigSchema>;

export interface EncoderContext {
  /** Folder relative manifest paths are resolved against (the config file's folder); default cwd. */
  baseDir?: string;
  /** Receives the execution-provider fallback warning; default console.warn. */
  warn?: (message: string) => void;
  /**
   * Where an ONNX model runs: 'main' (default), or 'worker', a worker thread, so that a recorded
   * run encodes the next frames on the other core while this thread matches (same descriptors).
   * Patchnorm stays on the main thread: its decoding already runs in sharp's thread pool.
   */
  thread?: 'main' | 'worker';
  /**
   * Re-ranking with the built-in patch model is on: the built-in CNN then loads as the combined
   * model (a FramePatchEncoder: one decode and one backbone pass give the descriptor and the patch
   * grid). Other encoders ignore it. Falls back, with a warning, to the frame model alone when the
   * combined model is missing or stale.
   */
  withPatches?: boolean;
}

/** Absolute manifest path for an onnx / builtin-cnn config. */
export function frameManifestPath(config: FrameEncoderConfig, context: EncoderContext = {}): string | undefined {
  if (config.kind === 'builtin-cnn') return path.join(packageRoot(), BUILTIN_CNN_MANIFEST);
  if (config.kind === 'onnx') return path.resolve(context.baseDir ?? process.cwd(), config.manifest);
  return undefined;
}

export async function createFrameEncoder(config: FrameEncoderConfig, context: EncoderContext = {}): Promise<FrameEncoder> {
  const c = parseConfig(frameEncoderConfigSchema, config, 'frame encoder config');
  if (c.kind === 'patchnorm') return new PatchNormEncoder(c);
  // One intra-op thread unless configured: the worker's model runs beside the main thread's
  // matching, and a second onnxruntime thread would compete with it (same descriptors either way).
  if (context.thread === 'worker') return WorkerFrameEncoder.start({ ...c, intraOpThreads: c.intraOpThreads ?? 1 }, { ...context, thread: 'main' });
  const runtime = { providers: c.providers, intraOpThreads: c.intraOpThreads, warn: context.warn };
  if (context.withPatches && c.kind === 'builtin-cnn') {
    try {
      return await OnnxFramePatchEncoder.load(path.join(packageRoot(), BUILTIN_CNN_WITH_PATCHES_MANIFEST), runtime);
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      (context.warn ?? console.warn)(`${e.message}; running the frame model and the patch model separately`);
    }
  }
  const manifest = frameManifestPath(c, context)!;
  // A combined manifest (seqvpr train patches writes one) gives the patch grid from the same run.
  if (c.kind === 'onnx' && (await isCombinedManifest(manifest))) return OnnxFramePatchEncoder.load(manifest, runtime);
  return OnnxFrameEncoder.load(manifest, runtime);
}
