// `seqvpr extract`: per-frame descriptors of a traversal exactly as a map built with the same config
// stores them (frame encoder + appearance centring, through the shared centredFrameBatches), written
// as a float32 .npy plus a JSON sidecar. Rows stream to a temp file that is renamed into place only
// when complete, so a killed run never leaves a half-written output.
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { ConfigError, type SeqvprError } from '../core/errors.js';
import type { Frame } from '../core/types.js';
import { createFrontend, type Frontend } from '../pipeline/assemble.js';
import { loadPipelineConfig } from '../pipeline/config.js';
import { imageFolderFrames } from '../sources/image-folder.js';
import { centredFrameBatches } from '../pipeline/centred-frames.js';
import { sidecarPath, type DescriptorSidecar } from './descriptor-set.js';
import { NpyRowWriter } from './npy.js';

export interface ExtractOptions {
  /** Free text naming the source (folder, bag and topic), recorded in the sidecar. */
  source: string;
  /** The pipeline config file used (recorded in the sidecar). */
  configFile: string;
  onProgress?: (framesRead: number) => void;
  onSkip?: (frame: Frame, error: SeqvprError) => void;
}

export interface ExtractResult {
  rows: number;
  dim: number;
  skipped: number;
  npyPath: string;
  sidecarPath: string;
}

export async function extractDescriptors(
  frames: AsyncIterable<Frame>,
  frontend: Frontend,
  outNpy: string,
  options: ExtractOptions,
): Promise<ExtractResult> {
  const { encoder } = frontend.identity;
  const writer = await NpyRowWriter.create(outNpy, encoder.dim);
  const meta: DescriptorSidecar['frames'] = [];
  let skipped = 0;
  let read = 0;
  try {
    const batches = centredFrameBatches(frames, frontend, {
      onSkip: (frame, error) => {
        skipped++;
        options.onSkip?.(frame, error);
      },
    });
    for await (const batch of batches) {
      if (batch.encoded.length > 0) {
        const rows = new Float32Array(batch.encoded.length * encoder.dim);
        batch.encoded.forEach(({ frame, descriptor }, i) => {
          rows.set(descriptor, i * encoder.dim);
          meta.push({
            index: frame.index,
            stamp: frame.stamp.toString(),
            ...(frame.source !== undefined && { source: frame.source }),
            ...(frame.pose && { pose: frame.pose }),
          });
        });
        await writer.append(rows);
      }
      read += batch.read;
      options.onProgress?.(read);
    }
    await writer.finish();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  const { config } = frontend;
  const sidecar: DescriptorSidecar = {
    version: 1,
    kind: 'seqvpr-descriptors',
    npy: path.basename(outNpy),
    rows: meta.length,
    dim: encoder.dim,
    encoder: { id: encoder.id, hash: encoder.hash, dim: encoder.dim },
    frameEncoder: { id: frontend.frameEncoder.id, hash: frontend.frameEncoder.hash },
    config: { file: options.configFile, name: config.name },
    centering: { ...config.centering },
    source: options.source,
    skipped,
    createdAt: new Date().toISOString(),
    frames: meta,
  };
  const jsonPath = sidecarPath(outNpy);
  await writeFileAtomic(jsonPath, JSON.stringify(sidecar, null, 1) + '\n');
  return { rows: meta.length, dim: encoder.dim, skipped, npyPath: outNpy, sidecarPath: jsonPath };
}

/** Frames whose source index lies in [start, end), indices kept (the sidecar records them). */
export async function* frameRange(frames: AsyncIterable<Frame>, start: number, end = Number.POSITIVE_INFINITY): AsyncGenerator<Frame> {
  for await (const frame of frames) {
    if (frame.index >= end) return;
    if (frame.index >= start) yield frame;
  }
}

/** Parses "A:B" (either side may be empty) into [start, end). */
export function parseRange(spec: string, what = '--range'): { start: number; end: number } {
  const m = /^(\d*):(\d*)$/.exec(spec.trim());
  if (!m) throw new ConfigError(`${what} "${spec}": write START:END (frame indices, END excluded), e.g. 0:1200`);
  const start = m[1] === '' ? 0 : Number(m[1]);
  const end = m[2] === '' ? Number.POSITIVE_INFINITY : Number(m[2]);
  if (end <= start) throw new ConfigError(`${what} "${spec}": END must be larger than START`);
  return { start, end };
}

/**
 * `seqvpr extract --images DIR [--config FILE] [--range A:B]` as one call: the frames of an image
 * folder through a pipeline config's frontend and centring, into `outNpy` (+ sidecar).
 */
export async function extractImageFolder(configFile: string | undefined, dir: string, outNpy: string, range?: { start: number; end: number }): Promise<ExtractResult> {
  const loaded = await loadPipelineConfig(configFile);
  const frontend = await createFrontend(loaded);
  try {
    const frames = range ? frameRange(imageFolderFrames(dir), range.start, range.end) : imageFolderFrames(dir);
    const source = range ? `${dir} frames ${range.start}:${Number.isFinite(range.end) ? range.end : ''}` : dir;
    return await extractDescriptors(frames, frontend, outNpy, { source, configFile: loaded.file });
  } finally {
    await frontend.close();
  }
}
