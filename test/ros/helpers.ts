// Shared fixtures for the node tests: synthetic places as ROS image messages, a small posed map
// built and saved with the real pipeline (patchnorm front end, for speed), the shipped parameter
// file, and a node on the fake transport whose every published message is CDR-serialised.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import YAML from 'yaml';
import { nsToStamp } from '../../src/bag/stamp.js';
import type { Frame, Pose } from '../../src/core/types.js';
import { packageRoot } from '../../src/core/package-root.js';
import { saveMap } from '../../src/map/save-map.js';
import { createFrontend } from '../../src/pipeline/assemble.js';
import { buildMap } from '../../src/pipeline/build-map.js';
import { loadPipelineConfig } from '../../src/pipeline/config.js';
import { FakeTransport } from '../../src/ros/fake-transport.js';
import { serializeMessage } from '../../src/ros/cdr.js';
import { SeqvprNode } from '../../src/ros/node.js';
import type { ParameterValue } from '../../src/ros/port.js';
import { writePlacePng, type Lighting } from '../support/synthetic-images.js';

export const WIDTH = 64;
export const HEIGHT = 32;
/** Camera stamps: 10 Hz from here (above 2^53 ns, as real ROS stamps are). */
export const T0 = 1_700_000_000_000_000_000n;
export const PERIOD_NS = 100_000_000n;
export const stampOf = (i: number): bigint => T0 + BigInt(i) * PERIOD_NS;

/** Map places lie 2 m apart along x. */
export const placePose = (place: number): Pose => ({ position: { x: 2 * place, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } });

/** The query runs see the places darker and noisier than the map run. */
export const QUERY_LIGHT = (seed: number): Lighting => ({ gain: 0.8, offset: 20, noise: 10, noiseSeed: seed });
const MAP_LIGHT = (seed: number): Lighting => ({ gain: 1, offset: 0, noise: 6, noiseSeed: seed });

export const PIPELINE_YAML = `# Small and fast: patchnorm thumbnails, frame-vote retrieval, SeqSLAM over a 5-frame window.
name: ros-node-test
frontend: { kind: patchnorm }
sequence: { kind: single }
retrieval: { source: frame-votes, k: 5, perFrameK: 5, separationRows: 2, mode: exact }
matcher: { kind: seqslam }
windowLength: 5
`;

export interface PlaceImage {
  png: Uint8Array;
  jpeg: Uint8Array;
  /** mono8 pixels, WIDTH x HEIGHT. */
  mono8: Uint8Array;
}

/** Place `place` under `light` as PNG, JPEG and raw grey bytes. */
export async function placeImage(dir: string, name: string, place: number, light: Lighting): Promise<PlaceImage> {
  const file = path.join(dir, `${name}.png`);
  await writePlacePng(file, place, WIDTH, HEIGHT, light);
  const png = new Uint8Array(await readFile(file));
  const jpeg = new Uint8Array(await sharp(png).jpeg({ quality: 95 }).toBuffer());
  const mono8 = new Uint8Array(await sharp(png).grayscale().raw().toBuffer());
  return { png, jpeg, mono8 };
}

/** One image per query place, in order (same lighting for a place, whatever its position in the run). */
export async function queryImages(dir: string, places: readonly number[]): Promise<PlaceImage[]> {
  const cache = new Map<number, PlaceImage>();
  const out: PlaceImage[] = [];
  for (const p of places) {
    if (!cache.has(p)) cache.set(p, await placeImage(dir, `query-${p}`, p, QUERY_LIGHT(5000 + p)));
    out.push(cache.get(p)!);
  }
  return out;
}

const header = (stamp: bigint, frameId = 'camera_optical') => ({ stamp: nsToStamp(stamp), frame_id: frameId });

export function imageMsg(stamp: bigint, mono8: Uint8Array, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { header: header(stamp), height: HEIGHT, width: WIDTH, encoding: 'mono8', is_bigendian: 0, step: WIDTH, data: mono8, ...overrides };
}

export function compressedMsg(stamp: bigint, data: Uint8Array, format: string): Record<string, unknown> {
  return { header: header(stamp), format, data };
}

export function odometryMsg(stamp: bigint, pose: Pose): Record<string, unknown> {
  const zero36 = Array.from({ length: 36 }, () => 0);
  return {
    header: header(stamp, 'odom'),
    child_frame_id: 'base_link',
    pose: { pose, covariance: zero36 },
    twist: { twist: { linear: { x: 0, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } }, covariance: zero36 },
  };
}

