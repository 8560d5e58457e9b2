// ImageSource[] -> the float32 input tensor a frame model's manifest asks for: decode, convert
// channels, resize (sharp), then scale / mean / std and lay out as NCHW or NHWC, N images batched.
import { performance } from 'node:perf_hooks';
import type { FitEnum } from 'sharp';
import { ModelError } from '../core/errors.js';
import type { ImageSource } from '../core/types.js';
import type { ModelInputSpec } from './model-input.js';
import { addTime, type EncodeTiming } from './timing.js';
import { openImage, runToPixels, toChannels } from './decode.js';
import { enlargeExactly } from './exact-enlarge.js';
import type { Pixels } from './pixels.js';

export type { ModelInputSpec } from './model-input.js';

/** Manifest resize modes in sharp's words: stretch ignores aspect, crop covers, pad letterboxes. */
const SHARP_FIT: Record<ModelInputSpec['resize'], keyof FitEnum> = { stretch: 'fill', crop: 'cover', pad: 'contain' };

/** Number of channels the model input has. */
export function inputChannels(spec: ModelInputSpec): 1 | 3 {
  return spec.channels === 'gray' ? 1 : 3;
}

/** Values per image in the input tensor. */
export function inputSize(spec: ModelInputSpec): number {
  return inputChannels(spec) * spec.width * spec.height;
}

/** Tensor dims for a batch of n images. */
export function inputShape(spec: ModelInputSpec, n: number): number[] {
  const c = inputChannels(spec);
  return spec.layout === 'nchw' ? [n, c, spec.height, spec.width] : [n, spec.height, spec.width, c];
}

/**
 * Throws ModelError when mean/std do not fit the channel count: 1 value, or one per channel. Grey
 * input also takes 3 equal values, because the schema's defaults ([0,0,0], [1,1,1]) have 3.
 */
export function validateInputSpec(spec: ModelInputSpec): void {
  const c = inputChannels(spec);
  for (const key of ['mean', 'std'] as const) {
    const values = spec[key];
    const fits = values.length === 1 || values.length === c || (c === 1 && values.every((v) => v === values[0]));
    if (!fits) {
      const want = c === 1 ? 'give one value' : 'give 1 or 3 values';
      throw new ModelError(`model input ${key} [${values.join(', ')}] does not fit ${spec.channels} input with ${c} channel(s); ${want}`);
    }
  }
}

/**
 * Decodes and resizes one image to the spec's size and channels (8-bit, packed). Small images that
 * exact-enlarge.ts reproduces byte for byte skip sharp, whose per-call cost dominates for them.
 */
export async function resizeForModel(source: ImageSource, spec: ModelInputSpec): Promise<Pixels> {
  const channels = spec.channels === 'gray' ? 'gray' : 'rgb';
  const enlarged = spec.resize === 'stretch' ? await enlargeExactly(source, channels, spec) : undefined;
  return enlarged ?? resizeWithSharp(source, spec);
}

/** resizeForModel's general path: one sharp pipeline (decode, channels, resize). */
export async function resizeWithSharp(source: ImageSource, spec: ModelInputSpec): Promise<Pixels> {
  const channels = spec.channels === 'gray' ? 'gray' : 'rgb';
  const pipeline = toChannels(openImage(source), channels).resize(spec.width, spec.height, {
    fit: SHARP_FIT[spec.resize],
    position: 'centre',
    background: { r: 0, g: 0, b: 0, alpha: 1 },
  });
  return runToPixels(pipeline, source);
}

/**
 * Writes one resized image into `out` at image slot `n`: value = (byte * scale - mean[c]) / std[c],
 * with c in the model's channel order (for bgr, channel 0 is blue and mean[0] is blue's mean).
 */
export function writeTensorSlot(px: Pixels, spec: ModelInputSpec, out: Float32Array, n: number): void {
  const c = inputChannels(spec);
  if (px.width !== spec.width || px.height !== spec.height || px.channels !== c) {
    throw new ModelError(
      `image is ${px.width}x${px.height}x${px.channels}, the model input needs ${spec.width}x${spec.height}x${c}`,
    );
  }
  const hw = spec.width * spec.height;
  const base = n * hw * c;
  for (let ch = 0; ch < c; ch++) {
    // bgr reads the RGB pixel's channels in reverse.
    const srcCh = spec.channels === 'bgr' ? 2 - ch : ch;
    const mean = spec.mean.length === c ? spec.mean[ch] : spec.mean[0];
    const std = spec.std.length === c ? spec.std[ch] : spec.std[0];
    const a = spec.scale / std;
    const b = -mean / std;
    // The layout decides where consecutive pixels go: a plane (stride 1) or interleaved (stride c).
    const [start, stride] = spec.layout === 'nchw' ? [base + ch * hw, 1] : [base + ch, c];
    const data = px.data;
    for (let p = 0, src = srcCh, dst = start; p < hw; p++, src += c, dst += stride) out[dst] = data[src] * a + b;
  }
}

/**
 * Preprocesses a batch into one Float32Array of inputShape(spec, sources.length). `timing` receives
 * the sharp part as decode and the tensor writing as preprocess.
 */
export async function preprocessBatch(sources: readonly ImageSource[], spec: ModelInputSpec, timing?: EncodeTiming): Promise<Float32Array> {
  validateInputSpec(spec);
  const out = new Float32Array(sources.length * inputSize(spec));
  const t0 = performance.now();
  const resized = await Promise.all(sources.map((s) => resizeForModel(s, spec)));
  const t1 = performance.now();
  resized.forEach((px, n) => writeTensorSlot(px, spec, out, n));
  addTime(timing, 'decode', t1 - t0);
  addTime(timing, 'preprocess', performance.now() - t1);
  return out;
}
