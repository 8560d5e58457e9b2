// Planar poses (x, y, yaw) for the pose graph: conversions from full poses and the SE(2) algebra.
import type { Pose } from '../core/types.js';
import { fromPose, wrapAngle, yawOf } from '../relpose/rigid.js';
import type { Pose2 } from './pose-graph.js';

export function toPose2(p: Pose): Pose2 {
  return { x: p.position.x, y: p.position.y, yaw: yawOf(fromPose(p).R) };
}

export function fromPose2(p: Pose2): Pose {
  return { position: { x: p.x, y: p.y, z: 0 }, orientation: { x: 0, y: 0, z: Math.sin(p.yaw / 2), w: Math.cos(p.yaw / 2) } };
}

/** b seen from a: a^-1 * b. */
export function between(a: Pose2, b: Pose2): Pose2 {
  const c = Math.cos(a.yaw);
  const s = Math.sin(a.yaw);
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  return { x: c * dx + s * dy, y: -s * dx + c * dy, yaw: wrapAngle(b.yaw - a.yaw) };
}

/** a * d: d applied in a's frame. */
export function compose2(a: Pose2, d: Pose2): Pose2 {
  const c = Math.cos(a.yaw);
  const s = Math.sin(a.yaw);
  return { x: a.x + c * d.x - s * d.y, y: a.y + s * d.x + c * d.y, yaw: wrapAngle(a.yaw + d.yaw) };
}

/** The (x, y, yaw) block of a row-major 6x6 covariance over (x, y, z, roll, pitch, yaw). */
export function planarCovariance(cov6: readonly number[]): number[] {
  const idx = [0, 1, 5];
  return idx.flatMap((i) => idx.map((j) => cov6[i * 6 + j]));
}
