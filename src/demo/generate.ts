// generateDemo: makes the demo world and records two drives through it as ROS 2 MCAP bags, a "map"
// run and a "query" run in another appearance (season), each with JPEG camera frames and odometry
// carrying the ground-truth pose, as a vehicle's recorder would.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { COMPRESSED_IMAGE_TYPE, ODOMETRY_TYPE } from '../bag/convert.js';
import { nsToStamp } from '../bag/stamp.js';
import { McapBagWriter } from '../bag/writer.js';
import { BagError, ConfigError } from '../core/errors.js';
import type { StampNs } from '../core/types.js';
import { appearanceByName, type Appearance, type AppearanceName } from './appearance.js';
import { mixSeed } from '../core/random.js';
import { renderJpeg } from './render.js';
import { DEFAULT_CAMERA, type CameraModel } from './scene.js';
import { mapTraversal, queryTraversal, type Traversal, type TraversalPose } from './traversal.js';
import { makeWorld, type World } from './world.js';

export const DEMO_IMAGE_TOPIC = '/camera/image_raw/compressed';
export const DEMO_POSE_TOPIC = '/odom';
export const DEMO_MAP_DIR = 'map_run';
export const DEMO_QUERY_DIR = 'query_run';
/** 2023-11-14T22:13:20Z; the query run is recorded 100 days later, as a season apart. */
export const DEMO_EPOCH_NS: StampNs = 1_700_000_000_000_000_000n;
const QUERY_OFFSET_NS: StampNs = 100n * 86_400n * 1_000_000_000n;

/** Odometry covariances (row-major 6x6, x y z roll pitch yaw): planar motion, z/roll/pitch unobserved. */
const POSE_COVARIANCE = diagonal([0.04, 0.04, 1e6, 1e6, 1e6, 0.01]);
const TWIST_COVARIANCE = diagonal([0.01, 0.01, 1e6, 1e6, 1e6, 0.004]);

function diagonal(d: readonly number[]): number[] {
  return Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? d[i / 7] : 0));
}

export interface DemoOptions {
  /** World, routes and sensor noise all follow from it (default 7). */
  seed?: number;
  /** One lap of the route, metres (default 320). */
  routeLengthM?: number;
  /** Laps each run drives (default 1.25, so the start is revisited). */
  laps?: number;
  /** Camera (and odometry) rate, Hz (default 10). */
  rateHz?: number;
  mapAppearance?: AppearanceName;
  queryAppearance?: AppearanceName;
  /** Lateral offset of the query run from the road centre, metres (default -1.5; the map run keeps -1.75). */
  queryLaneOffsetM?: number;
  /** Image size (default 160x96). */
  width?: number;
  height?: number;
  jpegQuality?: number;
  /** Frames rendered at once; sharp spreads them over the cores (default 4). */
  concurrency?: number;
  /** Called after each batch of frames with frames done and frames in all (both runs). */
  onProgress?: (done: number, total: number) => void;
}

export interface DemoWorld {
  seed: number;
  mapBag: string;
  queryBag: string;
  imageTopic: string;
  poseTopic: string;
  frames: { map: number; query: number };
  seconds: { map: number; query: number };
  poses: { map: TraversalPose[]; query: TraversalPose[] };
  appearance: { map: AppearanceName; query: AppearanceName };
  routeLengthM: number;
  landmarkCount: number;
  /** Wall-clock time generateDemo took. */
  generationSeconds: number;
}

/** Yaw -> unit quaternion about z. */
function yawQuaternion(yaw: number) {
  return { x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) };
}

function odometry(stamp: StampNs, pose: TraversalPose, yawRate: number) {
  return {
    header: { stamp: nsToStamp(stamp), frame_id: 'odom' },
    child_frame_id: 'base_link',
    pose: {
      pose: { position: { x: pose.x, y: pose.y, z: 0 }, orientation: yawQuaternion(pose.yaw) },
      covariance: POSE_COVARIANCE,
    },
    twist: {
      twist: { linear: { x: pose.speedMps, y: 0, z: 0 }, angular: { x: 0, y: 0, z: yawRate } },
      covariance: TWIST_COVARIANCE,
    },
  };
}

interface RunPlan {
  dir: string;
  look: Appearance;
  traversal: Traversal;
  startStamp: StampNs;
  noiseStream: number;
}

