// The built-in patch model for patch-level re-ranking: the same converted MobileNetV2 backbone as
// the frame model (block_10, stride 16) with the patch head (patch-head.ts) instead of the grid
// head: a 16 x 8 grid of local features (one per backbone cell at the 256 x 128 input), each
// projected to PATCH_DIM values by a fixed seeded orthonormal matrix and L2-normalised.
import { createRandom } from '../../core/random.js';
import type { FrameModelManifest } from '../manifest.js';
import { backboneGraph, buildStamp, MOBILENET_BLOCK10, mobileNetBlock10Manifest } from './mobilenet-block10.js';
import { readNsfwjsMobileNetV2, type NsfwjsModelFiles } from './nsfwjs-model.js';
import { appendPatchHead, orthonormalProjection } from './patch-head.js';
import { describeInputNorm } from './input-norm.js';
import { MOBILENET_PATCHES } from './patch-model-spec.js';

export interface PatchModelOptions {
  source?: NsfwjsModelFiles;
  /** Projected dimension (default MOBILENET_PATCHES.dim); the channel count keeps them unprojected. */
  dim?: number;
}

export function patchModelDim(options: PatchModelOptions = {}): number {
  return (options.dim ?? MOBILENET_PATCHES.dim) * MOBILENET_PATCHES.cellsX * MOBILENET_PATCHES.cellsY;
}

/** Converts the nsfwjs MobileNetV2 and appends the patch head; returns the ONNX bytes. */
export function buildMobileNetPatches(options: PatchModelOptions = {}): Uint8Array {
  const spec = MOBILENET_PATCHES;
  const source = options.source ?? readNsfwjsMobileNetV2();
  const dim = options.dim ?? spec.dim;
  const channels = MOBILENET_BLOCK10.featureChannels;
  const { g, features } = backboneGraph(spec.name, describe(source, dim), source);
  const projection =
    dim === channels ? null : { matrix: orthonormalProjection(dim, channels, createRandom(spec.projectionSeed).normal), dim, channels };
  appendPatchHead(g, features, { cellsX: spec.cellsX, cellsY: spec.cellsY, centre: spec.centre, projection, output: spec.outputName });
  g.output(spec.outputName, 'float32', ['batch', patchModelDim({ dim })]);
  return g.toBytes();
}

export function mobileNetPatchesManifest(source: Pick<NsfwjsModelFiles, 'packageVersion'>, modelSha256: string, dim: number = MOBILENET_PATCHES.dim): FrameModelManifest {
  const spec = MOBILENET_PATCHES;
  return {
    ...mobileNetBlock10Manifest(source, modelSha256),
    name: spec.name,
    model: spec.file,
    output: { name: spec.outputName, dim: patchModelDim({ dim }), l2Normalize: false },
    description: `${describe(source, dim)} build: ${buildStamp(source)} sha256: ${modelSha256}`,
  };
}

function describe(source: Pick<NsfwjsModelFiles, 'packageVersion'>, dim: number): string {
  const s = MOBILENET_PATCHES;
  return (
    `MobileNetV2 (ImageNet weights from nsfwjs@${source.packageVersion}) up to ${MOBILENET_BLOCK10.featureLayer}, ` +
    `input ${describeInputNorm(MOBILENET_BLOCK10.inputNorm)}, ${s.cellsX}x${s.cellsY} cells centred per channel, projected to ${dim} dims (seed ${s.projectionSeed}), L2-normalised per cell.`
  );
}