/** Writes a pipeline config (the test one by default) into `dir`; returns its path. */
export async function writePipelineConfig(dir: string, yaml = PIPELINE_YAML): Promise<string> {
  const file = path.join(dir, 'pipeline.yaml');
  await writeFile(file, yaml);
  return file;
}

/** Builds a map of `places` (map lighting, posed 2 m apart, stamped from `firstStamp`) and saves it to `mapDir`. */
export async function buildSavedMap(dir: string, configFile: string, mapDir: string, places: number, firstStamp = T0 - 3600n * 1_000_000_000n): Promise<void> {
  const frontend = await createFrontend(await loadPipelineConfig(configFile));
  async function* frames(): AsyncGenerator<Frame> {
    for (let p = 0; p < places; p++) {
      const img = await placeImage(dir, `map-${p}`, p, MAP_LIGHT(1 + p));
      yield {
        index: p,
        stamp: firstStamp + BigInt(p) * PERIOD_NS,
        frameId: 'camera_optical',
        image: { kind: 'compressed', format: 'png', data: img.png },
        pose: placePose(p),
        source: `map#${p}`,
      };
    }
  }
  try {
    const { map } = await buildMap(frames(), frontend, { source: 'test map' });
    await saveMap(map, mapDir);
  } finally {
    await frontend.close();
  }
}

/** Parameter names and values of a ros__parameters map: nested maps name "outer.inner", as rcl reads them. */
export function flattenParameters(map: Record<string, unknown>, prefix = ''): Record<string, ParameterValue> {
  const out: Record<string, ParameterValue> = {};
  for (const [key, value] of Object.entries(map)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) Object.assign(out, flattenParameters(value as Record<string, unknown>, `${prefix}${key}.`));
    else out[`${prefix}${key}`] = value as ParameterValue;
  }
  return out;
}

export const SHIPPED_PARAMS_FILE = path.join(packageRoot(), 'config/seqvpr.params.yaml');

/** The parameters config/seqvpr.params.yaml gives seqvpr_node. */
export async function shippedParameters(): Promise<Record<string, ParameterValue>> {
  const doc = YAML.parse(await readFile(SHIPPED_PARAMS_FILE, 'utf8'));
  return flattenParameters(doc.seqvpr_node.ros__parameters);
}

export interface NodeUnderTest {
  port: FakeTransport;
  node: SeqvprNode;
  /** Messages that did not serialise as their ROS type (must stay empty). */
  serializationFailures: string[];
}

/**
 * A node on the fake transport started as `ros2 run seqvpr seqvpr_node --ros-args --params-file
 * config/seqvpr.params.yaml` would start it (the file parsed and typed as rcl does), plus `overrides`
 * and `rosArgs` (more --ros-args, e.g. remappings).
 */
export async function nodeUnderTest(overrides: Record<string, ParameterValue>, rosArgs: string[] = []): Promise<NodeUnderTest> {
  const serializationFailures: string[] = [];
  const port = new FakeTransport({
    argv: ['--ros-args', '--params-file', SHIPPED_PARAMS_FILE, ...rosArgs],
    parameterOverrides: overrides,
    startTimeNs: T0,
    checkMessage: (type, message) => {
      try {
        serializeMessage(type, message);
      } catch (e) {
        serializationFailures.push(`${type}: ${(e as Error).message}`);
        throw e;
      }
    },
  });
  return { port, node: new SeqvprNode(port), serializationFailures };
}

export interface SavedMapFixture {
  dir: string;
  configFile: string;
  mapDir: string;
  /** Query images of every place, in place order. */
  images: PlaceImage[];
}

/** A temp folder with a pipeline config (the test one by default), a saved map of `places` places and a query image of each. */
export async function savedMapFixture(prefix: string, places: number, pipelineYaml = PIPELINE_YAML): Promise<SavedMapFixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const configFile = await writePipelineConfig(dir, pipelineYaml);
  const mapDir = path.join(dir, 'map');
  await buildSavedMap(dir, configFile, mapDir, places);
  const images = await queryImages(dir, Array.from({ length: places }, (_, p) => p));
  return { dir, configFile, mapDir, images };
}

/** After a node test: every published message serialised as its ROS type, and the node is shut down. */
export async function finishNode(t: NodeUnderTest | undefined): Promise<void> {
  if (!t) return;
  assert.deepEqual(t.serializationFailures, [], 'every published message serialises as its ROS type');
  if (t.port.lifecycleState !== 'finalized') await t.port.transition('shutdown');
}
