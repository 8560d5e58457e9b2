// Finds and reads the Keras MobileNetV2 that the nsfwjs package ships (MIT), from node_modules only.
// nsfwjs bundles it as two UMD modules: model.min.js exports the model.json object, and
// group1-shard1of1.min.js exports the weight bytes as one base64 string (nsfwjs decodes it with
// Buffer.from(s, 'base64') in its JSONHandler). Layers up to block_10 are frozen ImageNet weights.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ModelError } from '../../core/errors.js';
import { parseTfjsLayersModelJson, type TfjsLayersModelJson } from './keras-model.js';

const require = createRequire(import.meta.url);

export const NSFWJS_MOBILENET_DIR = 'dist/models/mobilenet_v2';
const MODEL_FILE = 'model.min.js';

export interface NsfwjsModelFiles {
  /** nsfwjs package version, recorded so built models can tell when their source changed. */
  packageVersion: string;
  /** Absolute paths of the two bundle files (for up-to-date checks). */
  files: string[];
  json: TfjsLayersModelJson;
  /** Concatenated weight bytes in weightsManifest order. */
  weightData: Uint8Array;
}

/** Root folder of the installed nsfwjs package. */
export function nsfwjsPackageDir(): string {
  let entry: string;
  try {
    entry = require.resolve('nsfwjs'); // <root>/dist/cjs/index.js; package.json itself is not exported
  } catch {
    throw new ModelError('the nsfwjs package is not installed; run "npm ci" (it ships the built-in MobileNetV2 weights)');
  }
  let dir = path.dirname(entry);
  while (path.basename(dir) !== 'nsfwjs') {
    const up = path.dirname(dir);
    if (up === dir) throw new ModelError(`cannot find the nsfwjs package folder above ${entry}`);
    dir = up;
  }
  return dir;
}

/** Installed nsfwjs version (cheap: reads package.json only). */
export function nsfwjsPackageVersion(root = nsfwjsPackageDir()): string {
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Reads nsfwjs's MobileNetV2 model.json and weight bytes. */
export function readNsfwjsMobileNetV2(): NsfwjsModelFiles {
  const root = nsfwjsPackageDir();
  const packageVersion = nsfwjsPackageVersion(root);
  const dir = path.join(root, NSFWJS_MOBILENET_DIR);
  const modelPath = path.join(dir, MODEL_FILE);
  const json = parseTfjsLayersModelJson(loadBundle(modelPath), modelPath);
  const shardNames = json.weightsManifest.flatMap((g) => g.paths);
  const files = [modelPath];
  const shards = shardNames.map((name) => {
    const shardPath = path.join(dir, `${name}.min.js`);
    files.push(shardPath);
    const base64 = loadBundle(shardPath);
    if (typeof base64 !== 'string') throw new ModelError(`${shardPath} does not export a base64 string`);
    return Buffer.from(base64, 'base64');
  });
  const weightData = new Uint8Array(Buffer.concat(shards));
  return { packageVersion, files, json, weightData };
}

function loadBundle(file: string): unknown {
  try {
    return require(file) as unknown;
  } catch (e) {
    throw new ModelError(`cannot load ${file} from the nsfwjs package (${(e as Error).message}); reinstall with "npm ci"`);
  }
}
