// The weight-free SeqSLAM frame descriptor: a small grey thumbnail whose P x P patches are each
// normalised to zero mean and unit std (removes local brightness/contrast changes between runs),
// flattened and L2-normalised so cosine distance compares frames.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ConfigError } from '../core/errors.js';
import type { ImageSource } from '../core/types.js';
import { l2NormalizeInPlace } from '../core/vector.js';
import { resizeForModel, type ModelInputSpec } from '../image/preprocess.js';
import { addTime, type EncodeTiming, type FrameEncoder } from './types.js';

export interface PatchNormOptions {
  /** Thumbnail width in pixels (default 32). */
  width?: number;
  /** Thumbnail height in pixels (default 16). */
  height?: number;
  /** Patch side in pixels (default 8); edge patches are smaller when the size is not a multiple. */
  patch?: number;
}

/** Bumped whenever the algorithm changes its output, so maps built with the old one are rejected. */
const ALGORITHM_VERSION = 1;

/** Patch std at or below this counts as constant (float noise on a flat patch), giving zeros, not NaN. */
const CONSTANT_PATCH_STD = 1e-6;

/**
 * Normalises each non-overlapping patch x patch block of a width x height grey image to zero mean and
 * unit (population) std; constant blocks become zeros. Returns a new row-major Float32Array.
 */
export function patchNormalize(grey: ArrayLike<number>, width: number, height: number, patch: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y0 = 0; y0 < height; y0 += patch) {
    for (let x0 = 0; x0 < width; x0 += patch) {
      const y1 = Math.min(y0 + patch, height);
      const x1 = Math.min(x0 + patch, width);
      let sum = 0;
      let sumSq = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const v = grey[y * width + x];
          sum += v;
          sumSq += v * v;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const mean = sum / n;
      const std = Math.sqrt(Math.max(sumSq / n - mean * mean, 0));
      if (std <= CONSTANT_PATCH_STD) continue; // stays zero
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) out[y * width + x] = (grey[y * width + x] - mean) / std;
      }
    }
  }
  return out;
}

export class PatchNormEncoder implements FrameEncoder {
  readonly id: string;
  readonly hash: string;
  readonly dim: number;
  readonly provider = 'js';
  readonly width: number;
  readonly height: number;
  readonly patch: number;
  private readonly thumbnail: ModelInputSpec;

  constructor(options: PatchNormOptions = {}) {
    this.width = options.width ?? 32;
    this.height = options.height ?? 16;
    this.patch = options.patch ?? 8;
    for (const [key, v] of Object.entries({ width: this.width, height: this.height, patch: this.patch })) {
      if (!Number.isInteger(v) || v < 1) throw new ConfigError(`patchnorm ${key} must be a positive integer, got ${v}`);
    }
    if (this.patch < 2) throw new ConfigError('patchnorm patch must be at least 2 pixels: a 1-pixel patch is always constant');
    this.dim = this.width * this.height;
    this.id = `patchnorm-${this.width}x${this.height}-p${this.patch}`;
    this.hash = createHash('sha256')
      .update(JSON.stringify({ encoder: 'patchnorm', version: ALGORITHM_VERSION, width: this.width, height: this.height, patch: this.patch }))
      .digest('hex');
    this.thumbnail = {
      name: 'thumbnail', width: this.width, height: this.height, resize: 'stretch', channels: 'gray',
      layout: 'nchw', scale: 1, mean: [0], std: [1],
    };
  }

  /** The grey thumbnail is the input as it is, so `timing` gets decode only (no preprocess). */
  async encode(images: readonly ImageSource[], timing?: EncodeTiming): Promise<Float32Array[]> {
    const t0 = performance.now();
    const thumbs = await Promise.all(images.map((img) => resizeForModel(img, this.thumbnail)));
    addTime(timing, 'decode', performance.now() - t0);
    return thumbs.map((px) => l2NormalizeInPlace(patchNormalize(px.data, this.width, this.height, this.patch)));
  }

  async close(): Promise<void> {
    // Nothing to release: no model, no native handles.
  }
}
