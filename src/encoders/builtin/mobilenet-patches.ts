// The built-in patch model for patch-level re-ranking: the same converted MobileNetV2 backbone as
// the frame model (block_10, stride 16) with the patch head (patch-head.ts) instead of the grid
// head: a 16 x 8 grid of local features (one per backbone cell at the 256 x 128 input), each
// projected to PATCH_DIM values by a fixed seeded orthonormal matrix and L2-normalised. Variants:
// the cells unprojected (the input `seqvpr train patches` learns from) and a learned projection
// in place of the fixed one (what it writes).
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
  /** A learned projection [dim x channels] (row-major) in place of the fixed random one. */
  learned?: Float32Array;
  /** The model's name (default MOBILENET_PATCHES.name). */
  name?: string;
}

export function patchModelDim(options: PatchModelOptions = {}): number {
  return (options.dim ?? MOBILENET_PATCHES.dim) * MOBILENET_PATCHES.cellsX * MOBILENET_PATCHES.cellsY;
}

/** Converts the nsfwjs MobileNetV2 and appends the patch head; returns the ONNX bytes. */
export function buildMobileNetPatches(options: PatchModelOptions = {}): Uint8Array {
  const spec = MOBILENET_PATCHES;
  const source = options.source ?? readNsfwjsMobileNetV2();
  const channels = MOBILENET_BLOCK10.featureChannels;
  const dim = options.learned ? options.learned.length / channels : (options.dim ?? spec.dim);
  if (!Number.isInteger(dim) || dim < 1 || dim > channels) throw new RangeError(`a patch projection maps ${channels} channels to 1..${channels}, got ${dim}`);
  const { g, features } = backboneGraph(options.name ?? spec.name, describe(source, dim, options.learned !== undefined), source);
  const matrix = options.learned ?? (dim === channels ? null : fixedPatchProjection(dim));
  appendPatchHead(g, features, { cellsX: spec.cellsX, cellsY: spec.cellsY, centre: spec.centre, projection: matrix && { matrix, dim, channels }, output: spec.outputName });
  g.output(spec.outputName, 'float32', ['batch', patchModelDim({ dim })]);
  return g.toBytes();
}

/** The built-in patch model's fixed projection [dim x channels] (seeded, orthonormal rows). */
export function fixedPatchProjection(dim: number = MOBILENET_PATCHES.dim): Float32Array {
  return orthonormalProjection(dim, MOBILENET_BLOCK10.featureChannels, createRandom(MOBILENET_PATCHES.projectionSeed).normal);
}

export function mobileNetPatchesManifest(
  source: Pick<NsfwjsModelFiles, 'packageVersion'>,
  modelSha256: string,
  dim: number = MOBILENET_PATCHES.dim,
  variant: { name: string; file: string; learned?: string } = MOBILENET_PATCHES,
): FrameModelManifest {
  return {
    ...mobileNetBlock10Manifest(source, modelSha256),
    name: variant.name,
    model: variant.file,
    output: { name: MOBILENET_PATCHES.outputName, dim: patchModelDim({ dim }), l2Normalize: false },
    description: `${describe(source, dim, variant.learned !== undefined)}${variant.learned ? ` ${variant.learned}` : ''} build: ${buildStamp(source)} sha256: ${modelSha256}`,
  };
}

function describe(source: Pick<NsfwjsModelFiles, 'packageVersion'>, dim: number, learned: boolean): string {
  const s = MOBILENET_PATCHES;
  const projection = learned ? `a learned projection to ${dim} dims` : dim === MOBILENET_BLOCK10.featureChannels ? 'unprojected' : `projected to ${dim} dims (seed ${s.projectionSeed})`;
  return (
    `MobileNetV2 (ImageNet weights from nsfwjs@${source.packageVersion}) up to ${MOBILENET_BLOCK10.featureLayer}, ` +
    `input ${describeInputNorm(MOBILENET_BLOCK10.inputNorm)}, ${s.cellsX}x${s.cellsY} cells centred per channel, ${projection}, L2-normalised per cell.`
  );
}
