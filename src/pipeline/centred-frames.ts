// The front half of map building, shared by `buildMap` and `seqvpr extract`: frames are encoded in
// batches of `encodeBatch` and centred causally, in order, so what a map stores and what the
// training tools extract are the same descriptors by construction. A frame that cannot be decoded
// is skipped and reported, never fatal.
import { ModelError, SeqvprError } from '../core/errors.js';
import type { Frame } from '../core/types.js';
import { yieldsPatches } from '../encoders/types.js';
import type { Frontend } from './assemble.js';
import { EmaCentering } from '../encoders/centering.js';

export interface CentredFrame {
  frame: Frame;
  /** The frame descriptor after appearance centring (unit length when centring is enabled). */
  descriptor: Float32Array;
  /**
   * The raw patch grid from the same model run, when the frame encoder gives it (re-ranking with
   * the combined model, PatchEncoder.withFrame); undefined otherwise or when it was not usable.
   */
  patches?: Float32Array;
}

export interface CentredBatch {
  /** Frames of this batch that could be encoded, in order. */
  encoded: CentredFrame[];
  /** Frames read from the source for this batch (encoded + skipped). */
  read: number;
}

export interface CentredFramesOptions {
  /** Called for every frame that cannot be encoded. */
  onSkip?: (frame: Frame, error: SeqvprError) => void;
}

/** Encodes and centres a traversal batch by batch (one EmaCentering for the whole run). */
export async function* centredFrameBatches(
  frames: AsyncIterable<Frame>,
  frontend: Frontend,
  options: CentredFramesOptions = {},
): AsyncGenerator<CentredBatch> {
  const centering = new EmaCentering(frontend.config.centering);
  const onSkip = options.onSkip ?? (() => {});
  const finish = async (batch: Frame[]): Promise<CentredBatch> => {
    const encoded = await encodeIsolatingFailures(frontend, batch, onSkip);
    return {
      encoded: encoded.map(({ frame, descriptor, patches }) => ({ frame, descriptor: centering.apply(descriptor), patches })),
      read: batch.length,
    };
  };
  let batch: Frame[] = [];
  for await (const frame of frames) {
    batch.push(frame);
    if (batch.length >= frontend.config.encodeBatch) {
      yield await finish(batch);
      batch = [];
    }
  }
  if (batch.length) yield await finish(batch);
}

/** Encodes a batch; when it fails, encodes frame by frame so one bad image costs only itself. */
async function encodeIsolatingFailures(
  frontend: Frontend,
  batch: Frame[],
  onSkip: (frame: Frame, error: SeqvprError) => void,
): Promise<{ frame: Frame; descriptor: Float32Array; patches?: Float32Array }[]> {
  const encoder = frontend.frameEncoder;
  const encode = async (frames: Frame[]): Promise<{ descriptor: Float32Array; patches?: Float32Array }[]> =>
    frontend.patchEncoder?.withFrame && yieldsPatches(encoder)
      ? encoder.encodeWithPatches(frames.map((f) => f.image))
      : (await encoder.encode(frames.map((f) => f.image))).map((descriptor) => ({ descriptor }));
  try {
    const encoded = await encode(batch);
    return batch.map((frame, i) => ({ frame, ...encoded[i] }));
  } catch (e) {
    if (!isFrameProblem(e)) throw e;
  }
  const out: { frame: Frame; descriptor: Float32Array; patches?: Float32Array }[] = [];
  for (const frame of batch) {
    try {
      const [encoded] = await encode([frame]);
      out.push({ frame, ...encoded });
    } catch (e) {
      if (!isFrameProblem(e)) throw e;
      onSkip(frame, e);
    }
  }
  return out;
}

/**
 * A typed error that one frame causes (undecodable image, NaN output for it): skip the frame. A
 * ModelError (output size disagreeing with the manifest, onnxruntime failing) would fail every
 * frame alike, so it stops the run instead of producing an empty map.
 */
function isFrameProblem(e: unknown): e is SeqvprError {
  return e instanceof SeqvprError && !(e instanceof ModelError);
}
