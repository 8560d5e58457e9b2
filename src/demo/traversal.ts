// Drives a route: a vehicle follows target speeds (by distance), brakes for and waits at stops, and
// keeps a lane offset with smooth wobble; a camera samples its pose at a fixed rate. Jitter depends
// on distance, not time, so a standing vehicle reports exactly the same pose frame after frame.
import { ConfigError } from '../core/errors.js';
import { mixSeed, smoothNoise } from '../core/random.js';
import type { Route } from './route.js';
import type { CameraPose } from './scene.js';

export interface TraversalPose extends CameraPose {
  /** Seconds since the first frame. */
  timeS: number;
  /** Distance driven along the route centreline (grows past one lap). */
  distanceM: number;
  speedMps: number;
}

export interface Traversal {
  rateHz: number;
  poses: TraversalPose[];
  /** Time of the last frame. */
  durationS: number;
}

export interface DriveProfile {
  /** Arc length where driving starts (default 0). */
  startM?: number;
  /** How far to drive, metres (more than a lap revisits the start). */
  distanceM: number;
  /** Target speed from a distance (relative to startM) on; sorted by fromM, first at 0. */
  speeds: readonly { fromM: number; speedMps: number }[];
  /** Stand still `durationS` seconds when reaching `atM` (relative to startM). */
  stops?: readonly { atM: number; durationS: number }[];
  accelMps2?: number;
  decelMps2?: number;
  /** Lateral offset from the centreline, metres, left positive (right-hand traffic: about -1.75). */
  laneOffsetM?: number;
  /** Amplitude of the smooth lateral wobble, metres. */
  lateralJitterM?: number;
  /** Amplitude of the heading jitter, radians. */
  yawJitterRad?: number;
  jitterSeed?: number;
}

function check(profile: DriveProfile, rateHz: number): void {
  const bad = (what: string) => {
    throw new ConfigError(`drive profile: ${what}`);
  };
  if (!(rateHz > 0 && rateHz <= 100)) bad(`rateHz must be in (0, 100], got ${rateHz}`);
  if (!(profile.distanceM > 0)) bad(`distanceM must be positive, got ${profile.distanceM}`);
  if (profile.speeds.length === 0 || profile.speeds[0].fromM !== 0) bad('speeds must start with an entry at fromM 0');
  for (let i = 0; i < profile.speeds.length; i++) {
    const s = profile.speeds[i];
    if (!(s.speedMps > 0)) bad(`speed ${i} must be positive, got ${s.speedMps}`);
    if (i > 0 && !(s.fromM > profile.speeds[i - 1].fromM)) bad('speeds must be sorted by fromM');
  }
  for (const s of profile.stops ?? []) {
    if (!(s.atM > 0 && s.atM < profile.distanceM)) bad(`stop at ${s.atM} m lies outside (0, ${profile.distanceM})`);
    if (!(s.durationS > 0)) bad(`stop duration must be positive, got ${s.durationS}`);
  }
}

export function drive(route: Route, profile: DriveProfile, rateHz: number): Traversal {
  check(profile, rateHz);
  const dt = 1 / rateHz;
  const accel = profile.accelMps2 ?? 1.5;
  const decel = profile.decelMps2 ?? 2.5;
  const start = profile.startM ?? 0;
  const lane = profile.laneOffsetM ?? -1.75;
  const seed = profile.jitterSeed ?? 0;
  const lateral = smoothNoise(mixSeed(seed, 1), [23, 41, 67]);
  const yawWobble = smoothNoise(mixSeed(seed, 2), [7, 13, 29]);
  const stops = [...(profile.stops ?? [])].sort((a, b) => a.atM - b.atM);
  const targetAt = (d: number) => {
    let v = profile.speeds[0].speedMps;
    for (const s of profile.speeds) if (s.fromM <= d) v = s.speedMps;
    return v;
  };

  const poses: TraversalPose[] = [];
  const record = (d: number, v: number) => {
    const p = route.pointAt(start + d);
    const off = lane + (profile.lateralJitterM ?? 0) * lateral(d);
    poses.push({
      x: p.x - Math.sin(p.yaw) * off,
      y: p.y + Math.cos(p.yaw) * off,
      yaw: p.yaw + (profile.yawJitterRad ?? 0) * yawWobble(d),
      timeS: poses.length / rateHz,
      distanceM: d,
      speedMps: v,
    });
  };

  let d = 0;
  let v = targetAt(0);
  let nextStop = 0;
  while (d <= profile.distanceM) {
    record(d, v);
    const stop = stops[nextStop];
    let target = targetAt(d);
    if (stop) target = Math.min(target, Math.sqrt(2 * decel * Math.max(stop.atM - d, 0)));
    v = target > v ? Math.min(v + accel * dt, target) : target;
    if (stop && d + v * dt >= stop.atM - 0.05) {
      // Arrive and stand: the same pose for the whole wait.
      d = stop.atM;
      v = 0;
      const frames = Math.round(stop.durationS * rateHz);
      for (let i = 0; i < frames; i++) record(d, 0);
      nextStop++;
      v = Math.min(accel * dt, targetAt(d));
    }
    d += v * dt;
  }
  return { rateHz, poses, durationS: (poses.length - 1) / rateHz };
}

export interface TraversalOptions {
  /** Laps of the route to drive (default 1.25: the start is revisited). */
  laps?: number;
  rateHz?: number;
  seed?: number;
  /** Query run only: lateral offset from the road centre in metres (default -1.5). */
  laneOffsetM?: number;
}

/** The mapping run: steady speed in the right lane. */
export function mapTraversal(route: Route, options: TraversalOptions = {}): Traversal {
  const distanceM = (options.laps ?? 1.25) * route.lengthM;
  return drive(
    route,
    { distanceM, speeds: [{ fromM: 0, speedMps: 9 }], lateralJitterM: 0.15, yawJitterRad: 0.005, jitterSeed: mixSeed(options.seed ?? 0, 11) },
    options.rateHz ?? 10,
  );
}

/** The query run: slower, then faster, a stop of several seconds, more wobble in lane and heading. */
export function queryTraversal(route: Route, options: TraversalOptions = {}): Traversal {
  const D = (options.laps ?? 1.25) * route.lengthM;
  // Events at fractions of the drive, so any number of laps has them all.
  return drive(
    route,
    {
      distanceM: D,
      speeds: [
        { fromM: 0, speedMps: 6.5 },
        { fromM: 0.28 * D, speedMps: 12 },
        { fromM: 0.72 * D, speedMps: 8 },
      ],
      stops: [{ atM: 0.48 * D, durationS: 4 }],
      laneOffsetM: options.laneOffsetM ?? -1.5,
      lateralJitterM: 0.45,
      yawJitterRad: 0.03,
      jitterSeed: mixSeed(options.seed ?? 0, 12),
    },
    options.rateHz ?? 10,
  );
}
