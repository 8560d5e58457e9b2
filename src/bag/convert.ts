// Decoded ROS 2 messages (as MessageReader returns them) -> seqvpr core shapes. Checks only the
// structure a message must have; pixel encodings are validated where pixels are decoded (src/image).
import type { CompressedImage, Pose, RawImage, StampNs } from '../core/types.js';
import { canonicalTypeName } from './definitions.js';
import { MalformedMessageError } from './errors.js';
import { stampToNs } from './stamp.js';

export const IMAGE_TYPE = 'sensor_msgs/msg/Image';
export const COMPRESSED_IMAGE_TYPE = 'sensor_msgs/msg/CompressedImage';
export const ODOMETRY_TYPE = 'nav_msgs/msg/Odometry';
export const POSE_STAMPED_TYPE = 'geometry_msgs/msg/PoseStamped';
export const POSE_WITH_COVARIANCE_STAMPED_TYPE = 'geometry_msgs/msg/PoseWithCovarianceStamped';

export interface Stamped<T> {
  /** header.stamp in nanoseconds. */
  stamp: StampNs;
  frameId: string;
  value: T;
}

type Fields = Record<string, unknown>;

/** Reads fields of one message type and throws MalformedMessageError naming the bad field. */
class FieldReader {
  constructor(private readonly type: string) {}

  fail(field: string, detail: string): never {
    throw new MalformedMessageError(this.type, field, detail);
  }

  object(value: unknown, field: string): Fields {
    if (typeof value !== 'object' || value === null) this.fail(field, 'is missing or not a message');
    return value as Fields;
  }

  string(obj: Fields, key: string, path: string): string {
    const v = obj[key];
    if (typeof v !== 'string') this.fail(`${path}${key}`, 'is not a string');
    return v;
  }

  uint(obj: Fields, key: string, path: string): number {
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(`${path}${key}`, `is not a non-negative integer (${String(v)})`);
    return v;
  }

