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
import { nsfwjsPackageVersion, readNsfwjsMobileNetV2 } from './nsfwjs-model.js';

export interface BuildModelsOptions {
  /** Rebuild even when the files look up to date. */
  force?: boolean;
  log?: (message: string) => void;
}

/** Writes models/mobilenetv2-block10.onnx and its manifest .yaml unless they are up to date. */
export async function buildBuiltinModels(modelsDir: string, options: BuildModelsOptions = {}): Promise<void> {
  const log = options.log ?? (() => {});
  const modelPath = path.join(modelsDir, MOBILENET_BLOCK10.file);
  const manifestPath = path.join(modelsDir, MOBILENET_BLOCK10.manifestFile);
  if (!options.force && (await isUpToDate(modelPath, manifestPath, nsfwjsPackageVersion()))) {
    log(`${manifestPath} is up to date`);
    return;
  }
  const source = readNsfwjsMobileNetV2();
  const bytes = buildMobileNetBlock10({ source });
  const manifest = mobileNetBlock10Manifest(source, sha256(bytes));
  await mkdir(modelsDir, { recursive: true });
  // Model first, manifest last: a manifest on disk always names a complete model.
  await writeFileAtomic(modelPath, bytes);
  await writeFileAtomic(manifestPath, YAML.stringify(manifest));
  log(`wrote ${modelPath} (${(bytes.length / 1e6).toFixed(1)} MB) and ${manifestPath}`);
}

/** Up to date when the manifest is exactly what this build would write for the model on disk. */
async function isUpToDate(modelPath: string, manifestPath: string, packageVersion: string): Promise<boolean> {
  try {
    const [modelBytes, manifestText] = await Promise.all([readFile(modelPath), readFile(manifestPath, 'utf8')]);
    const expected = mobileNetBlock10Manifest({ packageVersion }, sha256(modelBytes));
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
