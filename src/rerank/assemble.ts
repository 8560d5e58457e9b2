// Turns the `rerank` config into running parts: the patch model (an ONNX frame-encoder whose output
// is a cell grid) and the re-ranker, and decides whether a given map can be re-ranked at all.
import path from 'node:path';
import { ConfigError, DescriptorError } from '../core/errors.js';
import { MOBILENET_PATCHES } from '../encoders/builtin/patch-model-spec.js';
import type { EncoderContext } from '../encoders/factory.js';
import { frameModelManifestSchema, loadManifest } from '../encoders/manifest.js';
import { OnnxFrameEncoder } from '../encoders/onnx-frame-encoder.js';
import { packageRoot } from '../core/package-root.js';
import { yieldsPatches, type FrameEncoder, type FramePatchEncoder } from '../encoders/types.js';
import { samePatchInfo, type PatchInfo } from '../map/patch-store.js';
import type { RerankConfig } from './config.js';
import { PatchReranker } from './reranker.js';
import { PatchCentering } from './patch-centering.js';
import type { CenteringConfig } from '../encoders/centering.js';

/** Manifest of the built-in patch model, relative to the package root (built by `npm ci`). */
export const BUILTIN_PATCH_MANIFEST = `models/${MOBILENET_PATCHES.manifestFile}`;

export interface PatchEncoder {
  /** The patch model alone (grids only); with `withFrame`, a view that runs the frame encoder's combined model. */
  encoder: FrameEncoder;
  /** What maps record about the patch model, and its grid. */
  info: PatchInfo;
  /**
   * True when the frame encoder's own run gives the grid (encodeWithPatches: one decode, one
   * backbone pass): whoever encodes frames takes the grids from that call instead of `encoder`.
   */
  withFrame: boolean;
}

/** What the recogniser runs for re-ranking. */
export interface PatchReranking {
  encoder: FrameEncoder;
  /** The frame encoder's run gives the grid (see PatchEncoder.withFrame). */
  withFrame: boolean;
  /** The query run's patch centring (same settings as the map's). */
  centering: PatchCentering;
  reranker: PatchReranker;
}

/**
 * The patch model of `config`: `given` when set, else the frame encoder when its run gives exactly
 * that model's grid (a combined model: the built-in one, or one `seqvpr train patches` wrote), else
 * the patch model loaded on its own.
 */
export async function createPatchEncoder(config: RerankConfig, context: EncoderContext = {}, given?: FrameEncoder, frameEncoder?: FrameEncoder): Promise<PatchEncoder> {
  const manifest = config.model
    ? path.resolve(context.baseDir ?? process.cwd(), config.model)
    : path.join(packageRoot(), BUILTIN_PATCH_MANIFEST);
  const withFrame =
    !given && frameEncoder !== undefined && yieldsPatches(frameEncoder) && frameEncoder.patchModel.hash === (await loadManifest(manifest, frameModelManifestSchema)).hash;
  const encoder =
    given ??
    (withFrame
      ? patchView(frameEncoder as FramePatchEncoder)
      : await OnnxFrameEncoder.load(manifest, { providers: config.providers, intraOpThreads: config.intraOpThreads, warn: context.warn }));
  const cellsX = config.cellsX ?? MOBILENET_PATCHES.cellsX;
  const cellsY = config.cellsY ?? MOBILENET_PATCHES.cellsY;
  const dim = encoder.dim / (cellsX * cellsY);
  if (!Number.isInteger(dim) || dim < 1) {
    throw new ConfigError(`rerank: the patch model ${encoder.id} returns ${encoder.dim} values, not a ${cellsX}x${cellsY} grid of cells; set rerank.cellsX/cellsY`);
  }
  return { encoder, info: { encoder: { id: encoder.id, hash: encoder.hash }, cellsX, cellsY, dim }, withFrame };
}

/** The patch grids of a combined frame encoder as a FrameEncoder of its own (closing it closes nothing: the frame encoder owns the model). */
function patchView(frame: FramePatchEncoder): FrameEncoder {
  return {
    ...frame.patchModel,
    get provider() {
      return frame.provider;
    },
    async encode(images, timing) {
      return (await frame.encodeWithPatches(images, timing)).map((r, i) => {
        if (!r.patches) throw new DescriptorError(`patch model ${frame.patchModel.id} produced NaN or Infinity for image ${i}`);
        return r.patches;
      });
    },
    async close() {},
  };
}

/**
 * The re-ranking stage for one map, or undefined (with a warning) when the map cannot be re-ranked
 * with this patch model: it holds no local features (built without `rerank`, or by an older
 * seqvpr) or features of another patch model. Such maps still load and match, without re-ranking.
 */
export function patchReranking(
  patch: PatchEncoder | null,
  config: RerankConfig,
  centering: CenteringConfig,
  mapPatches: PatchInfo | undefined,
  where: string,
  warn: (message: string) => void = (m) => process.emitWarning(m, { code: 'SEQVPR_RERANK_OFF' }),
): PatchReranking | undefined {
  if (!patch) return undefined;
  const rebuild = 'rebuild the map with this config to re-rank against it';
  if (!mapPatches) {
    warn(`${where} holds no patch features: patch re-ranking is off for it; ${rebuild}`);
    return undefined;
  }
  const p = patch.info;
  if (!samePatchInfo(mapPatches, p)) {
    warn(`${where} holds patch features of "${mapPatches.encoder.id}" (${mapPatches.cellsX}x${mapPatches.cellsY}x${mapPatches.dim}), this pipeline's patch model is "${p.encoder.id}" (${p.cellsX}x${p.cellsY}x${p.dim}): patch re-ranking is off; ${rebuild}`);
    return undefined;
  }
  return { encoder: patch.encoder, withFrame: patch.withFrame, centering: new PatchCentering(centering, p), reranker: new PatchReranker(config) };
}
