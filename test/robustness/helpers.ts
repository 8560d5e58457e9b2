// Shared by the robustness tests: the command line run in-process with its output captured, bags
// holding hand-made (good and bad) image messages, tiny ONNX front ends (a NaN-producing one and
// ones whose output size disagrees with their manifest), and checks that a failed command left
// nothing behind.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { McapBagWriter } from '../../src/bag/writer.js';
import { nsToStamp } from '../../src/bag/stamp.js';
import { flattenModel } from '../encoders/onnx-fixtures.js';
import { HEIGHT, WIDTH } from '../ros/helpers.js';
import { runSeqvpr, type CliRun } from '../support/run-cli.js';

/** Runs `seqvpr ...args` in-process with its output captured. */
export const seqvpr = runSeqvpr;

const execFileAsync = promisify(execFile);

/** Runs `seqvpr ...args` as its own process (`node --import tsx src/cli/main.ts`): the real exit code and stderr. */
export async function seqvprProcess(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const r = await execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
    return { code: 0, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stderr: err.stderr ?? '' };
  }
}

/** A command that failed the way every expected failure must: exit 1, one error line matching `message`, no stack. */
export function assertFailedCleanly(run: CliRun, message: RegExp): void {
  assert.equal(run.code, 1, `exit code 1 expected; stderr:\n${run.stderr}`);
  assert.equal(run.errorLines.length, 1, `one error line expected, got:\n${run.stderr}`);
  assert.match(run.errorLines[0], /^seqvpr: /);
  assert.match(run.errorLines[0], message);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace without --debug');
}

/** Neither `target` nor a temp sibling of it (`.name.tmp-*`, `name.tmp-*`, `.name.old-*`) exists. */
export async function assertNothingWritten(target: string): Promise<void> {
  assert.equal(existsSync(target), false, `${target} must not exist`);
  const base = path.basename(target);
  const leftovers = (await readdir(path.dirname(target))).filter((n) => n !== base && (n.startsWith(`.${base}.`) || n.startsWith(`${base}.tmp`)));
  assert.deepEqual(leftovers, [], `temporary copies of ${base} left behind`);
}

export const BAG_T0 = 1_700_000_000_000_000_000n;
export const BAG_PERIOD_NS = 100_000_000n;
export const IMAGE_TOPIC = '/camera/image_raw';
export const COMPRESSED_TOPIC = '/camera/image_raw/compressed';

/** A sensor_msgs/Image message with mono8 pixels of the test size, fields overridable. */
export function rawImage(i: number, mono8: Uint8Array, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    header: { stamp: nsToStamp(BAG_T0 + BigInt(i) * BAG_PERIOD_NS), frame_id: 'camera' },
    height: HEIGHT,
    width: WIDTH,
    encoding: 'mono8',
    is_bigendian: 0,
    step: WIDTH,
    data: mono8,
    ...overrides,
  };
}

export function compressedImage(i: number, data: Uint8Array, format: string): Record<string, unknown> {
  return { header: { stamp: nsToStamp(BAG_T0 + BigInt(i) * BAG_PERIOD_NS), frame_id: 'camera' }, format, data };
}

/**
 * Writes an MCAP bag folder with `messages` on one image topic, message i logged at
 * BAG_T0 + i * BAG_PERIOD_NS. Small chunks make a truncated copy keep its first frames.
 */
export async function writeImageBag(
  dir: string,
  messages: Record<string, unknown>[],
  options: { compressed?: boolean; chunkSizeBytes?: number } = {},
): Promise<string> {
  const writer = await McapBagWriter.create(dir, options.chunkSizeBytes ? { chunkSizeBytes: options.chunkSizeBytes } : {});
  const topic = options.compressed ? COMPRESSED_TOPIC : IMAGE_TOPIC;
  try {
    await writer.addTopic(topic, options.compressed ? 'sensor_msgs/msg/CompressedImage' : 'sensor_msgs/msg/Image', 'sensor_data');
    for (const [i, m] of messages.entries()) await writer.write(topic, BAG_T0 + BigInt(i) * BAG_PERIOD_NS, m);
    await writer.close();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return dir;
}

const PIPELINE_TAIL = `sequence: { kind: single }
retrieval: { source: frame-votes, k: 5, perFrameK: 5, separationRows: 2, mode: exact }
matcher: { kind: seqslam }
windowLength: 5
`;

/**
 * ONNX front ends in `dir`, each a pipeline config over a model that flattens the 8x4 grey
 * thumbnail: `log` takes its logarithm (a black pixel gives -Infinity: NaN descriptors for a black
 * frame, fine ones otherwise); `wrongDimStatic` / `wrongDimDynamic` output 32 values where their
 * manifests promise 20 (the static one is caught when the model loads, the dynamic one only when it runs).
 */
export async function writeOnnxFrontends(dir: string): Promise<{ log: string; wrongDimStatic: string; wrongDimDynamic: string }> {
  const manifest = (name: string, dim: number) => ({
    version: 1,
    kind: 'frame-encoder',
    name,
    model: `${name}.onnx`,
    input: { name: 'x', width: 8, height: 4, channels: 'gray', scale: 1 / 255, mean: [0], std: [1] },
    output: { name: 'y', dim, l2Normalize: true },
  });
  const models: [string, Uint8Array, number][] = [
    ['log', flattenModel(1, 4, 8, { log: true }), 32],
    ['wrong-dim-static', flattenModel(1, 4, 8, { outDim: 32 }), 20],
    ['wrong-dim-dynamic', flattenModel(1, 4, 8, { dynamicSize: true }), 20],
  ];
  const configs: Record<string, string> = {};
  for (const [name, bytes, dim] of models) {
    await writeFile(path.join(dir, `${name}.onnx`), bytes);
    await writeFile(path.join(dir, `${name}.yaml`), YAML.stringify(manifest(name, dim)));
    configs[name] = path.join(dir, `pipeline-${name}.yaml`);
    await writeFile(configs[name], `name: ${name}\nfrontend: { kind: onnx, manifest: ${name}.yaml }\n${PIPELINE_TAIL}`);
  }
  return { log: configs.log, wrongDimStatic: configs['wrong-dim-static'], wrongDimDynamic: configs['wrong-dim-dynamic'] };
}

/** Value of a key in the latest /diagnostics status of a fake transport. */
export function diagnosticValue(messages: unknown[], key: string): string | undefined {
  const last = messages.at(-1) as { status: { values: { key: string; value: string }[] }[] } | undefined;
  return last?.status[0].values.find((v) => v.key === key)?.value;
}
