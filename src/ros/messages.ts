// seqvpr results as ROS 2 messages: plain objects in the shape rclnodejs publishes and
// @foxglove/rosmsg2-serialization writes (`header: {stamp: {sec, nanosec}, frame_id}`), CDR
// (de)serialisation checked against the definitions, and the full definition text bags store.
// seqvpr's own types come from the package's msg/*.msg files, so what the node publishes, what a
// bag records and what `colcon build` generates share one source.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@foxglove/rosmsg';
import { MessageReader, MessageWriter } from '@foxglove/rosmsg2-serialization';
import { canonicalTypeName, definitionTextWith, type TypeName } from '../bag/definitions.js';
import { nsToStamp, type RosTime } from '../bag/stamp.js';
import { MessageShapeChecker } from '../bag/validate.js';
import { MapFormatError, SeqvprError } from '../core/errors.js';
import type { Correspondence, MapFrameMeta, PlaceMatch, Pose, StampNs } from '../core/types.js';
import { packageRoot } from '../core/package-root.js';
import type { LoopClosure } from '../loops/live-mapper.js';

export const PLACE_MATCH_TYPE = 'seqvpr/msg/PlaceMatch';
export const LOOP_CLOSURE_TYPE = 'seqvpr/msg/LoopClosure';
export const POSE_WITH_COVARIANCE_STAMPED_TYPE = 'geometry_msgs/msg/PoseWithCovarianceStamped';
export const DIAGNOSTIC_ARRAY_TYPE = 'diagnostic_msgs/msg/DiagnosticArray';

/** The ROS package whose msg/ folder this module reads (package.xml's name). */
export const PACKAGE_NAME = 'seqvpr';

/** LoopClosure.UNKNOWN_VARIANCE: the diagonal of the covariance of a closure without metric pose. */
export const UNKNOWN_VARIANCE = 1e6;

/** A message, or its definition or bytes, does not fit the type it claims. */
export class RosMessageError extends SeqvprError {}

export interface RosHeader {
  /** Nanoseconds since the epoch (the input image's header stamp). */
  stamp: StampNs;
  frameId: string;
}

/** std_msgs/Header as messages carry it. */
export type HeaderMsg = { stamp: RosTime; frame_id: string };
/** geometry_msgs/Pose. */
export type PoseMsg = { position: { x: number; y: number; z: number }; orientation: { x: number; y: number; z: number; w: number } };
export type CandidateMsg = { map_index: number; map_stamp: RosTime; distance: number };
export type CorrespondenceMsg = { query_stamp: RosTime; query_index: number; map_index: number; map_stamp: RosTime; distance: number };
export type PlaceMatchMsg = {
  header: HeaderMsg;
  query_index: number;
  map_id: string;
  map_size: number;
  map_index: number;
  map_stamp: RosTime;
  has_pose: boolean;
  map_pose: PoseMsg;
  confidence: number;
  score: number;
  candidates: CandidateMsg[];
  correspondences: CorrespondenceMsg[];
  has_relative_pose: boolean;
  relative_pose: PoseMsg;
  relative_pose_covariance: number[];
};
export type LoopClosureMsg = {
  header: HeaderMsg;
  from_id: number;
  from_stamp: RosTime;
  to_id: number;
  to_stamp: RosTime;
  confidence: number;
  has_relative_pose: boolean;
  relative_pose: PoseMsg;
  covariance: number[];
  correspondences: CorrespondenceMsg[];
};
export type PoseWithCovarianceStampedMsg = { header: HeaderMsg; pose: { pose: PoseMsg; covariance: number[] } };
export type DiagnosticArrayMsg = {
  header: HeaderMsg;
  status: { level: number; name: string; message: string; hardware_id: string; values: { key: string; value: string }[] }[];
};

export type DiagnosticLevel = 'ok' | 'warn' | 'error' | 'stale';
/** diagnostic_msgs/DiagnosticStatus level constants. */
const DIAGNOSTIC_LEVELS: Record<DiagnosticLevel, number> = { ok: 0, warn: 1, error: 2, stale: 3 };

const IDENTITY_POSE: Pose = { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
const ZERO_TIME: RosTime = { sec: 0, nanosec: 0 };
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** CDR payloads are padded to 4 (sometimes 8) bytes; more unread bytes means a mismatched type. */
const MAX_PADDING_BYTES = 7;

/** builtin_interfaces/Time of a nanosecond stamp; its `sec` is an int32. */
export function toTime(ns: StampNs): RosTime {
  const t = nsToStamp(ns);
  if (t.sec < INT32_MIN || t.sec > INT32_MAX) {
    throw new RosMessageError(`stamp ${ns} ns does not fit builtin_interfaces/Time (int32 seconds); stamps must be nanoseconds since the epoch`);
  }
  return t;
}

export function toHeader(header: RosHeader): HeaderMsg {
  return { stamp: toTime(header.stamp), frame_id: header.frameId };
}

export function toPoseMsg(pose: Pose): PoseMsg {
  const { position: p, orientation: o } = pose;
  return { position: { x: p.x, y: p.y, z: p.z }, orientation: { x: o.x, y: o.y, z: o.z, w: o.w } };
}

/** 6x6 row-major covariance with `variance` on the diagonal. */
export function diagonalCovariance(variance: number): number[] {
  return Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? variance : 0));
}

