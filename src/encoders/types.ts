// Contracts for frame encoders (image -> descriptor) and sequence encoders (window -> descriptor).
import type { ImageSource } from '../core/types.js';
import type { EncodeTiming } from '../image/timing.js';

// Encoders report decode / preprocess time in the image stage's terms.
export { addTime, type EncodeTiming } from '../image/timing.js';

export interface FrameEncoder {
  /** Stable id written into map manifests, e.g. "patchnorm-32x16" or "onnx:<name>". */
  readonly id: string;
  /** Hash of everything that changes the output (manifest + weights); maps record it. */
  readonly hash: string;
  readonly dim: number;
  /** Execution provider actually in use ("cpu", "cuda", ... or "js" for weight-free encoders). */
  readonly provider: string;
  /**
   * Encodes a batch; returns one descriptor per image, in order. Throws typed errors on bad input.
   * `timing`, when given, receives the decode / preprocess share of the call (see EncodeTiming).
   */
  encode(images: readonly ImageSource[], timing?: EncodeTiming): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/** One image's frame descriptor and patch grid from one model run. */
export interface FrameWithPatches {
  descriptor: Float32Array;
  /** The raw patch grid; undefined when the model gave NaN or Infinity for it (no patch evidence). */
  patches: Float32Array | undefined;
}

/** Which model's output the patch grid reproduces (what maps with patch features record). */
export interface PatchModelIdentity {
  id: string;
  hash: string;
  dim: number;
}

/**
 * A frame encoder whose model run also gives the re-ranker's patch grid (the built-in frame and
 * patch models merged: one decode, one backbone pass). Its descriptors are the frame model's and
 * its grids the patch model's (`patchModel`), so maps built either way are the same.
 */
export interface FramePatchEncoder extends FrameEncoder {
  readonly patchModel: PatchModelIdentity;
  encodeWithPatches(images: readonly ImageSource[], timing?: EncodeTiming): Promise<FrameWithPatches[]>;
}

export function yieldsPatches(encoder: FrameEncoder): encoder is FramePatchEncoder {
  const e = encoder as Partial<FramePatchEncoder>;
  return e.patchModel !== undefined && typeof e.encodeWithPatches === 'function';
}

export interface SequenceEncoder {
  readonly id: string;
  readonly hash: string;
  /** Number of consecutive frame descriptors it consumes (window length L). */
  readonly length: number;
  readonly inputDim: number;
  readonly outputDim: number;
  /** Encodes windows (each: L frame descriptors, oldest first) into unit-norm sequence descriptors. */
  encode(windows: readonly (readonly Float32Array[])[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}
