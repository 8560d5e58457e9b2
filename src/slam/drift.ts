// A drifting wheel odometry made from ground-truth poses, as a real robot's would drift: every
// increment is scaled (wheel radius error), the heading creeps by a bias per metre (gyro bias,
// wheel-base error), and both get random-walk noise. Each increment also gets the covariance its
// odometry would report: the nominal noise plus the error that scale and bias could cause, not
// the truth.
import { createRandom } from '../core/random.js';
import { between, compose2 } from './planar.js';
import type { Pose2 } from './pose-graph.js';

export interface DriftModel {
  /** Relative distance error (0.02 = every metre counted as 1.02 m). */
  scaleError: number;
  /** Heading error added per metre driven, radians. */
  headingBiasPerM: number;
  /** Position noise, metres per sqrt(metre). */
  translationNoise: number;
  /** Heading noise, radians per sqrt(metre). */
  headingNoise: number;
  seed: number;
}

export const DEFAULT_DRIFT: DriftModel = { scaleError: 0.03, headingBiasPerM: 0.0012, translationNoise: 0.02, headingNoise: 0.002, seed: 1 };

export interface OdometryIncrement {
  delta: Pose2;
  /** Row-major 3x3 (x, y, yaw). */
  covariance: number[];
}

export interface DriftedOdometry {
  /** Integrated odometry, starting at the first true pose. */
  poses: Pose2[];
  /** increments[k]: pose k+1 seen from pose k, as measured. */
  increments: OdometryIncrement[];
}

export function driftOdometry(truth: readonly Pose2[], model: DriftModel = DEFAULT_DRIFT): DriftedOdometry {
  if (truth.length === 0) return { poses: [], increments: [] };
  const rand = createRandom(model.seed);
  const poses: Pose2[] = [truth[0]];
  const increments: OdometryIncrement[] = [];
  for (let k = 1; k < truth.length; k++) {
    const d = between(truth[k - 1], truth[k]);
    const dist = Math.hypot(d.x, d.y);
    const tn = model.translationNoise * Math.sqrt(dist);
    const hn = model.headingNoise * Math.sqrt(dist);
    const delta: Pose2 = {
      x: d.x * (1 + model.scaleError) + tn * rand.normal(),
      y: d.y * (1 + model.scaleError) + tn * rand.normal(),
      yaw: d.yaw + model.headingBiasPerM * dist + hn * rand.normal(),
    };
    // What the odometry would claim: noise plus the size of its systematic errors (never exactly 0).
    const varT = tn * tn + (model.scaleError * dist) ** 2 + 1e-6;
    const varYaw = hn * hn + (model.headingBiasPerM * dist) ** 2 + 1e-8;
    increments.push({ delta, covariance: [varT, 0, 0, 0, varT, 0, 0, 0, varYaw] });
    poses.push(compose2(poses[k - 1], delta));
  }
  return { poses, increments };
}
