// The relative pose of a loop closure, from the live map itself: both ends of every correspondence
// are map keyframes (the query run is mapped as it goes), so their odometry poses and descriptors
// are at hand. Gathers the pose pairs, the map frame spacing and the along-track sharpness of the
// match, then leaves the geometry to src/relpose.
import type { Correspondence, MapFrameMeta, Pose } from '../core/types.js';
import type { DescriptorMatrix } from '../core/matrix.js';
import { dot } from '../core/vector.js';
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
  const to = poseOf(loop.queryIndex);
  const from = poseOf(loop.matchIndex);
  if (!to || !from) {
    return { ok: false, reason: 'no_odometry', detail: `keyframe ${!to ? loop.queryIndex : loop.matchIndex} has no pose (no odometry)` };
  }
  const pairs: PosePair[] = [];
  for (const c of loop.correspondences) {
    const query = poseOf(c.queryIndex);
    const map = poseOf(c.mapIndex);
    if (query && map) pairs.push({ query, map });
  }
  const spacing = frameSpacing(loop.matchIndex, poseOf, source.frames.length);
  const spread = alongTrackSpread(shiftProfile(source, loop.correspondences, options.maxShift ?? 5));
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
  if (steps.length === 0) return 0;
  steps.sort((x, y) => x - y);
  return steps[Math.floor(steps.length / 2)];
}

/**
 * Mean cosine distance of the matched sequence with its map side shifted by -maxShift..maxShift
 * frames, and the standard error of that mean at the match (shift 0).
 */
export function shiftProfile(source: LoopPoseSource, correspondences: readonly Correspondence[], maxShift: number) {
  const { frameDescriptors: d } = source;
  const rows = d.rows;
  const dist = (q: number, m: number) => 1 - dot(d.row(q), d.row(m), d.dim);
  const shifts: number[] = [];
  const costs: number[] = [];
  for (let s = -maxShift; s <= maxShift; s++) {
    let sum = 0;
    let count = 0;
    for (const c of correspondences) {
      const m = c.mapIndex + s;
      if (m < 0 || m >= rows || c.queryIndex >= rows || m === c.queryIndex) continue;
      sum += dist(c.queryIndex, m);
      count++;
    }
    if (count > 0) {
      shifts.push(s);
      costs.push(sum / count);
    }
  }
  const at0 = correspondences.filter((c) => c.queryIndex < rows && c.mapIndex < rows).map((c) => dist(c.queryIndex, c.mapIndex));
  const mean0 = at0.reduce((a, b) => a + b, 0) / Math.max(at0.length, 1);
  const variance = at0.reduce((a, b) => a + (b - mean0) ** 2, 0) / Math.max(at0.length - 1, 1);
  return { shifts, costs, costStdErr: Math.max(Math.sqrt(variance / Math.max(at0.length, 1)), 1e-4) };
}
