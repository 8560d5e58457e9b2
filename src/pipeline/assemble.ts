// Turns a validated config into running parts: encoders, matcher, recogniser. The identity of the
// front end (frame encoder + appearance centring) is what a map records and what a query pipeline
// must match, so that a map is never searched with descriptors of another kind.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { createFrameEncoder } from '../encoders/factory.js';
import { createSequenceEncoder } from '../encoders/sequence/factory.js';
import type { FrameEncoder, SequenceEncoder } from '../encoders/types.js';
import type { FrameEncoderInfo, SequenceEncoderInfo } from '../map/place-map.js';
import type { PlaceMap } from '../map/place-map.js';
import { assertCompatible } from '../map/compatibility.js';
import { createMatcher } from '../match/create-matcher.js';
import type { LoadedConfig, PipelineConfig } from './config.js';
import { EmaCentering } from '../encoders/centering.js';
import { MapSpacing, MotionGate, unevenSpacing } from './motion-gate.js';
import { MapArc } from './window-placement.js';
import { PlaceRecognizer, type RecognizerOptions } from './recognizer.js';
import { createPatchEncoder, patchReranking, type PatchEncoder } from '../rerank/assemble.js';
import type { PatchInfo } from '../map/patch-store.js';

export interface Frontend {
  config: PipelineConfig;
  frameEncoder: FrameEncoder;
  /** null for the 'single' kind: coarse retrieval then runs on frame descriptors. */
  sequenceEncoder: SequenceEncoder | null;
  /** Patch model for re-ranking (null when `rerank` is off): its grid goes into maps and queries. */
  patchEncoder: PatchEncoder | null;
  /** What a map built by this front end records (and a query pipeline must match). */
  identity: { encoder: FrameEncoderInfo; sequence: SequenceEncoderInfo | null; patches: PatchInfo | null };
  close(): Promise<void>;
}

export interface AssembleContext {
  warn?: (message: string) => void;
  /** Use this frame encoder instead of creating one from the config (e.g. a cached one). */
  frameEncoder?: FrameEncoder;
  /** Where an ONNX frame model runs (see EncoderContext.thread); recorded runs use 'worker'. */
  encoderThread?: 'main' | 'worker';
  /** Use this encoder as the re-ranker's patch model (when `rerank` is enabled), e.g. a cached one. */
  patchEncoder?: FrameEncoder;
}

export async function createFrontend(loaded: LoadedConfig, context: AssembleContext = {}): Promise<Frontend> {
  const { config } = loaded;
  const baseDir = path.dirname(loaded.file);
  // With the built-in patch model, the built-in CNN loads as the combined model (one run, both outputs).
  const withPatches = config.rerank.enabled && config.rerank.model === undefined && context.patchEncoder === undefined;
  const frameEncoder =
    context.frameEncoder ?? (await createFrameEncoder(config.frontend, { baseDir, warn: context.warn, thread: context.encoderThread, withPatches }));
  let sequenceEncoder: SequenceEncoder | null = null;
  if (config.sequence.kind !== 'single') {
    sequenceEncoder = await createSequenceEncoder(config.sequence, { frameDim: frameEncoder.dim, baseDir, warn: context.warn });
  }
  const centring = config.centering.enabled
    ? `+ema-centering(w=${config.centering.windowFrames},min=${config.centering.minChange})`
    : '';
  const encoder: FrameEncoderInfo = {
    id: frameEncoder.id + centring,
    hash: sha256(frameEncoder.hash, centring),
    dim: frameEncoder.dim,
  };
  const sequence: SequenceEncoderInfo | null = sequenceEncoder
    ? {
        id: sequenceEncoder.id,
        hash: sha256(sequenceEncoder.hash, encoder.hash),
        length: sequenceEncoder.length,
        dim: sequenceEncoder.outputDim,
      }
    : null;
  const patchEncoder = config.rerank.enabled ? await createPatchEncoder(config.rerank, { baseDir, warn: context.warn }, context.patchEncoder, frameEncoder) : null;
  return {
    config,
    frameEncoder,
    sequenceEncoder,
    patchEncoder,
    identity: { encoder, sequence, patches: patchEncoder?.info ?? null },
    async close() {
      await Promise.all([frameEncoder.close(), sequenceEncoder?.close(), patchEncoder?.encoder.close()]);
    },
  };
}

/** A recogniser for `map`, after checking the map was built by this front end. */
export function createRecognizer(
  frontend: Frontend,
  map: PlaceMap,
  where = 'the map',
  extra: Pick<RecognizerOptions, 'searchableRows'> & { warn?: (message: string) => void } = {},
): PlaceRecognizer {
  const { config, identity } = frontend;
  assertCompatible(
    map,
    {
      encoderId: identity.encoder.id,
      encoderHash: identity.encoder.hash,
      dim: identity.encoder.dim,
      sequence: identity.sequence ?? undefined,
    },
    where,
  );
  // Placed by the path, the window follows the map's own path; one row per frame assumes even rows.
  const uneven = config.windowPlacement === 'frames' ? unevenSpacing(map.frames, map.sessionStarts) : undefined;
  if (uneven) {
    extra.warn?.(
      `${where}: ${uneven}, and windowPlacement: frames matches one map frame per query frame: answers may run ahead or behind where the spacing differs (use windowPlacement: path with posed queries, or build the map with --keyframe-distance)`,
    );
  }
  return new PlaceRecognizer({
    frameEncoder: frontend.frameEncoder,
    sequenceEncoder: frontend.sequenceEncoder,
    matcher: createMatcher(config.matcher),
    map: map.view(config.retrieval.mode),
    windowLength: config.windowLength,
    coarse: config.retrieval,
    centering: config.centering.enabled ? new EmaCentering(config.centering) : undefined,
    rerank: patchReranking(frontend.patchEncoder, config.rerank, config.centering, map.patches?.info, where, extra.warn),
    searchableRows: extra.searchableRows,
    samePlace: { ...config.matcher.samePlace, neighbourRows: Math.max(1, config.matcher.localizationRows) },
    motionGate: config.motionGate.enabled ? { gate: motionGate(config, map), heldConfidence: config.motionGate.heldConfidence, heldAdvance: config.motionGate.heldAdvance } : undefined,
    mapArc: config.windowPlacement === 'path' ? new MapArc(map, currentSpacing(map)) : undefined,
  });
}

/**
 * The query window's motion gate for `map`: its spacing resolved from the map's poses when asked.
 * A map without poses (nordland64, image folders) leaves posed queries without the pose rule; a
 * live map (it starts empty) gets it once it has MIN_SPACING_STEPS posed steps, and the spacing
 * follows it as it grows.
 */
function motionGate(config: PipelineConfig, map: PlaceMap): MotionGate {
  const { spacingM, appearance } = config.motionGate;
  return new MotionGate({
    spacingM: spacingM === 'map' ? currentSpacing(map) : spacingM,
    minChange: appearance ? config.centering.minChange : undefined,
  });
}

/** The map's median frame spacing as it is now (MapSpacing: followed while a live map grows). */
function currentSpacing(map: PlaceMap): () => number | undefined {
  const spacing = new MapSpacing(map);
  return () => spacing.current();
}

function sha256(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}