function mapFrame(frames: readonly MapFrameMeta[], index: number, what: string): MapFrameMeta {
  const frame = Number.isInteger(index) ? frames[index] : undefined;
  if (!frame) {
    throw new MapFormatError(`${what} refers to map frame ${index}, but the map has ${frames.length} frames: pass the map the result was computed against`);
  }
  return frame;
}

function covarianceOf(values: readonly number[], what: string): number[] {
  if (values.length !== 36 || !values.every((v) => Number.isFinite(v))) {
    throw new RosMessageError(`${what} must be 36 finite numbers (row-major 6x6 over x, y, z, roll, pitch, yaw); got ${values.length} values`);
  }
  return Array.from(values);
}

function correspondenceMsgs(
  pairs: readonly Correspondence[],
  frames: readonly MapFrameMeta[],
  queryStamp: (queryIndex: number) => StampNs | undefined,
  what: string,
): CorrespondenceMsg[] {
  return pairs.map((c) => {
    const stamp = queryStamp(c.queryIndex);
    return {
      query_stamp: stamp === undefined ? ZERO_TIME : toTime(stamp),
      query_index: c.queryIndex,
      map_index: c.mapIndex,
      map_stamp: toTime(mapFrame(frames, c.mapIndex, what).stamp),
      distance: c.distance,
    };
  });
}

/**
 * seqvpr/msg/PlaceMatch for one match. `queryStampOf` gives the stamps of the window's older query
 * frames (by query index) when the caller kept them; the newest frame's stamp is always known,
 * others default to zero (the message documents zero as "unknown").
 */
export function toPlaceMatchMsg(i: {
  header: RosHeader;
  match: PlaceMatch;
  map: { frames: readonly MapFrameMeta[] };
  mapId: string;
  queryStampOf?: (queryIndex: number) => StampNs | undefined;
  /** The query frame's pose in the matched map frame's frame, when estimated. */
  relative?: { pose: Pose; covariance: readonly number[] };
}): PlaceMatchMsg {
  const { match, map } = i;
  const matched = mapFrame(map.frames, match.mapIndex, 'the place match');
  const queryStamp = (q: number) => (q === match.queryIndex ? match.queryStamp : i.queryStampOf?.(q));
  return {
    header: toHeader(i.header),
    query_index: match.queryIndex,
    map_id: i.mapId,
    map_size: map.frames.length,
    map_index: match.mapIndex,
    map_stamp: toTime(matched.stamp),
    has_pose: matched.pose !== undefined,
    map_pose: toPoseMsg(matched.pose ?? IDENTITY_POSE),
    confidence: match.confidence,
    score: match.score,
    candidates: match.candidates.map((c) => ({
      map_index: c.mapIndex,
      map_stamp: toTime(mapFrame(map.frames, c.mapIndex, 'a place-match candidate').stamp),
      distance: c.distance,
    })),
    correspondences: correspondenceMsgs(match.correspondences, map.frames, queryStamp, 'a place-match correspondence'),
    has_relative_pose: i.relative !== undefined,
    relative_pose: toPoseMsg(i.relative?.pose ?? IDENTITY_POSE),
    relative_pose_covariance: i.relative ? covarianceOf(i.relative.covariance, 'the place-match covariance') : diagonalCovariance(UNKNOWN_VARIANCE),
  };
}

/**
 * seqvpr/msg/LoopClosure for one closure of the live map (from = the earlier keyframe, to = the
 * new one). Appearance-only closures (no `relative`) carry the identity pose and UNKNOWN_VARIANCE
 * on the covariance diagonal; a caller that verified the closure geometrically passes `relative`.
 */
export function toLoopClosureMsg(i: {
  header: RosHeader;
  loop: LoopClosure;
  map: { frames: readonly MapFrameMeta[] };
  relative?: { pose: Pose; covariance: readonly number[] };
}): LoopClosureMsg {
  const { loop, map } = i;
  // Both ends of every pair are keyframes of the live map, so their stamps come from it.
  const queryStamp = (q: number) => (q === loop.queryIndex ? loop.queryStamp : map.frames[q]?.stamp);
  return {
    header: toHeader(i.header),
    from_id: loop.matchIndex,
    from_stamp: toTime(loop.matchStamp),
    to_id: loop.queryIndex,
    to_stamp: toTime(loop.queryStamp),
    confidence: loop.confidence,
    has_relative_pose: i.relative !== undefined,
    relative_pose: toPoseMsg(i.relative?.pose ?? IDENTITY_POSE),
    covariance: i.relative ? covarianceOf(i.relative.covariance, 'the loop closure covariance') : diagonalCovariance(UNKNOWN_VARIANCE),
    correspondences: correspondenceMsgs(loop.correspondences, map.frames, queryStamp, 'a loop-closure correspondence'),
  };
}

