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
