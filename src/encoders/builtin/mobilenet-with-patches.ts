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

export function buildMobileNetWithPatches(options: { source?: NsfwjsModelFiles } = {}): Uint8Array {
  const source = options.source ?? readNsfwjsMobileNetV2();
  return mergeModels(buildMobileNetBlock10({ source }), buildMobileNetPatches({ source }), {
    name: MOBILENET_WITH_PATCHES.name,
    prefix: 'patches/',
    docString: `${MOBILENET_BLOCK10.name} and ${MOBILENET_PATCHES.name} in one graph, the shared backbone once.`,
  });
}

export function mobileNetWithPatchesManifest(source: Pick<NsfwjsModelFiles, 'packageVersion'>, modelSha256: string, components: ComponentHashes): CombinedModelManifest {
  return {
    version: MANIFEST_VERSION,
    kind: 'frame-and-patches',
    name: MOBILENET_WITH_PATCHES.name,
    model: MOBILENET_WITH_PATCHES.file,
    frame: { manifest: MOBILENET_BLOCK10.manifestFile, hash: components.frame },
    patches: { manifest: MOBILENET_PATCHES.manifestFile, hash: components.patches },
    description: `${MOBILENET_BLOCK10.name} (output "${MOBILENET_BLOCK10.outputName}") and ${MOBILENET_PATCHES.name} (output "${MOBILENET_PATCHES.outputName}") merged, the backbone shared. build: ${buildStamp(source)} sha256: ${modelSha256}`,
  };
}
