// Builds a map from a frame stream with the same front end the live pipeline uses: frames are
// encoded in batches, centred causally in order, and every full trailing window gets a sequence
// descriptor. A frame that cannot be decoded is skipped and reported, never fatal.
import { SeqvprError } from '../core/errors.js';
import type { Frame } from '../core/types.js';
import { PlaceMap } from '../map/place-map.js';
import type { Frontend } from './assemble.js';
import { hnswParams } from './config.js';
import { EmaCentering } from './normalizer.js';

export interface BuildMapOptions {
  /** Free text recorded in the map (image folder, bag and topic). */
  source: string;
  /** Called after every batch with the number of frames read so far. */
  onProgress?: (framesRead: number) => void;
  /** Called for every skipped frame. */
  onSkip?: (frame: Frame, error: SeqvprError) => void;
  /** Frames expected (reserves index capacity up front). */
  expectedFrames?: number;
}

export interface BuildMapResult {
  map: PlaceMap;
  skipped: number;
}

export async function buildMap(frames: AsyncIterable<Frame>, frontend: Frontend, options: BuildMapOptions): Promise<BuildMapResult> {
  const { config, sequenceEncoder, identity } = frontend;
  const map = PlaceMap.create({
    encoder: identity.encoder,
    sequence: identity.sequence,
    hnsw: hnswParams(config),
    source: options.source,
    initialCapacity: options.expectedFrames,
  });
  const centering = new EmaCentering(config.centering);
  const seqLength = sequenceEncoder?.length ?? 1;
  let recent: Float32Array[] = [];
  let skipped = 0;
  let read = 0;

  const addBatch = async (batch: Frame[]): Promise<void> => {
    const encoded = await encodeIsolatingFailures(frontend, batch, (frame, error) => {
      skipped++;
      options.onSkip?.(frame, error);
    });
    const kept: { frame: Frame; descriptor: Float32Array; window: Float32Array[] | null }[] = [];
    for (const { frame, descriptor } of encoded) {
      const centred = centering.apply(descriptor);
      recent.push(centred);
      if (recent.length > seqLength) recent = recent.slice(-seqLength);
      const windowFull = sequenceEncoder !== null && recent.length === seqLength;
      kept.push({ frame, descriptor: centred, window: windowFull ? recent.slice() : null });
    }
    const windows = kept.filter((k) => k.window).map((k) => k.window!);
    const sequenceDescriptors = sequenceEncoder && windows.length ? await sequenceEncoder.encode(windows) : [];
    let next = 0;
    for (const k of kept) {
      const seq = k.window ? sequenceDescriptors[next++] : undefined;
      map.add({ stamp: k.frame.stamp, pose: k.frame.pose, source: k.frame.source }, k.descriptor, seq);
    }
    read += batch.length;
    options.onProgress?.(read);
  };

  let batch: Frame[] = [];
  for await (const frame of frames) {
    batch.push(frame);
    if (batch.length >= config.encodeBatch) {
      await addBatch(batch);
      batch = [];
    }
  }
  if (batch.length) await addBatch(batch);
  return { map, skipped };
}

/** Encodes a batch; when it fails, encodes frame by frame so one bad image costs only itself. */
async function encodeIsolatingFailures(
  frontend: Frontend,
  batch: Frame[],
  onSkip: (frame: Frame, error: SeqvprError) => void,
): Promise<{ frame: Frame; descriptor: Float32Array }[]> {
  try {
    const descriptors = await frontend.frameEncoder.encode(batch.map((f) => f.image));
    return batch.map((frame, i) => ({ frame, descriptor: descriptors[i] }));
  } catch (e) {
    if (!(e instanceof SeqvprError)) throw e;
  }
  const out: { frame: Frame; descriptor: Float32Array }[] = [];
  for (const frame of batch) {
    try {
      const [descriptor] = await frontend.frameEncoder.encode([frame.image]);
      out.push({ frame, descriptor });
    } catch (e) {
      if (!(e instanceof SeqvprError)) throw e;
      onSkip(frame, e);
    }
  }
  return out;
}