/** geometry_msgs/msg/PoseWithCovarianceStamped (header.frameId = the map frame). */
export function toPoseWithCovarianceStampedMsg(i: {
  header: RosHeader;
  pose: Pose;
  covariance: readonly number[];
}): PoseWithCovarianceStampedMsg {
  return {
    header: toHeader(i.header),
    pose: { pose: toPoseMsg(i.pose), covariance: covarianceOf(i.covariance, 'the pose covariance') },
  };
}

/** Diagnostic values as text; numbers with up to 6 significant digits (for humans, not parsing). */
function diagnosticValue(value: string | number): string {
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

/** diagnostic_msgs/msg/DiagnosticArray with one status (what /diagnostics aggregators expect). */
export function toDiagnosticArrayMsg(i: {
  stamp: bigint;
  name: string;
  hardwareId: string;
  level: DiagnosticLevel;
  message: string;
  values: Record<string, string | number>;
}): DiagnosticArrayMsg {
  const level = DIAGNOSTIC_LEVELS[i.level];
  if (level === undefined) throw new RosMessageError(`diagnostic level "${i.level}" must be one of ${Object.keys(DIAGNOSTIC_LEVELS).join(', ')}`);
  return {
    header: toHeader({ stamp: i.stamp, frameId: '' }),
    status: [
      {
        level,
        name: i.name,
        message: i.message,
        hardware_id: i.hardwareId,
        values: Object.entries(i.values).map(([key, value]) => ({ key, value: diagnosticValue(value) })),
      },
    ],
  };
}

/** Own .msg text of a seqvpr type, read from the package's msg/ folder. */
function packageMessageText(type: TypeName): string | undefined {
  if (type.pkg !== PACKAGE_NAME) return undefined;
  const file = join(packageRoot(), type.ns, `${type.name}.msg`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RosMessageError(`${type.pkg}/${type.ns}/${type.name} has no definition file ${file}`, { cause: err });
  }
  return `${text.trimEnd()}\n`;
}

/**
 * The full ros2msg text of `type` with its dependencies (`====` / `MSG: pkg/Type` blocks), as
 * rosbag2 stores it in MCAP schemas. seqvpr types from msg/, the rest from the ROS 2 (Jazzy) set.
 */
export function messageDefinitionText(type: string): string {
  const canonical = canonicalTypeName(type);
  const text = definitionTextWith(canonical, packageMessageText);
  if (text === undefined) {
    throw new RosMessageError(`no message definition for ${type} (or one of its fields' types): use a seqvpr or standard ROS 2 message type such as ${PLACE_MATCH_TYPE}`);
  }
  return text;
}

export interface Codec {
  checker: MessageShapeChecker;
  writer: MessageWriter;
  reader: MessageReader;
}

const codecs = new Map<string, Codec>();

/** The codec of `type` (canonical name) from its full definition text (cached by name). */
export function codecFromText(canonical: string, text: () => string): Codec {
  let codec = codecs.get(canonical);
  if (!codec) {
    try {
      const definitions = parse(text(), { ros2: true });
      codec = {
        checker: new MessageShapeChecker(canonical, definitions),
        writer: new MessageWriter(definitions),
        reader: new MessageReader(definitions),
      };
    } catch (err) {
      if (err instanceof RosMessageError) throw err;
      throw new RosMessageError(`definition of ${canonical} cannot be parsed: ${(err as Error).message}`, { cause: err });
    }
    codecs.set(canonical, codec);
  }
  return codec;
}

function codecFor(type: string): Codec {
  const canonical = canonicalTypeName(type);
  return codecFromText(canonical, () => messageDefinitionText(canonical));
}

/**
 * CDR bytes of `message` (the same bytes rclnodejs puts on the wire and bags record). Strict:
 * a field the type does not have, or a value of the wrong type, throws RosMessageError naming it
 * (the CDR writer alone would silently write a default instead).
 */
export function serializeMessage(type: string, message: Record<string, unknown>): Uint8Array {
  return serializeWith(codecFor(type), canonicalTypeName(type), message);
}

/** The message in CDR `bytes`; throws RosMessageError when they are not a `type`. */
export function deserializeMessage(type: string, bytes: Uint8Array): Record<string, unknown> {
  return deserializeWith(codecFor(type), canonicalTypeName(type), bytes);
}

export function serializeWith(codec: Codec, canonical: string, message: Record<string, unknown>): Uint8Array {
  try {
    codec.checker.check(message);
    return codec.writer.writeMessage(message);
  } catch (err) {
    throw new RosMessageError(`message does not fit ${canonical}: ${(err as Error).message}`, { cause: err });
  }
}

export function deserializeWith(codec: Codec, canonical: string, bytes: Uint8Array): Record<string, unknown> {
  let message: Record<string, unknown>;
  try {
    message = codec.reader.readMessage<Record<string, unknown>>(bytes);
  } catch (err) {
    throw new RosMessageError(`bytes are not a ${canonical}: ${(err as Error).message}`, { cause: err });
  }
  const unread = bytes.byteLength - codec.reader.lastReadByteLength();
  if (unread > MAX_PADDING_BYTES) {
    throw new RosMessageError(`bytes are not a ${canonical}: ${unread} bytes left after the message`);
  }
  return message;
}