async function recordRun(
  world: World,
  plan: RunPlan,
  camera: CameraModel,
  options: Required<Pick<DemoOptions, 'jpegQuality' | 'concurrency'>>,
  progress: (frames: number) => void,
): Promise<void> {
  const { poses, rateHz } = plan.traversal;
  const writer = await McapBagWriter.create(plan.dir);
  try {
    await writer.addTopic(DEMO_IMAGE_TOPIC, COMPRESSED_IMAGE_TYPE, 'sensor_data');
    await writer.addTopic(DEMO_POSE_TOPIC, ODOMETRY_TYPE);
    const periodNs = 1e9 / rateHz;
    for (let b = 0; b < poses.length; b += options.concurrency) {
      const batch = poses.slice(b, b + options.concurrency);
      const jpegs = await Promise.all(
        batch.map((pose, i) =>
          renderJpeg(world, pose, plan.look, { camera, quality: options.jpegQuality, noiseSeed: mixSeed(world.seed, plan.noiseStream, b + i) }),
        ),
      );
      for (let i = 0; i < batch.length; i++) {
        const k = b + i;
        const stamp = plan.startStamp + BigInt(Math.round(k * periodNs));
        const next = poses[Math.min(k + 1, poses.length - 1)];
        const prev = poses[Math.max(k - 1, 0)];
        const dYaw = Math.atan2(Math.sin(next.yaw - prev.yaw), Math.cos(next.yaw - prev.yaw));
        const span = next.timeS - prev.timeS;
        // Receive times trail the header stamps a little: odometry at once, the image after encoding.
        await writer.write(DEMO_POSE_TOPIC, stamp + 1_000_000n, odometry(stamp, batch[i], span > 0 ? dYaw / span : 0));
        await writer.write(DEMO_IMAGE_TOPIC, stamp + 4_000_000n, {
          header: { stamp: nsToStamp(stamp), frame_id: 'camera' },
          format: 'jpeg',
          data: jpegs[i],
        });
      }
      progress(batch.length);
    }
    await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

function checkOptions(o: DemoOptions): void {
  for (const key of ['width', 'height'] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 16 && v <= 2048)) throw new ConfigError(`demo ${key} must be an integer in [16, 2048], got ${v}`);
  }
  if (o.jpegQuality !== undefined && !(Number.isInteger(o.jpegQuality) && o.jpegQuality >= 1 && o.jpegQuality <= 100)) {
    throw new ConfigError(`demo jpegQuality must be an integer in [1, 100], got ${o.jpegQuality}`);
  }
  if (o.concurrency !== undefined && !(Number.isInteger(o.concurrency) && o.concurrency >= 1)) {
    throw new ConfigError(`demo concurrency must be a positive integer, got ${o.concurrency}`);
  }
  if (o.laps !== undefined && !(o.laps > 0 && o.laps <= 10)) throw new ConfigError(`demo laps must be in (0, 10], got ${o.laps}`);
  if (o.queryLaneOffsetM !== undefined && !(Math.abs(o.queryLaneOffsetM) <= 4)) {
    throw new ConfigError(`demo queryLaneOffsetM must be within 4 m of the road centre, got ${o.queryLaneOffsetM}`);
  }
}

/**
 * Writes `outDir/map_run/` and `outDir/query_run/` (rosbag2 MCAP folders) and returns what was made.
 * Both bag folders must not exist yet. Same options and seed -> byte-identical images.
 */
export async function generateDemo(outDir: string, options: DemoOptions = {}): Promise<DemoWorld> {
  const started = performance.now();
  checkOptions(options);
  const seed = options.seed ?? 7;
  const mapLook = appearanceByName(options.mapAppearance ?? 'day');
  const queryLook = appearanceByName(options.queryAppearance ?? 'winter');
  const mapBag = join(outDir, DEMO_MAP_DIR);
  const queryBag = join(outDir, DEMO_QUERY_DIR);
  for (const dir of [mapBag, queryBag]) {
    if (existsSync(dir)) throw new BagError(`${dir} already exists: delete it or choose another output folder for the demo`);
  }
  const world = makeWorld({ seed, routeLengthM: options.routeLengthM });
  const camera: CameraModel = { ...DEFAULT_CAMERA, width: options.width ?? DEFAULT_CAMERA.width, height: options.height ?? DEFAULT_CAMERA.height };
  const traversalOptions = { laps: options.laps, rateHz: options.rateHz, seed };
  const plans: RunPlan[] = [
    { dir: mapBag, look: mapLook, traversal: mapTraversal(world.route, traversalOptions), startStamp: DEMO_EPOCH_NS, noiseStream: 1 },
    {
      dir: queryBag,
      look: queryLook,
      traversal: queryTraversal(world.route, { ...traversalOptions, laneOffsetM: options.queryLaneOffsetM }),
      startStamp: DEMO_EPOCH_NS + QUERY_OFFSET_NS,
      noiseStream: 2,
    },
  ];
  const total = plans.reduce((n, p) => n + p.traversal.poses.length, 0);
  let done = 0;
  options.onProgress?.(0, total);
  const settings = { jpegQuality: options.jpegQuality ?? 85, concurrency: options.concurrency ?? 4 };
  for (const plan of plans) {
    await recordRun(world, plan, camera, settings, (n) => {
      done += n;
      options.onProgress?.(done, total);
    });
  }
  const [map, query] = plans;
  return {
    seed,
    mapBag,
    queryBag,
    imageTopic: DEMO_IMAGE_TOPIC,
    poseTopic: DEMO_POSE_TOPIC,
    frames: { map: map.traversal.poses.length, query: query.traversal.poses.length },
    seconds: { map: map.traversal.durationS, query: query.traversal.durationS },
    poses: { map: map.traversal.poses, query: query.traversal.poses },
    appearance: { map: mapLook.name, query: queryLook.name },
    routeLengthM: world.route.lengthM,
    landmarkCount: world.landmarks.length,
    generationSeconds: (performance.now() - started) / 1000,
  };
}
