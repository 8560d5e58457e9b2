// The relative pose of a loop closure, from the live map itself: both ends of every correspondence
// are map keyframes (the query run is mapped as it goes), so their odometry poses and descriptors
// are at hand. Gathers the pose pairs, the map frame spacing and the along-track sharpness of the
// match, then leaves the geometry to src/relpose.
import type { Correspondence, MapFrameMeta, Pose } from '../core/types.js';
import type { DescriptorMatrix } from '../core/matrix.js';
import { dot } from '../core/vector.js';
import { upperMedian } from '../eval/percentile.js';
import { alongTrackSpread } from '../relpose/along-track.js';
import { estimateRelativePose, type ImageEvidence, type PosePair, type RelativePoseResult } from '../relpose/estimate.js';
import type { LoopClosure } from './live-mapper.js';

/** What a loop closure's relative pose is computed from: the map's frames and frame descriptors. */
export interface LoopPoseSource {
  frames: readonly MapFrameMeta[];
  frameDescriptors: DescriptorMatrix;
}

export interface LoopPoseOptions {
  /** Largest shift (map frames) tried when measuring along-track sharpness (default 5). */
  maxShift?: number;
  lateralPriorStdM?: number;
  maxResidualRmsM?: number;
  /** Image evidence for the closure's newest pair, e.g. from patch correspondences. */
  image?: ImageEvidence;
  /** Poses to use instead of the map's (e.g. a drifting odometry in an evaluation), by map index. */
  poseOf?: (mapIndex: number) => Pose | undefined;
}

/** Relative pose (T_from_to, from = matchIndex, to = queryIndex) with covariance, or why not. */
export function loopRelativePose(source: LoopPoseSource, loop: LoopClosure, options: LoopPoseOptions = {}): RelativePoseResult {
  const poseOf = options.poseOf ?? ((i: number) => source.frames[i]?.pose);
  const side = { poseOf, descriptorOf: (i: number) => (i < source.frameDescriptors.rows ? source.frameDescriptors.row(i) : undefined) };
  return sequenceRelativePose({ query: side, map: { ...side, size: source.frames.length }, queryIndex: loop.queryIndex, matchIndex: loop.matchIndex, correspondences: loop.correspondences }, options);
}

/** One side of a match: pose and frame descriptor by index (undefined when not known). */
export interface MatchSide {
  poseOf: (index: number) => Pose | undefined;
  descriptorOf: (index: number) => Float32Array | undefined;
}

export interface SequenceMatch {
  /** Query frames (e.g. the live run's recent keyframes). */
  query: MatchSide;
  /** Map frames; `size` bounds the along-track shifts. */
  map: MatchSide & { size: number };
  queryIndex: number;
  matchIndex: number;
  correspondences: readonly Correspondence[];
}

/**
 * Relative pose of the query frame in the matched map frame, for any sequence match: a loop
 * closure (both sides in one map) or a place match against a loaded map (query frames from the
 * live run, in its odometry frame; map frames in the map's frame).
 */
export function sequenceRelativePose(m: SequenceMatch, options: Omit<LoopPoseOptions, 'poseOf'> = {}): RelativePoseResult {
  const to = m.query.poseOf(m.queryIndex);
  const from = m.map.poseOf(m.matchIndex);
  if (!to || !from) {
    return { ok: false, reason: 'no_odometry', detail: !to ? `query frame ${m.queryIndex} has no pose (no odometry)` : `map frame ${m.matchIndex} has no pose` };
  }
  const pairs: PosePair[] = [];
  for (const c of m.correspondences) {
    const query = m.query.poseOf(c.queryIndex);
    const map = m.map.poseOf(c.mapIndex);
    if (query && map) pairs.push({ query, map });
  }
  const spacing = frameSpacing(m.matchIndex, m.map.poseOf, m.map.size);
  const spread = alongTrackSpread(shiftProfile(m, options.maxShift ?? 5));
  return estimateRelativePose({
    pairs,
    anchor: { query: to, map: from },
    mapSpacingM: spacing,
    alongTrackStdM: spread * spacing,
    image: options.image,
    lateralPriorStdM: options.lateralPriorStdM,
    maxResidualRmsM: options.maxResidualRmsM,
  });
}

/** Median distance between consecutive map frames within 3 of `index` (0 when none have poses). */
export function frameSpacing(index: number, poseOf: (i: number) => Pose | undefined, size: number): number {
  const steps: number[] = [];
  for (let i = Math.max(1, index - 3); i <= Math.min(size - 1, index + 3); i++) {
    const a = poseOf(i - 1);
    const b = poseOf(i);
    if (a && b) steps.push(Math.hypot(b.position.x - a.position.x, b.position.y - a.position.y, b.position.z - a.position.z));
  }
  return steps.length === 0 ? 0 : upperMedian(steps);
}

/**
 * Mean cosine distance of the matched sequence with its map side shifted by -maxShift..maxShift
 * frames, and the standard error of that mean at the match (shift 0). A query frame is never
 * compared with itself (in a loop closure both sides live in one map).
 */
export function shiftProfile(m: SequenceMatch, maxShift: number) {
  const sameSide = m.query.descriptorOf === m.map.descriptorOf;
  const dist = (q: number, j: number): number | undefined => {
    if (j < 0 || j >= m.map.size || (sameSide && j === q)) return undefined;
    const a = m.query.descriptorOf(q);
    const b = m.map.descriptorOf(j);
    return a && b ? 1 - dot(a, b, a.length) : undefined;
  };
  const shifts: number[] = [];
  const costs: number[] = [];
  for (let s = -maxShift; s <= maxShift; s++) {
    let sum = 0;
    let count = 0;
    for (const c of m.correspondences) {
      const d = dist(c.queryIndex, c.mapIndex + s);
      if (d === undefined) continue;
      sum += d;
      count++;
    }
    if (count > 0) {
      shifts.push(s);
      costs.push(sum / count);
    }
  }
  const at0 = m.correspondences.map((c) => dist(c.queryIndex, c.mapIndex)).filter((d): d is number => d !== undefined);
  const mean0 = at0.reduce((a, b) => a + b, 0) / Math.max(at0.length, 1);
  const variance = at0.reduce((a, b) => a + (b - mean0) ** 2, 0) / Math.max(at0.length - 1, 1);
  if (shifts.length === 0) return { shifts: [0], costs: [0], costStdErr: 1 };
  return { shifts, costs, costStdErr: Math.max(Math.sqrt(variance / Math.max(at0.length, 1)), 1e-4) };
}
