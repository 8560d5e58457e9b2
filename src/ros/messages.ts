// seqvpr results as ROS 2 messages: converters from place matches, loop closures, poses and
// diagnostics to the message shapes of message-types.ts (CDR in cdr.ts, definitions in
// msg-definitions.ts).
import { nsToStamp, type RosTime } from '../bag/stamp.js';
import { MapFormatError } from '../core/errors.js';
import type { Correspondence, MapFrameMeta, PatchMatches, PlaceMatch, Pose, StampNs } from '../core/types.js';
import type { LoopClosure } from '../loops/live-mapper.js';
import {
  RosMessageError,
  UNKNOWN_VARIANCE,
  type CorrespondenceMsg,
  type DiagnosticArrayMsg,
  type DiagnosticLevel,
  type HeaderMsg,
  type LoopClosureMsg,
  type PatchMatchMsg,
  type PlaceMatchMsg,
  type PoseMsg,
  type PoseWithCovarianceStampedMsg,
  type RosHeader,
} from './message-types.js';

/** diagnostic_msgs/DiagnosticStatus level constants. */
const DIAGNOSTIC_LEVELS: Record<DiagnosticLevel, number> = { ok: 0, warn: 1, error: 2, stale: 3 };

const IDENTITY_POSE: Pose = { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
const ZERO_TIME: RosTime = { sec: 0, nanosec: 0 };
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

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

/** The re-ranker's frame pairs as PatchMatch messages (float32 fields rounded as CDR carries them). */
function patchMatchMsgs(matches: PatchMatches | undefined): PatchMatchMsg[] {
  const f32 = Math.fround;
  return (matches?.frames ?? []).map((m) => ({
    query_index: m.queryIndex,
    map_index: m.mapIndex,
    score: m.score,
    shift_x: f32(m.shift.x),
    shift_y: f32(m.shift.y),
    pairs: m.pairs.map((p) => ({ size: p.size, query_x: f32(p.query.x), query_y: f32(p.query.y), map_x: f32(p.map.x), map_y: f32(p.map.y), similarity: f32(p.similarity) })),
  }));
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
    held: match.held === true,
    candidates: match.candidates.map((c) => ({
      map_index: c.mapIndex,
      map_stamp: toTime(mapFrame(map.frames, c.mapIndex, 'a place-match candidate').stamp),
      distance: c.distance,
    })),
    correspondences: correspondenceMsgs(match.correspondences, map.frames, queryStamp, 'a place-match correspondence'),
    has_relative_pose: i.relative !== undefined,
    relative_pose: toPoseMsg(i.relative?.pose ?? IDENTITY_POSE),
    relative_pose_covariance: i.relative ? covarianceOf(i.relative.covariance, 'the place-match covariance') : diagonalCovariance(UNKNOWN_VARIANCE),
    patch_score: match.patchScore ?? 0,
    patch_grid_cells_x: match.patchMatches?.grid.cellsX ?? 0,
    patch_grid_cells_y: match.patchMatches?.grid.cellsY ?? 0,
    patch_matches: patchMatchMsgs(match.patchMatches),
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
