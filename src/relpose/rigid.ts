// Rigid transforms (SE(3)) as a rotation matrix and a translation, converted to and from the
// position + quaternion Pose the rest of seqvpr uses. Small and allocation-happy: relative poses
// are computed once per loop closure, not per pixel.
import type { Pose } from '../core/types.js';

export type Vec3 = [number, number, number];
/** Row-major 3x3 rotation matrix. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export interface Rigid {
  R: Mat3;
  t: Vec3;
}

export const IDENTITY: Rigid = { R: [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [0, 0, 0] };

export function fromPose(p: Pose): Rigid {
  let { x, y, z, w } = p.orientation;
  const n = Math.hypot(x, y, z, w) || 1;
  x /= n;
  y /= n;
  z /= n;
  w /= n;
  return {
    R: [
      1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
      2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
      2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
    ],
    t: [p.position.x, p.position.y, p.position.z],
  };
}

export function toPose(T: Rigid): Pose {
  const q = quaternionOf(T.R);
  return { position: { x: T.t[0], y: T.t[1], z: T.t[2] }, orientation: q };
}

/** Unit quaternion of a rotation matrix (Shepperd's method: divides by the largest component). */
export function quaternionOf(R: Mat3): Pose['orientation'] {
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = R;
  const tr = m00 + m11 + m22;
  let x: number, y: number, z: number, w: number;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    w = s / 4;
    x = (m21 - m12) / s;
    y = (m02 - m20) / s;
    z = (m10 - m01) / s;
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    w = (m21 - m12) / s;
    x = s / 4;
    y = (m01 + m10) / s;
    z = (m02 + m20) / s;
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    w = (m02 - m20) / s;
    x = (m01 + m10) / s;
    y = s / 4;
    z = (m12 + m21) / s;
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    w = (m10 - m01) / s;
    x = (m02 + m20) / s;
    y = (m12 + m21) / s;
    z = s / 4;
  }
  // One hemisphere (w >= 0) so equal rotations give equal quaternions.
  const sign = w < 0 ? -1 : 1;
  const n = Math.hypot(x, y, z, w) * sign;
  return { x: x / n, y: y / n, z: z / n, w: w / n };
}

export function mulMat(a: Mat3, b: Mat3): Mat3 {
  const r = new Array<number>(9) as Mat3;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) r[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
  return r;
}

export function transpose(a: Mat3): Mat3 {
  return [a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]];
}

export function rotate(R: Mat3, v: Vec3): Vec3 {
  return [R[0] * v[0] + R[1] * v[1] + R[2] * v[2], R[3] * v[0] + R[4] * v[1] + R[5] * v[2], R[6] * v[0] + R[7] * v[1] + R[8] * v[2]];
}

export function apply(T: Rigid, v: Vec3): Vec3 {
  const r = rotate(T.R, v);
  return [r[0] + T.t[0], r[1] + T.t[1], r[2] + T.t[2]];
}

/** a * b: first b, then a. */
export function compose(a: Rigid, b: Rigid): Rigid {
  return { R: mulMat(a.R, b.R), t: apply(a, b.t) };
}

export function inverse(T: Rigid): Rigid {
  const Rt = transpose(T.R);
  const t = rotate(Rt, T.t);
  return { R: Rt, t: [-t[0], -t[1], -t[2]] };
}

/** Rotation about z by `yaw` radians. */
export function yawRotation(yaw: number): Mat3 {
  const c = Math.cos(yaw);
  const s = Math.sin(yaw);
  return [c, -s, 0, s, c, 0, 0, 0, 1];
}

/** Heading (rotation about z) of a rotation, ZYX convention. */
export function yawOf(R: Mat3): number {
  return Math.atan2(R[3], R[0]);
}

/** Angle of a rotation matrix (radians, in [0, pi]). */
export function rotationAngle(R: Mat3): number {
  return Math.acos(Math.min(1, Math.max(-1, (R[0] + R[4] + R[8] - 1) / 2)));
}

/** Wraps an angle to (-pi, pi]. */
export function wrapAngle(a: number): number {
  return Math.atan2(Math.sin(a), Math.cos(a));
}
