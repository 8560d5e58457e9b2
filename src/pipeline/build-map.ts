// Builds a map from a frame stream with the same front end the live pipeline uses: frames are
// encoded in batches, centred causally in order (centredFrameBatches), and every full trailing
// window gets a sequence descriptor. A frame that cannot be decoded is skipped and reported, never fatal.
import type { SeqvprError } from '../core/errors.js';
import type { Frame } from '../core/types.js';
import { PlaceMap } from '../map/place-map.js';
import type { Frontend } from './assemble.js';
import { centredFrameBatches } from './centred-frames.js';
import { hnswParams } from './config.js';
import { PatchCentering } from '../rerank/patch-centering.js';

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
    patches: identity.patches ?? undefined,
  });
  const seqLength = sequenceEncoder?.length ?? 1;
  // Patch grids are centred like the frame descriptors, causally in frame order (rerank/patch-centering.ts).
  const patchCentering = identity.patches ? new PatchCentering(config.centering, identity.patches) : null;
  let recent: Float32Array[] = [];
  let skipped = 0;
  let read = 0;

  const batches = centredFrameBatches(frames, frontend, {
    onSkip: (frame, error) => {
      skipped++;
      options.onSkip?.(frame, error);
    },
  });
  for await (const batch of batches) {
    const kept: { frame: Frame; descriptor: Float32Array; patches?: Float32Array; window: Float32Array[] | null }[] = [];
    for (const { frame, descriptor, patches } of batch.encoded) {
      recent.push(descriptor);
      if (recent.length > seqLength) recent = recent.slice(-seqLength);
      const windowFull = sequenceEncoder !== null && recent.length === seqLength;
      kept.push({ frame, descriptor, patches, window: windowFull ? recent.slice() : null });
    }
    const windows = kept.filter((k) => k.window).map((k) => k.window!);
    const sequenceDescriptors = sequenceEncoder && windows.length ? await sequenceEncoder.encode(windows) : [];
    // The combined model gave the grids with the descriptors (an unusable one: a zero grid, no
    // evidence); otherwise these frames decoded for the frame encoder, so the patch model reads them too.
    const raw: (Float32Array | undefined)[] = !frontend.patchEncoder || !kept.length
      ? []
      : frontend.patchEncoder.withFrame
        ? kept.map((k) => k.patches)
        : await frontend.patchEncoder.encoder.encode(kept.map((k) => k.frame.image));
    const patches = raw.map((grid) => grid && patchCentering!.apply(grid));
    let next = 0;
    kept.forEach((k, i) => {
      const seq = k.window ? sequenceDescriptors[next++] : undefined;
      map.add({ stamp: k.frame.stamp, pose: k.frame.pose, source: k.frame.source }, k.descriptor, seq, patches[i]);
    });
    read += batch.read;
    options.onProgress?.(read);
  }
  return { map, skipped };
}
