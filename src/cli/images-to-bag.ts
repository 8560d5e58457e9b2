// An image folder (plus optional poses) recorded as an MCAP bag, so folder datasets can be replayed
// through the same bag / ROS paths as real recordings.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { COMPRESSED_IMAGE_TYPE, IMAGE_TYPE, ODOMETRY_TYPE } from '../bag/convert.js';
import { nsToStamp } from '../bag/stamp.js';
import { McapBagWriter } from '../bag/writer.js';
import { ImageDecodeError, SeqvprError } from '../core/errors.js';
import type { Pose } from '../core/types.js';
import { sniffCodec } from '../image/compressed.js';
import { decodeImage } from '../image/decode.js';
import { listImages } from '../sources/image-folder.js';
import { readPoseCsv } from '../sources/pose-csv.js';

/** Stamp of the first image (2020-09-13T12:26:40Z): fixed, so the same folder always gives the same bag. */
export const IMAGES_EPOCH_NS = 1_600_000_000_000_000_000n;
export const RAW_IMAGE_TOPIC = '/camera/image_raw';
export const COMPRESSED_IMAGE_TOPIC = '/camera/image_raw/compressed';
export const ODOMETRY_TOPIC = '/odom';

export interface ImagesToBagOptions {
  /** Frames per second of the synthesised stamps (default 10). */
  rateHz?: number;
  /** CSV with one pose per image (see parsePoseCsv), written as nav_msgs/Odometry on /odom. */
  posesFile?: string;
  /** Record the original PNG/JPEG bytes as sensor_msgs/CompressedImage instead of rgb8 Images. */
  compressed?: boolean;
  /** header.frame_id of the images (default "camera"). */
  frameId?: string;
  /** Called after each image with the number of images handled so far and the folder's total. */
  onProgress?: (done: number, total: number) => void;
  /** Called for each image that cannot be read; it is left out of the bag. */
  onSkip?: (file: string, error: SeqvprError) => void;
}

export interface ImagesToBagResult {
  dir: string;
  imageTopic: string;
  images: number;
  skipped: number;
  poses: number;
}

/** Nanoseconds between frames at `rateHz`; throws on a rate that is not a positive number. */
export function framePeriodNs(rateHz: number): bigint {
  if (!Number.isFinite(rateHz) || rateHz <= 0) throw new SeqvprError(`rate must be a positive number of frames per second (got ${rateHz})`);
  return BigInt(Math.round(1e9 / rateHz));
}

function header(stamp: bigint, frameId: string) {
  return { stamp: nsToStamp(stamp), frame_id: frameId };
}

/** The image message for one file; throws ImageDecodeError when the file cannot be decoded. */
async function imageMessage(file: string, compressed: boolean, stamp: bigint, frameId: string): Promise<object> {
  if (compressed) {
    const data = new Uint8Array(await readFile(file));
    const codec = sniffCodec(data);
    if (!codec) throw new ImageDecodeError(`${path.basename(file)} is neither PNG nor JPEG`);
    // Decoding once proves the bytes are whole (a truncated file still has the right magic).
    await decodeImage({ kind: 'compressed', format: codec, data });
    return { header: header(stamp, frameId), format: codec, data };
  }
  const px = await decodeImage({ kind: 'file', path: file }, 'rgb');
  return {
    header: header(stamp, frameId),
    height: px.height,
    width: px.width,
    encoding: 'rgb8',
    is_bigendian: 0,
    step: px.width * 3,
    data: px.data,
  };
}

function odometryMessage(stamp: bigint, pose: Pose): object {
  return {
    header: header(stamp, 'odom'),
    child_frame_id: 'base_link',
    pose: { pose, covariance: new Float64Array(36) },
  };
}

/**
 * Records the images of `dir` (natural file-name order) into a new MCAP bag folder `out`, stamped
 * at `rateHz` from IMAGES_EPOCH_NS. Unreadable images are skipped (their stamp slot stays empty);
 * poses, when given, are written for every slot.
 */
export async function writeImagesToBag(dir: string, out: string, options: ImagesToBagOptions = {}): Promise<ImagesToBagResult> {
  const periodNs = framePeriodNs(options.rateHz ?? 10);
  const files = await listImages(dir);
  const poses = options.posesFile !== undefined ? await readPoseCsv(options.posesFile) : undefined;
  if (poses && poses.length !== files.length) {
    throw new SeqvprError(`${options.posesFile} has ${poses.length} poses but ${dir} has ${files.length} images: give one pose row per image`);
  }
  const compressed = options.compressed ?? false;
  const imageTopic = compressed ? COMPRESSED_IMAGE_TOPIC : RAW_IMAGE_TOPIC;
  const frameId = options.frameId ?? 'camera';

  const writer = await McapBagWriter.create(out);
  try {
    await writer.addTopic(imageTopic, compressed ? COMPRESSED_IMAGE_TYPE : IMAGE_TYPE, 'sensor_data');
    if (poses) await writer.addTopic(ODOMETRY_TOPIC, ODOMETRY_TYPE);
    let skipped = 0;
    for (let i = 0; i < files.length; i++) {
      const stamp = IMAGES_EPOCH_NS + BigInt(i) * periodNs;
      if (poses) await writer.write(ODOMETRY_TOPIC, stamp, odometryMessage(stamp, poses[i]));
      let message: object | undefined;
      try {
        message = await imageMessage(files[i], compressed, stamp, frameId);
      } catch (e) {
        if (!(e instanceof SeqvprError)) throw e;
        skipped++;
        options.onSkip?.(files[i], e);
      }
      if (message) await writer.write(imageTopic, stamp, message);
      options.onProgress?.(i + 1, files.length);
    }
    if (skipped === files.length) throw new SeqvprError(`none of the ${files.length} images in ${dir} could be read; no bag written`);
    const written = await writer.close();
    return { dir: written.dir, imageTopic, images: files.length - skipped, skipped, poses: poses?.length ?? 0 };
  } catch (e) {
    await writer.abort();
    throw e;
  }
}
