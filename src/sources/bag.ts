// Source adapter: one image topic of a ROS 2 bag (MCAP or sqlite3) as a Frame stream, with poses
// from an odometry / pose topic interpolated at each image's stamp.
import {
  COMPRESSED_IMAGE_TYPE,
  IMAGE_TYPE,
  ODOMETRY_TYPE,
  POSE_STAMPED_TYPE,
  POSE_WITH_COVARIANCE_STAMPED_TYPE,
  imageFromMessage,
  poseFromMessage,
} from '../bag/convert.js';
import { canonicalTypeName } from '../bag/definitions.js';
import { readBagMetadata } from '../bag/metadata.js';
import { openBag } from '../bag/reader.js';
import type { BagMessage, BagReader, BagTopicInfo, WarnFn } from '../bag/types.js';
import { BagError, SeqvprError } from '../core/errors.js';
import type { Frame, StampNs } from '../core/types.js';
import { compressedCodec } from '../image/compressed.js';
import { DEFAULT_POSE_TOLERANCE_MS, poseAt, sortByStamp, type StampedPose } from './pose-interpolation.js';

export const IMAGE_TYPES: readonly string[] = [IMAGE_TYPE, COMPRESSED_IMAGE_TYPE];
export const POSE_TYPES: readonly string[] = [ODOMETRY_TYPE, POSE_STAMPED_TYPE, POSE_WITH_COVARIANCE_STAMPED_TYPE];

/** An image message that was not turned into a frame. */
export interface SkippedImage {
  /** `topic#index`, as Frame.source would have been. */
  source: string;
  /** Position among the topic's image messages. */
  index: number;
  logTime: bigint;
  error: SeqvprError;
}

export interface BagFramesOptions {
  imageTopic: string;
  /** nav_msgs/Odometry, geometry_msgs/PoseStamped or PoseWithCovarianceStamped topic. */
  poseTopic?: string;
  /** How far outside the recorded pose range an image still gets the first / last pose (default 500). */
  poseToleranceMs?: number;
  /** Bag-level problems (damaged files, undecodable topics) and pose problems; default console.warn. */
  warn?: WarnFn;
  /** Called for each malformed image message; it is skipped, never fatal. */
  onSkip?: (skipped: SkippedImage) => void;
}

function describeTopics(topics: readonly BagTopicInfo[], types: readonly string[]): string {
  const found = topics.filter((t) => types.includes(canonicalTypeName(t.type)));
  return found.length ? found.map((t) => `${t.name} (${canonicalTypeName(t.type)}, ${t.count} messages)`).join(', ') : 'none';
}

/** The topic's info, checked to be of one of `types` and decodable; BagError listing candidates otherwise. */
async function requireTopic(bag: BagReader, name: string, types: readonly string[], what: string): Promise<BagTopicInfo> {
  const { topics, path } = bag.info();
  const topic = topics.find((t) => t.name === name);
  const candidates = `${what} topics in ${path}: ${describeTopics(topics, types)}`;
  if (!topic) {
    const recorded = await recordedMessageCount(path, name);
    if (recorded !== undefined && recorded > 0) {
      throw new BagError(
        `${path}: metadata.yaml lists ${recorded} messages on ${name}, but none of them can be read from the bag's files ` +
          '(truncated or damaged recording, see the warnings above)',
      );
    }
    throw new BagError(`${path} has no topic ${name}; ${candidates}`);
  }
  if (!types.includes(canonicalTypeName(topic.type))) {
    throw new BagError(`topic ${name} in ${path} is ${topic.type}, not one of the ${what} types (${types.join(', ')}); ${candidates}`);
  }
  if (!topic.decodable) throw new BagError(`topic ${name} in ${path} has no usable message definition, so it cannot be read`);
  return topic;
}

