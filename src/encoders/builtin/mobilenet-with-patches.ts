// The built-in frame model and patch model as one ONNX model: both are built exactly as on their
// own (mobilenet-block10.ts, mobilenet-patches.ts, so a change to either head or to the backbone
// flows through), then merged so that the backbone they share runs once (src/onnx/merge.ts).
// With re-ranking on, one decode and one backbone pass then give the frame descriptor and the
// patch grid; each output is computed by the same nodes as in its own model.
import type { CombinedModelManifest } from '../manifest.js';
import { MANIFEST_VERSION } from '../manifest.js';
import { mergeModels } from '../../onnx/merge.js';
import { buildMobileNetBlock10, buildStamp, MOBILENET_BLOCK10 } from './mobilenet-block10.js';
import { buildMobileNetPatches } from './mobilenet-patches.js';
import { readNsfwjsMobileNetV2, type NsfwjsModelFiles } from './nsfwjs-model.js';
import { MOBILENET_PATCHES, MOBILENET_WITH_PATCHES } from './patch-model-spec.js';

/** Hashes (LoadedManifest.hash) of the two models' manifests on disk, which the combined model reproduces. */
export interface ComponentHashes {
  frame: string;
  patches: string;
}

/** Another patch model to merge instead of the built-in one (a learned projection, seqvpr train patches). */
export interface OtherPatchModel {
  bytes: Uint8Array;
  name: string;
}

export function buildMobileNetWithPatches(options: { source?: NsfwjsModelFiles; patches?: OtherPatchModel; name?: string } = {}): Uint8Array {
  const source = options.source ?? readNsfwjsMobileNetV2();
  const patches = options.patches ?? { bytes: buildMobileNetPatches({ source }), name: MOBILENET_PATCHES.name };
  return mergeModels(buildMobileNetBlock10({ source }), patches.bytes, {
    name: options.name ?? MOBILENET_WITH_PATCHES.name,
    prefix: 'patches/',
    docString: `${MOBILENET_BLOCK10.name} and ${patches.name} in one graph, the shared backbone once.`,
  });
}

/** A combined model's name, file and its two component manifests (absolute, or relative to the combined manifest), when not the built-in ones. */
export interface CombinedFiles {
  name: string;
  model: string;
  frameManifest: string;
  patchesManifest: string;
  patchesName: string;
}

export function mobileNetWithPatchesManifest(
  source: Pick<NsfwjsModelFiles, 'packageVersion'>,
  modelSha256: string,
  components: ComponentHashes,
  files: CombinedFiles = {
    name: MOBILENET_WITH_PATCHES.name,
    model: MOBILENET_WITH_PATCHES.file,
    frameManifest: MOBILENET_BLOCK10.manifestFile,
    patchesManifest: MOBILENET_PATCHES.manifestFile,
    patchesName: MOBILENET_PATCHES.name,
  },
): CombinedModelManifest {
  return {
    version: MANIFEST_VERSION,
    kind: 'frame-and-patches',
    name: files.name,
    model: files.model,
    frame: { manifest: files.frameManifest, hash: components.frame },
    patches: { manifest: files.patchesManifest, hash: components.patches },
    description: `${MOBILENET_BLOCK10.name} (output "${MOBILENET_BLOCK10.outputName}") and ${files.patchesName} (output "${MOBILENET_PATCHES.outputName}") merged, the backbone shared. build: ${buildStamp(source)} sha256: ${modelSha256}`,
  };
}
