// Closed-form rigid alignment of corresponding point sets (no scale): the transform T minimising
// sum_k w_k |dst_k - T src_k|^2. Planar (SE(2): rotation about z, the z offset is the mean
// difference) by the 2-D Umeyama/Horn solution, or full SE(3) by Horn's quaternion method (the
// eigenvector of the largest eigenvalue of a symmetric 4x4 matrix).
import { symmetricEigen } from '../train/linalg.js';
import { fromPose, yawRotation, type Mat3, type Rigid, type Vec3 } from './rigid.js';

export type Motion = 'planar' | '3d';

export interface WeightedPairs {
  src: readonly Vec3[];
  dst: readonly Vec3[];
  /** Non-negative weights, same length (default all 1). */
  weights?: readonly number[];
}

function centroid(points: readonly Vec3[], w: readonly number[], total: number): Vec3 {
  const c: Vec3 = [0, 0, 0];
  points.forEach((p, k) => {
    for (let i = 0; i < 3; i++) c[i] += (w[k] * p[i]) / total;
  });
  return c;
}

/** dst ≈ T src. Throws RangeError on empty or mismatched input (callers check sizes first). */
export function alignRigid(pairs: WeightedPairs, motion: Motion): Rigid {
  const { src, dst } = pairs;
  if (src.length !== dst.length || src.length === 0) throw new RangeError(`alignRigid needs equal, non-empty point sets (got ${src.length} and ${dst.length})`);
  const w = pairs.weights ?? src.map(() => 1);
  const total = w.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new RangeError('alignRigid needs a positive total weight');
  const cs = centroid(src, w, total);
  const cd = centroid(dst, w, total);
  // S[i][j] = sum_k w_k (src_k - cs)_i (dst_k - cd)_j
  const S = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  src.forEach((s, k) => {
    const a = [s[0] - cs[0], s[1] - cs[1], s[2] - cs[2]];
    const b = [dst[k][0] - cd[0], dst[k][1] - cd[1], dst[k][2] - cd[2]];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) S[i * 3 + j] += w[k] * a[i] * b[j];
  });
  let R: Mat3;
  if (motion === 'planar') {
    // Rotation about z maximising sum w (a . R^T b): atan2 of the cross and dot sums.
    const yaw = Math.atan2(S[1] - S[3], S[0] + S[4]);
    R = yawRotation(yaw);
  } else {
    R = hornRotation(S);
  }
  const Rc = [R[0] * cs[0] + R[1] * cs[1] + R[2] * cs[2], R[3] * cs[0] + R[4] * cs[1] + R[5] * cs[2], R[6] * cs[0] + R[7] * cs[1] + R[8] * cs[2]];
  return { R, t: [cd[0] - Rc[0], cd[1] - Rc[1], cd[2] - Rc[2]] };
}

/** Horn (1987): the optimal rotation is the top eigenvector (as a quaternion) of N built from S. */
function hornRotation(S: number[]): Mat3 {
  const [xx, xy, xz, yx, yy, yz, zx, zy, zz] = S;
  const N = [
    [xx + yy + zz, yz - zy, zx - xz, xy - yx],
    [yz - zy, xx - yy - zz, xy + yx, zx + xz],
    [zx - xz, xy + yx, -xx + yy - zz, yz + zy],
    [xy - yx, zx + xz, yz + zy, -xx - yy + zz],
  ];
  // The rotation is the unit quaternion of N's largest eigenvalue (symmetricEigen: descending, vectors as rows).
  const { vectors } = symmetricEigen(Float64Array.from(N.flat()), 4);
  const [w, x, y, z] = vectors.subarray(0, 4);
  return fromPose({ position: { x: 0, y: 0, z: 0 }, orientation: { x, y, z, w } }).R;
}