/** Messages metadata.yaml says `topic` has, when the bag is a folder with a readable one. */
async function recordedMessageCount(bagPath: string, topic: string): Promise<number | undefined> {
  try {
    const metadata = await readBagMetadata(bagPath);
    const entry = metadata.topics_with_message_count.find((t) => t.topic_metadata.name === topic);
    return entry === undefined ? undefined : Number(entry.message_count);
  } catch {
    return undefined;
  }
}

/** Header stamp, or the log time when the publisher left the stamp at zero. */
function stampOf(header: StampNs, logTime: bigint): StampNs {
  return header === 0n ? logTime : header;
}

/** Number of messages on an image topic (from the bag's summary), for progress bars. */
export async function countImages(bagPath: string, imageTopic: string, warn?: WarnFn): Promise<number> {
  const bag = await openBag(bagPath, { warn });
  try {
    return (await requireTopic(bag, imageTopic, IMAGE_TYPES, 'image')).count;
  } finally {
    await bag.close();
  }
}

/** All poses of a topic, sorted by stamp; malformed messages are counted and reported once. */
async function readPoses(bag: BagReader, topic: string, warn: WarnFn): Promise<StampedPose[]> {
  const poses: StampedPose[] = [];
  let malformed = 0;
  let firstProblem = '';
  for await (const m of bag.messages({ topics: [topic] })) {
    try {
      const p = poseFromMessage(m.type, m.message)!;
      poses.push({ stamp: stampOf(p.stamp, m.logTime), pose: p.value });
    } catch (e) {
      if (!(e instanceof SeqvprError)) throw e;
      if (malformed++ === 0) firstProblem = e.message;
    }
  }
  if (malformed > 0) warn(`topic ${topic}: ${malformed} malformed pose message(s) skipped (first: ${firstProblem})`);
  if (poses.length === 0) warn(`topic ${topic} holds no usable poses: frames will carry none`);
  return sortByStamp(poses);
}

function frameOf(m: BagMessage, index: number, source: string): Frame {
  const image = imageFromMessage(m.type, m.message)!;
  // The bytes decide the codec downstream; refusing non-PNG/JPEG here keeps garbage out of encoder batches.
  if (image.value.kind === 'compressed') compressedCodec(image.value);
  return { index, stamp: stampOf(image.stamp, m.logTime), frameId: image.frameId, image: image.value, source };
}

/**
 * Frames of one image topic, streamed in log-time order. index = position among the topic's
 * messages (skipped ones included, so indices stay aligned with the bag); source = `topic#index`.
 */
export async function* bagFrames(bagPath: string, options: BagFramesOptions): AsyncGenerator<Frame> {
  const toleranceMs = options.poseToleranceMs ?? DEFAULT_POSE_TOLERANCE_MS;
  if (!Number.isFinite(toleranceMs) || toleranceMs < 0) {
    throw new SeqvprError(`poseToleranceMs must be a non-negative number of milliseconds (got ${toleranceMs})`);
  }
  const warn = options.warn ?? ((message: string) => console.warn(`seqvpr bag: ${message}`));
  const bag = await openBag(bagPath, { warn });
  try {
    await requireTopic(bag, options.imageTopic, IMAGE_TYPES, 'image');
    if (options.poseTopic !== undefined) await requireTopic(bag, options.poseTopic, POSE_TYPES, 'pose');
    const poses = options.poseTopic !== undefined ? await readPoses(bag, options.poseTopic, warn) : undefined;
    let next = 0;
    for await (const m of bag.messages({ topics: [options.imageTopic] })) {
      const index = next++;
      const source = `${options.imageTopic}#${index}`;
      let frame: Frame;
      try {
        frame = frameOf(m, index, source);
      } catch (e) {
        if (!(e instanceof SeqvprError)) throw e;
        options.onSkip?.({ source, index, logTime: m.logTime, error: e });
        continue;
      }
      const pose = poses && poseAt(poses, frame.stamp, toleranceMs);
      if (pose) frame.pose = pose;
      yield frame;
    }
  } finally {
    await bag.close();
  }
}