  finite(obj: Fields, key: string, path: string): number {
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${path}${key}`, `is not a finite number (${String(v)})`);
    return v;
  }

  bytes(obj: Fields, key: string): Uint8Array {
    const v = obj[key];
    if (v instanceof Uint8Array) return v;
    // Plain number arrays come from hand-built or JSON messages.
    if (Array.isArray(v) && v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return Uint8Array.from(v as number[]);
    return this.fail(key, 'is not a byte array');
  }

  header(msg: Fields): { stamp: StampNs; frameId: string } {
    const header = this.object(msg.header, 'header');
    const stamp = this.object(header.stamp, 'header.stamp');
    const sec = stamp.sec;
    if (typeof sec !== 'number' || !Number.isInteger(sec)) this.fail('header.stamp.sec', `is not an integer (${String(sec)})`);
    const nanosec = this.uint(stamp, 'nanosec', 'header.stamp.');
    if (nanosec >= 1e9) this.fail('header.stamp.nanosec', `must be below 1e9 (${nanosec})`);
    return { stamp: stampToNs({ sec, nanosec }), frameId: this.string(header, 'frame_id', 'header.') };
  }

  pose(value: unknown, path: string): Pose {
    const pose = this.object(value, path);
    const p = this.object(pose.position, `${path}.position`);
    const o = this.object(pose.orientation, `${path}.orientation`);
    const position = {
      x: this.finite(p, 'x', `${path}.position.`),
      y: this.finite(p, 'y', `${path}.position.`),
      z: this.finite(p, 'z', `${path}.position.`),
    };
    const q = {
      x: this.finite(o, 'x', `${path}.orientation.`),
      y: this.finite(o, 'y', `${path}.orientation.`),
      z: this.finite(o, 'z', `${path}.orientation.`),
      w: this.finite(o, 'w', `${path}.orientation.`),
    };
    const n = Math.hypot(q.x, q.y, q.z, q.w);
    if (n < 1e-6) this.fail(`${path}.orientation`, 'is a zero quaternion (orientation unset?)');
    // Recorded quaternions drift off unit length (float32 sources); Pose promises a unit one.
    return { position, orientation: { x: q.x / n, y: q.y / n, z: q.z / n, w: q.w / n } };
  }
}

/** sensor_msgs/msg/Image -> RawImage (data trimmed to step * height). */
export function rawImageFromMessage(message: unknown): Stamped<RawImage> {
  const r = new FieldReader(IMAGE_TYPE);
  const msg = r.object(message, 'message');
  const { stamp, frameId } = r.header(msg);
  const width = r.uint(msg, 'width', '');
  const height = r.uint(msg, 'height', '');
  const step = r.uint(msg, 'step', '');
  const encoding = r.string(msg, 'encoding', '');
  const data = r.bytes(msg, 'data');
  if (width === 0 || height === 0) r.fail('width/height', `describe an empty image (${width}x${height})`);
  if (encoding === '') r.fail('encoding', 'is empty');
  if (step < width) r.fail('step', `(${step}) is smaller than width (${width})`);
  if (data.byteLength < step * height) {
    r.fail('data', `holds ${data.byteLength} bytes, fewer than step * height = ${step * height}`);
  }
  const bigEndian = msg.is_bigendian;
  return {
    stamp,
    frameId,
    value: {
      kind: 'raw',
      width,
      height,
      encoding,
      step,
      isBigEndian: bigEndian === 1 || bigEndian === true,
      data: data.byteLength === step * height ? data : data.subarray(0, step * height),
    },
  };
}

/** sensor_msgs/msg/CompressedImage -> CompressedImage. */
export function compressedImageFromMessage(message: unknown): Stamped<CompressedImage> {
  const r = new FieldReader(COMPRESSED_IMAGE_TYPE);
  const msg = r.object(message, 'message');
  const { stamp, frameId } = r.header(msg);
  const format = r.string(msg, 'format', '');
  const data = r.bytes(msg, 'data');
  if (data.byteLength === 0) r.fail('data', 'is empty');
  return { stamp, frameId, value: { kind: 'compressed', format, data } };
}

/** Either image type, chosen by the recorded type name; undefined for other types. */
export function imageFromMessage(type: string, message: unknown): Stamped<RawImage | CompressedImage> | undefined {
  const t = canonicalTypeName(type);
  if (t === IMAGE_TYPE) return rawImageFromMessage(message);
  if (t === COMPRESSED_IMAGE_TYPE) return compressedImageFromMessage(message);
  return undefined;
}

/** The pose of a message whose `pose` field is a geometry_msgs/PoseWithCovariance. */
function poseWithCovariance(type: string, message: unknown): Stamped<Pose> {
  const r = new FieldReader(type);
  const msg = r.object(message, 'message');
  const { stamp, frameId } = r.header(msg);
  const withCovariance = r.object(msg.pose, 'pose');
  return { stamp, frameId, value: r.pose(withCovariance.pose, 'pose.pose') };
}

/** nav_msgs/msg/Odometry -> pose (in header.frame_id, usually odom or map). */
export function poseFromOdometry(message: unknown): Stamped<Pose> {
  return poseWithCovariance(ODOMETRY_TYPE, message);
}

/** geometry_msgs/msg/PoseWithCovarianceStamped -> pose (covariance dropped). */
export function poseFromPoseWithCovarianceStamped(message: unknown): Stamped<Pose> {
  return poseWithCovariance(POSE_WITH_COVARIANCE_STAMPED_TYPE, message);
}

/** geometry_msgs/msg/PoseStamped -> pose. */
export function poseFromPoseStamped(message: unknown): Stamped<Pose> {
  const r = new FieldReader(POSE_STAMPED_TYPE);
  const msg = r.object(message, 'message');
  const { stamp, frameId } = r.header(msg);
  return { stamp, frameId, value: r.pose(msg.pose, 'pose') };
}

/** Either pose type, chosen by the recorded type name; undefined for other types. */
export function poseFromMessage(type: string, message: unknown): Stamped<Pose> | undefined {
  const t = canonicalTypeName(type);
  if (t === ODOMETRY_TYPE) return poseFromOdometry(message);
  if (t === POSE_STAMPED_TYPE) return poseFromPoseStamped(message);
  if (t === POSE_WITH_COVARIANCE_STAMPED_TYPE) return poseFromPoseWithCovarianceStamped(message);
  return undefined;
}
