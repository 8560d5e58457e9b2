// Poses at image stamps: odometry and cameras run on separate clocks, so each image gets the pose
// interpolated between the two pose samples around its stamp (linear position, slerp orientation).
import type { Pose, StampNs } from '../core/types.js';

export interface StampedPose {
  stamp: StampNs;
  pose: Pose;
}

/** Default reach of the first / last pose sample beyond the recorded pose range. */
export const DEFAULT_POSE_TOLERANCE_MS = 500;

type Quaternion = Pose['orientation'];

/** Below this angle between the quaternions slerp is numerically unstable and lerp is exact enough. */
const SLERP_LINEAR_DOT = 0.9995;

function normalise(q: Quaternion): Quaternion {
  const n = Math.hypot(q.x, q.y, q.z, q.w);
  return { x: q.x / n, y: q.y / n, z: q.z / n, w: q.w / n };
}

/** Spherical interpolation along the shorter arc (q and -q are the same rotation). */
export function slerp(a: Quaternion, b: Quaternion, t: number): Quaternion {
  let dot = a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w;
  const sign = dot < 0 ? -1 : 1;
  dot *= sign;
  let wa: number;
  let wb: number;
  if (dot > SLERP_LINEAR_DOT) {
    wa = 1 - t;
    wb = t;
  } else {
    const theta = Math.acos(dot);
    const s = Math.sin(theta);
    wa = Math.sin((1 - t) * theta) / s;
    wb = Math.sin(t * theta) / s;
  }
  wb *= sign;
  return normalise({ x: wa * a.x + wb * b.x, y: wa * a.y + wb * b.y, z: wa * a.z + wb * b.z, w: wa * a.w + wb * b.w });
}

/** The pose a fraction t (0..1) of the way from a to b. */
export function interpolatePose(a: Pose, b: Pose, t: number): Pose {
  const lerp = (u: number, v: number) => u + (v - u) * t;
  return {
    position: { x: lerp(a.position.x, b.position.x), y: lerp(a.position.y, b.position.y), z: lerp(a.position.z, b.position.z) },
    orientation: slerp(a.orientation, b.orientation, t),
  };
}

/** Sorts samples by stamp (stable), as poseAt needs them. */
export function sortByStamp(samples: readonly StampedPose[]): StampedPose[] {
  return [...samples].sort((p, q) => (p.stamp < q.stamp ? -1 : p.stamp > q.stamp ? 1 : 0));
}

/**
 * The pose at `stamp` from samples sorted by stamp: interpolated between the samples around it;
 * the first / last sample within `toleranceMs` before / after the range; undefined further out or
 * when there are no samples. With `ahead: 'extrapolate'`, a stamp within the tolerance after the
 * last sample continues the motion of the last two samples instead (a live image whose odometry
 * has not arrived yet: holding the last pose would put it up to the tolerance's travel behind).
 */
export function poseAt(
  samples: readonly StampedPose[],
  stamp: StampNs,
  toleranceMs = DEFAULT_POSE_TOLERANCE_MS,
  ahead: 'hold' | 'extrapolate' = 'hold',
): Pose | undefined {
  if (samples.length === 0) return undefined;
  const toleranceNs = BigInt(Math.round(toleranceMs * 1e6));
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (stamp <= first.stamp) return first.stamp - stamp <= toleranceNs ? first.pose : undefined;
  if (stamp >= last.stamp) {
    if (stamp - last.stamp > toleranceNs) return undefined;
    const before = samples[samples.length - 2];
    if (ahead === 'hold' || !before || stamp === last.stamp) return last.pose;
    return interpolatePose(before.pose, last.pose, Number(stamp - before.stamp) / Number(last.stamp - before.stamp));
  }
  // Binary search: samples[lo].stamp <= stamp < samples[hi].stamp throughout.
  let lo = 0;
  let hi = samples.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (samples[mid].stamp <= stamp) lo = mid;
    else hi = mid;
  }
  // a.stamp <= stamp < b.stamp, so the span is positive.
  const a = samples[lo];
  const b = samples[hi];
  return interpolatePose(a.pose, b.pose, Number(stamp - a.stamp) / Number(b.stamp - a.stamp));
}
