// The covariance published with a place-recognition pose. A match says "you are where map frame j
// was"; how far off that is depends on the keyframe spacing and lane offset (the scale, in metres,
// of a certain match) and on the chance the match is wrong, which grows as the confidence falls.
//
//   sigma_xyz = scale / c        (m; scale = pose_covariance_scale)
//   sigma_rpy = min(pi, 0.25 / c) (rad; a camera recognises a place within about 15 degrees of the
//                                  mapped heading when it is certain)
//   covariance = diag(sigma_xyz^2 x3, sigma_rpy^2 x3), c = max(confidence, 0.01)
//
// So a match at confidence 0.15 (the default acceptance) is trusted to about 6.7 scale metres, one
// at 1.0 to `scale` metres: consumers such as robot_localization weigh it accordingly.

/** Orientation standard deviation of a match with confidence 1, radians. */
export const ORIENTATION_STDDEV_RAD = 0.25;
/** Confidence floor: a zero-confidence match would otherwise get an infinite covariance. */
const MIN_CONFIDENCE = 0.01;

export function poseCovariance(confidence: number, scaleM: number): number[] {
  const c = Math.max(MIN_CONFIDENCE, Math.min(1, confidence));
  const position = (scaleM / c) ** 2;
  const orientation = Math.min(Math.PI, ORIENTATION_STDDEV_RAD / c) ** 2;
  const diagonal = [position, position, position, orientation, orientation, orientation];
  return Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? diagonal[i / 7] : 0));
}
