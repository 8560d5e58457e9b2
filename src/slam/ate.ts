// Absolute trajectory error (ATE RMSE, metres): the estimated positions are first aligned rigidly
// to the ground truth (planar, closed form), as in the TUM RGB-D benchmark, then the RMS of the
// remaining position differences is taken.
import { alignRigid } from '../relpose/align.js';
import { apply, type Vec3 } from '../relpose/rigid.js';
import type { Pose2 } from './pose-graph.js';

export function ateRmse(estimate: readonly Pose2[], truth: readonly Pose2[]): number {
  if (estimate.length !== truth.length || estimate.length === 0) throw new RangeError(`ATE needs equal, non-empty trajectories (${estimate.length} vs ${truth.length})`);
  const src: Vec3[] = estimate.map((p) => [p.x, p.y, 0]);
  const dst: Vec3[] = truth.map((p) => [p.x, p.y, 0]);
  const T = alignRigid({ src, dst }, 'planar');
  const sq = src.reduce((s, p, k) => {
    const q = apply(T, p);
    return s + (q[0] - dst[k][0]) ** 2 + (q[1] - dst[k][1]) ** 2;
  }, 0);
  return Math.sqrt(sq / src.length);
}
