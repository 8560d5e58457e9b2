// Messages between WorkerFrameEncoder (main thread) and frame-encoder-worker.ts, and the typed
// errors carried across: a structured clone keeps only a plain Error, but the recogniser tells a
// bad frame (skipped) from a broken model (the run fails) by the error's class.
import * as errors from '../core/errors.js';
import type { ImageSource } from '../core/types.js';
import type { EncodeTiming, PatchModelIdentity } from './types.js';

/** `withPatches`: the patch grids too (only when the worker's encoder gives them, see `ready`). */
export type WorkerRequest = { type: 'encode'; requestId: number; images: ImageSource[]; withPatches: boolean } | { type: 'close' };

export type WorkerReply =
  | { type: 'ready'; id: string; hash: string; dim: number; provider: string; warnings: string[]; patchModel?: PatchModelIdentity }
  | { type: 'not-started'; error: SerializedError }
  /** `patches`: one per image when asked (null: no usable grid). */
  | { type: 'encoded'; requestId: number; descriptors: Float32Array[]; patches?: (Float32Array | null)[]; timing: EncodeTiming }
  | { type: 'failed'; requestId: number; error: SerializedError; timing: EncodeTiming };

export interface SerializedError {
  name: string;
  message: string;
}

export function serializeError(e: unknown): SerializedError {
  return e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
}

const SEQVPR_ERRORS: Record<string, new (message: string) => errors.SeqvprError> = {
  SeqvprError: errors.SeqvprError,
  ConfigError: errors.ConfigError,
  ImageDecodeError: errors.ImageDecodeError,
  ModelError: errors.ModelError,
  DescriptorError: errors.DescriptorError,
  MapFormatError: errors.MapFormatError,
  BagError: errors.BagError,
  EvalError: errors.EvalError,
};

/** The error again, with its seqvpr class when it had one (anything else stays a plain Error, a bug). */
export function deserializeError(e: SerializedError): Error {
  const Class = SEQVPR_ERRORS[e.name];
  if (Class) return new Class(e.message);
  const error = new Error(e.message);
  error.name = e.name;
  return error;
}

/**
 * A copy of the image that owns its bytes (a buffer of exactly its size, so it can be transferred):
 * a message would otherwise clone the whole buffer a view points into (e.g. a bag's decompressed
 * chunk). Not `.slice()`: on a Node Buffer that is a view of the same memory.
 */
export function detachedImage(image: ImageSource): ImageSource {
  return image.kind === 'file' ? image : { ...image, data: new Uint8Array(image.data) };
}
