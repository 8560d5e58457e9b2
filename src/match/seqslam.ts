// SeqSLAM velocity search: for every end row (or only around the coarse hits) try vSteps constant
// velocities evenly spaced in [vMin, vMax] map frames per query frame, keep the best per end.
// Trajectories end at the newest query column; see velocity-sweep.ts for rounding and the map start.
import { ConfigError } from '../core/errors.js';
import { ConstantVelocityMatcher } from './constant-velocity-matcher.js';
import type { SearchOptions } from './search-options.js';
import { PathSweep } from './path-sweep.js';
import { VelocitySweep } from './velocity-sweep.js';

export interface SeqSlamOptions extends SearchOptions {
  /** Slowest velocity tried, in map frames per query frame. */
  vMin: number;
  /** Fastest velocity tried, in map frames per query frame. */
  vMax: number;
  /** Number of velocities tried, evenly spaced from vMin to vMax inclusive (1 when vMin = vMax). */
  vSteps: number;
  /**
   * The scales for a window placed by the path travelled (MatchInput.placement): map metres per
   * odometry metre. The two paths give the trajectory's shape, so only the odometry's scale error
   * and the path-length difference of a parallel lane in a curve are left: a few per cent.
   */
  pathVMin: number;
  pathVMax: number;
  pathVSteps: number;
}

export const SEQSLAM_DEFAULTS: SeqSlamOptions = {
  vMin: 0.8,
  vMax: 1.25,
  vSteps: 10,
  pathVMin: 0.95,
  pathVMax: 1.05,
  pathVSteps: 5,
  coarseRadiusRows: 5,
  maxCandidates: 5,
  rivalScope: 'map',
};

/**
 * vSteps velocities evenly spaced over [vMin, vMax]; throws a ConfigError on an empty range, naming
 * the keys (`path`: pathVMin, pathVMax, pathVSteps).
 */
export function velocityRange(vMin: number, vMax: number, vSteps: number, keys: 'frames' | 'path' = 'frames'): number[] {
  const [min, max, steps, unit] =
    keys === 'path' ? ['pathVMin', 'pathVMax', 'pathVSteps', 'map metres per odometry metre'] : ['vMin', 'vMax', 'vSteps', 'map frames per query frame'];
  if (!(Number.isFinite(vMin) && Number.isFinite(vMax) && vMin >= 0 && vMin <= vMax)) {
    throw new ConfigError(`seqslam needs 0 <= ${min} <= ${max} (${unit}), got ${min} ${vMin}, ${max} ${vMax}`);
  }
  if (!Number.isInteger(vSteps) || vSteps < 1 || (vSteps === 1 && vMin !== vMax) || (vSteps > 1 && vMin === vMax)) {
    throw new ConfigError(`seqslam.${steps} must be 1 when ${min} equals ${max} and an integer >= 2 otherwise, got ${vSteps}`);
  }
  if (vSteps === 1) return [vMin];
  return Array.from({ length: vSteps }, (_, i) => vMin + ((vMax - vMin) * i) / (vSteps - 1));
}

export class SeqSlamMatcher extends ConstantVelocityMatcher {
  constructor(options: Partial<SeqSlamOptions> = {}) {
    const o = { ...SEQSLAM_DEFAULTS, ...options };
    const frames = new VelocitySweep(velocityRange(o.vMin, o.vMax, o.vSteps));
    super('seqslam', frames, o, new PathSweep(velocityRange(o.pathVMin, o.pathVMax, o.pathVSteps, 'path')));
  }
}
