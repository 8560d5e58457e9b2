// Metric relative pose of a loop closure (or place match) with a covariance, from what sequence
// matching gives: frame pairs (query frame -> map frame) along the matched sequences, each with the
// odometry pose of both frames. The two local trajectories are aligned rigidly over the pairs
// (positions plus a short lever along each pose's axes, so headings count and a standing robot is
// not degenerate); the relative pose is then T_from_to = from^-1 * T * to for the anchor pair.
//
// The covariance comes from the data: the spread of the alignment residuals, how well the
// rotation is pinned by the pairs' extent, the lever arm from the pairs' centroid to the anchor,
// the along-track ambiguity (map frame spacing and how sharp the appearance valley is), and a
// lateral prior (appearance cannot see which lane the robot drove in). Optional image evidence
// (yaw and lateral offset from patch correspondences) is fused in where present.
import type { Pose } from '../core/types.js';
import { alignRigid, type Motion } from './align.js';
import { apply, compose, fromPose, inverse, rotate, toPose, transpose, wrapAngle, yawOf, type Rigid, type Vec3 } from './rigid.js';

/** Variance put on degrees of freedom a planar estimate does not observe (z, roll, pitch); equals LoopClosure.UNKNOWN_VARIANCE. */
export const UNOBSERVED_VARIANCE = 1e6;

export interface PosePair {
  /** Odometry pose of the query frame (its run's odometry frame). */
  query: Pose;
  /** Odometry pose of the matched map frame (the map run's odometry frame). */
  map: Pose;
}

/** Offsets of the query camera seen from the map camera, measured in the images (e.g. patch correspondences). */
export interface ImageEvidence {
  yawRad?: number;
  yawStdRad?: number;
  /** Left positive, metres, in the map keyframe's frame. */
  lateralM?: number;
  lateralStdM?: number;
}

export interface RelativePoseInput {
  pairs: readonly PosePair[];
  /** The closure's two keyframes: `to` (query) is expressed in `from` (map). */
  anchor: PosePair;
  /** `auto`: planar when every pose is level and at one height (ground robots). Default auto. */
  motion?: Motion | 'auto';
  /** Distance between neighbouring map frames around the match, metres (along-track quantisation). */
  mapSpacingM: number;
  /** Along-track spread of the appearance valley, metres (alongTrackSpread * spacing). Default 0. */
  alongTrackStdM?: number;
  image?: ImageEvidence;
  /** How far apart two passes of one path may run side by side, 1 sigma (default 0.5 m). */
  lateralPriorStdM?: number;
  /** Residual RMS above which the trajectories disagree too much to trust (default 3 m). */
  maxResidualRmsM?: number;
}

/** Why a closure got no relative pose (counted in the node's /diagnostics). */
export const RELATIVE_POSE_FAILURES = ['no_odometry', 'too_few_pairs', 'inconsistent_odometry'] as const;
export type RelativePoseFailure = (typeof RELATIVE_POSE_FAILURES)[number];

export type RelativePoseResult =
  | {
      ok: true;
      /** T_from_to: the query keyframe's pose in the map keyframe's frame. */
      pose: Pose;
      /** Row-major 6x6 over (x, y, z, roll, pitch, yaw) in the `from` frame. */
      covariance: number[];
      motion: Motion;
      residualRmsM: number;
      /** The aligning transform (query odometry frame -> map odometry frame). */
      alignment: Rigid;
    }
  | { ok: false; reason: RelativePoseFailure; detail: string };

/** Length of the lever along each pose axis: turns heading agreement into point agreement. */
const AXIS_LEVER_M = 1;
/** Floor on the heading scatter (odometry headings are never perfect): 0.5 degree. */
const MIN_HEADING_STD = (0.5 * Math.PI) / 180;

function position(p: Pose): Vec3 {
  return [p.position.x, p.position.y, p.position.z];
}

/** A ground robot: all poses level (roll, pitch < 2 degrees) and within 0.1 m of one height. */
export function isPlanar(poses: readonly Pose[]): boolean {
  const zs = poses.map((p) => p.position.z);
  if (Math.max(...zs) - Math.min(...zs) > 0.1) return false;
  return poses.every((p) => {
    const { x, y } = p.orientation;
    return Math.hypot(x, y) < Math.sin((1 * Math.PI) / 180);
  });
}

