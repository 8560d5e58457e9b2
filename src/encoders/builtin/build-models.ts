// Builds the built-in ONNX models into a folder (run by "npm ci" through the package scripts):
//   npx tsx src/encoders/builtin/build-models.ts models
// Offline, from node_modules only, in about a second; does nothing when the files are up to date
// (same nsfwjs version, converter version and unchanged model bytes).
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../core/atomic-write.js';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { SeqvprError } from '../../core/errors.js';
import { buildMobileNetBlock10, mobileNetBlock10Manifest, MOBILENET_BLOCK10 } from './mobilenet-block10.js';
import { nsfwjsPackageVersion, readNsfwjsMobileNetV2, type NsfwjsModelFiles } from './nsfwjs-model.js';
import { buildMobileNetPatches, mobileNetPatchesManifest } from './mobilenet-patches.js';
import { MOBILENET_CELLS, MOBILENET_PATCHES } from './patch-model-spec.js';
import { frameModelManifestSchema, loadManifest, type CombinedModelManifest, type FrameModelManifest } from '../manifest.js';
import { buildMobileNetWithPatches, mobileNetWithPatchesManifest } from './mobilenet-with-patches.js';
import { MOBILENET_WITH_PATCHES } from './patch-model-spec.js';

export interface BuildModelsOptions {
  /** Rebuild even when the files look up to date. */
  force?: boolean;
  log?: (message: string) => void;
}

/** One built-in model: its files, how to build its bytes and the manifest that goes with them. */
interface BuiltinModel {
  file: string;
  manifestFile: string;
  build(source: NsfwjsModelFiles): Uint8Array;
  /** `modelsDir` holds the models listed before this one (a combined model records their hashes). */
  manifest(source: Pick<NsfwjsModelFiles, 'packageVersion'>, modelSha256: string, modelsDir: string): Promise<FrameModelManifest | CombinedModelManifest>;
}

const BUILTIN_MODELS: readonly BuiltinModel[] = [
  { ...MOBILENET_BLOCK10, build: (source) => buildMobileNetBlock10({ source }), manifest: async (s, sha) => mobileNetBlock10Manifest(s, sha) },
  // The patch model for re-ranking (same backbone, a grid of local features).
  { ...MOBILENET_PATCHES, build: (source) => buildMobileNetPatches({ source }), manifest: async (s, sha) => mobileNetPatchesManifest(s, sha) },
  // The patch model's cells unprojected: what `seqvpr train patches` learns a projection from.
  {
    ...MOBILENET_CELLS,
    build: (source) => buildMobileNetPatches({ source, dim: MOBILENET_BLOCK10.featureChannels, name: MOBILENET_CELLS.name }),
    manifest: async (s, sha) => mobileNetPatchesManifest(s, sha, MOBILENET_BLOCK10.featureChannels, MOBILENET_CELLS),
  },
  // Both in one graph (re-ranking on: one backbone pass for both outputs); after them, as it records their hashes.
  {
    ...MOBILENET_WITH_PATCHES,
    build: (source) => buildMobileNetWithPatches({ source }),
    manifest: async (s, sha, dir) => {
      const hash = async (file: string) => (await loadManifest(path.join(dir, file), frameModelManifestSchema)).hash;
      return mobileNetWithPatchesManifest(s, sha, { frame: await hash(MOBILENET_BLOCK10.manifestFile), patches: await hash(MOBILENET_PATCHES.manifestFile) });
    },
  },
];

/**
 * Writes models/mobilenetv2-block10.onnx, models/mobilenetv2-block10-patches.onnx,
 * models/mobilenetv2-block10-cells.onnx, models/mobilenetv2-block10-with-patches.onnx and their
 * manifest .yaml files, each unless it is up to date.
 */
export async function buildBuiltinModels(modelsDir: string, options: BuildModelsOptions = {}): Promise<void> {
  const log = options.log ?? (() => {});
  let source: NsfwjsModelFiles | undefined;
  for (const spec of BUILTIN_MODELS) {
    const modelPath = path.join(modelsDir, spec.file);
    const manifestPath = path.join(modelsDir, spec.manifestFile);
    if (!options.force && (await isUpToDate(spec, modelsDir, modelPath, manifestPath, nsfwjsPackageVersion()))) {
      log(`${manifestPath} is up to date`);
      continue;
    }
    source ??= readNsfwjsMobileNetV2();
    const bytes = spec.build(source);
    await mkdir(modelsDir, { recursive: true });
    const manifest = await spec.manifest(source, sha256(bytes), modelsDir);
    // Model first, manifest last: a manifest on disk always names a complete model.
    await writeFileAtomic(modelPath, bytes);
    await writeFileAtomic(manifestPath, YAML.stringify(manifest));
    log(`wrote ${modelPath} (${(bytes.length / 1e6).toFixed(1)} MB) and ${manifestPath}`);
  }
}

/** Up to date when the manifest is exactly what this build would write for the model on disk. */
async function isUpToDate(spec: BuiltinModel, modelsDir: string, modelPath: string, manifestPath: string, packageVersion: string): Promise<boolean> {
  try {
    const [modelBytes, manifestText] = await Promise.all([readFile(modelPath), readFile(manifestPath, 'utf8')]);
    const expected = await spec.manifest({ packageVersion }, sha256(modelBytes), modelsDir);
    return isDeepStrictEqual(YAML.parse(manifestText), expected);
  } catch {
    return false; // missing or unreadable: build
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--')) ?? 'models';
  const force = args.includes('--force');
  buildBuiltinModels(dir, { force, log: (m) => console.log(m) }).catch((e: unknown) => {
    console.error(e instanceof SeqvprError ? e.message : e);
    process.exitCode = 1;
  });
}