/** Points for the alignment: each pose's position and the tips of its axes. */
function posePoints(p: Pose, motion: Motion): Vec3[] {
  const T = fromPose(p);
  const axes: Vec3[] = motion === 'planar' ? [[AXIS_LEVER_M, 0, 0], [0, AXIS_LEVER_M, 0]] : [[AXIS_LEVER_M, 0, 0], [0, AXIS_LEVER_M, 0], [0, 0, AXIS_LEVER_M]];
  return [T.t, ...axes.map((a) => apply(T, a))];
}

export function estimateRelativePose(input: RelativePoseInput): RelativePoseResult {
  const { pairs, anchor } = input;
  if (pairs.length < 3) return { ok: false, reason: 'too_few_pairs', detail: `${pairs.length} frame pairs with poses, at least 3 needed` };
  const all = [...pairs.flatMap((p) => [p.query, p.map]), anchor.query, anchor.map];
  const motion: Motion = input.motion === undefined || input.motion === 'auto' ? (isPlanar(all) ? 'planar' : '3d') : input.motion;

  const src: Vec3[] = [];
  const dst: Vec3[] = [];
  for (const p of pairs) {
    src.push(...posePoints(p.query, motion));
    dst.push(...posePoints(p.map, motion));
  }
  const T = alignRigid({ src, dst }, motion);

  // Residuals of the positions, in the map keyframe's frame.
  const from = fromPose(anchor.map);
  const toLocal = transpose(from.R);
  const residuals = pairs.map((p) => {
    const q = apply(T, position(p.query));
    const m = position(p.map);
    return rotate(toLocal, [m[0] - q[0], m[1] - q[1], m[2] - q[2]]);
  });
  const n = pairs.length;
  const rms = Math.sqrt(residuals.reduce((s, r) => s + r[0] ** 2 + r[1] ** 2 + (motion === 'planar' ? 0 : r[2] ** 2), 0) / n);
  const maxRms = input.maxResidualRmsM ?? 3;
  if (!(rms <= maxRms)) {
    return { ok: false, reason: 'inconsistent_odometry', detail: `the two trajectories disagree by ${rms.toFixed(2)} m RMS after alignment (limit ${maxRms} m)` };
  }

  const relative = compose(inverse(from), compose(T, fromPose(anchor.query)));
  const pose = toPose(relative);

  // --- covariance ---
  // Direction of travel at the match (map side), in the map keyframe's frame.
  const mapPositions = pairs.map((p) => position(p.map));
  const along = travelDirection(mapPositions, toLocal);
  const lateral: Vec3 = [-along[1], along[0], 0];

  // Residual scatter along, across and vertically; the centroid of n pairs is known n times better.
  const proj = (r: Vec3, d: Vec3) => r[0] * d[0] + r[1] * d[1] + r[2] * d[2];
  const meanSq = (f: (r: Vec3) => number) => residuals.reduce((s, r) => s + f(r) ** 2, 0) / n;
  const resAlong = meanSq((r) => proj(r, along));
  const resLateral = meanSq((r) => proj(r, lateral));
  const resZ = meanSq((r) => r[2]);

  // Heading: pinned by the pairs' spread (positions) and by the headings themselves.
  const centroid = mean(mapPositions);
  const spread = mapPositions.reduce((s, p) => s + (p[0] - centroid[0]) ** 2 + (p[1] - centroid[1]) ** 2 + (motion === 'planar' ? 0 : (p[2] - centroid[2]) ** 2), 0);
  const posVar = Math.max(resLateral, 1e-6);
  const headingErrors = pairs.map((p) => wrapAngle(yawOf(fromPose(p.map).R) - yawOf(compose(T, fromPose(p.query)).R)));
  const headingVar = Math.max(headingErrors.reduce((s, e) => s + e * e, 0) / n, MIN_HEADING_STD ** 2);
  let yawVar = 1 / (spread / posVar + n / headingVar);

  // Lever arm: a heading error at the centroid moves the anchor sideways by yaw * distance.
  const anchorInMap = apply(T, position(anchor.query));
  const lever = rotate(toLocal, [anchorInMap[0] - centroid[0], anchorInMap[1] - centroid[1], anchorInMap[2] - centroid[2]]);
  const leverSq = lever[0] ** 2 + lever[1] ** 2;

  const spacing = Math.max(input.mapSpacingM, 0);
  const alongStd = input.alongTrackStdM ?? 0;
  let varAlong = resAlong / n + (spacing * spacing) / 12 + alongStd * alongStd + yawVar * proj(lever, lateral) ** 2;
  const prior = input.lateralPriorStdM ?? 0.5;
  let varLateral = resLateral / n + prior * prior + yawVar * proj(lever, along) ** 2;

  // Image evidence: inverse-variance fusion of lateral offset and heading.
  let x = pose.position.x;
  let y = pose.position.y;
  let yaw = yawOf(relative.R);
  const img = input.image;
  if (img?.lateralM !== undefined && img.lateralStdM !== undefined && img.lateralStdM > 0) {
    // Lateral is along `lateral` in the from frame; fuse that component only.
    const current = x * lateral[0] + y * lateral[1];
    const w = 1 / varLateral + 1 / img.lateralStdM ** 2;
    const fused = (current / varLateral + img.lateralM / img.lateralStdM ** 2) / w;
    x += (fused - current) * lateral[0];
    y += (fused - current) * lateral[1];
    varLateral = 1 / w;
  }
  if (img?.yawRad !== undefined && img.yawStdRad !== undefined && img.yawStdRad > 0) {
    const w = 1 / yawVar + 1 / img.yawStdRad ** 2;
    yaw = yaw + (wrapAngle(img.yawRad - yaw) / img.yawStdRad ** 2) / w;
    yawVar = 1 / w;
  }
  let finalPose = pose;
  if (motion === 'planar') {
    const h = yaw / 2;
    finalPose = { position: { x, y, z: pose.position.z }, orientation: { x: 0, y: 0, z: Math.sin(h), w: Math.cos(h) } };
  } else if (x !== pose.position.x || y !== pose.position.y || yaw !== yawOf(relative.R)) {
    // In 3-D, apply the fused corrections as a yaw about the from frame's z and a shift.
    const dYaw = yaw - yawOf(relative.R);
    const c = Math.cos(dYaw);
    const s = Math.sin(dYaw);
    const R = relative.R;
    const rotated = toPose({ R: [c * R[0] - s * R[3], c * R[1] - s * R[4], c * R[2] - s * R[5], s * R[0] + c * R[3], s * R[1] + c * R[4], s * R[2] + c * R[5], R[6], R[7], R[8]], t: [x, y, pose.position.z] });
    finalPose = rotated;
  }

  const cov = new Array<number>(36).fill(0);
  const set = (i: number, j: number, v: number) => {
    cov[i * 6 + j] += v;
    if (i !== j) cov[j * 6 + i] += v;
  };
  // x-y block: along and lateral variances on their directions.
  set(0, 0, varAlong * along[0] ** 2 + varLateral * lateral[0] ** 2);
  set(1, 1, varAlong * along[1] ** 2 + varLateral * lateral[1] ** 2);
  set(0, 1, varAlong * along[0] * along[1] + varLateral * lateral[0] * lateral[1]);
  set(5, 5, yawVar);
  if (motion === 'planar') {
    set(2, 2, UNOBSERVED_VARIANCE);
    set(3, 3, UNOBSERVED_VARIANCE);
    set(4, 4, UNOBSERVED_VARIANCE);
  } else {
    set(2, 2, resZ / n + (spacing * spacing) / 12 * along[2] ** 2 + yawVar * leverSq);
    set(3, 3, yawVar);
    set(4, 4, yawVar);
  }
  return { ok: true, pose: finalPose, covariance: cov, motion, residualRmsM: rms, alignment: T };
}

function mean(points: readonly Vec3[]): Vec3 {
  const c: Vec3 = [0, 0, 0];
  for (const p of points) for (let i = 0; i < 3; i++) c[i] += p[i] / points.length;
  return c;
}

/**
 * Unit direction of travel of a point sequence (first to last, in `toLocal`'s frame, horizontal),
 * or the local x axis when the points do not move (a standing robot faces where it drives).
 */
function travelDirection(points: readonly Vec3[], toLocal: Rigid['R']): Vec3 {
  const a = points[0];
  const b = points[points.length - 1];
  const d = rotate(toLocal, [b[0] - a[0], b[1] - a[1], b[2] - a[2]]);
  const len = Math.hypot(d[0], d[1]);
  return len > 1e-3 ? [d[0] / len, d[1] / len, 0] : [1, 0, 0];
}
