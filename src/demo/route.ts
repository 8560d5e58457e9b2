// A seeded closed road loop in the plane: a squashed superellipse with a few random harmonics, so it
// has straights and curves of varying radius. Being star-shaped around the origin it never crosses
// itself. Driving it more than once revisits the start, which gives single-session loop closures.
import { ConfigError } from '../core/errors.js';
import { createRandom, mixSeed } from '../core/random.js';

export interface RoutePoint {
  x: number;
  y: number;
  /** Heading of the direction of travel, radians, counter-clockwise from +x. */
  yaw: number;
}

export interface RouteOptions {
  seed?: number;
  /** Length of one lap in metres (default 320). */
  lengthM?: number;
}

/** Centreline resolution; fine enough that linear interpolation looks smooth at camera distance. */
const STEP_M = 0.5;

export class Route {
  /** Spacing of the centreline samples (lengthM / sampleCount). */
  readonly stepM: number;
  readonly #xs: Float64Array;
  readonly #ys: Float64Array;
  readonly #yaws: Float64Array;

  constructor(
    readonly lengthM: number,
    xs: Float64Array,
    ys: Float64Array,
  ) {
    this.#xs = xs;
    this.#ys = ys;
    const n = xs.length;
    this.stepM = lengthM / n;
    this.#yaws = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = (i - 1 + n) % n;
      const b = (i + 1) % n;
      this.#yaws[i] = Math.atan2(ys[b] - ys[a], xs[b] - xs[a]);
    }
  }

  /** Number of centreline samples per lap. */
  get sampleCount(): number {
    return this.#xs.length;
  }

  /** The centreline point and heading at arc length s (any real: laps wrap around). */
  pointAt(s: number): RoutePoint {
    const n = this.#xs.length;
    const u = ((s % this.lengthM) + this.lengthM) % this.lengthM / this.stepM;
    const i = Math.floor(u) % n;
    const j = (i + 1) % n;
    const f = u - Math.floor(u);
    const dyaw = Math.atan2(Math.sin(this.#yaws[j] - this.#yaws[i]), Math.cos(this.#yaws[j] - this.#yaws[i]));
    return {
      x: this.#xs[i] + f * (this.#xs[j] - this.#xs[i]),
      y: this.#ys[i] + f * (this.#ys[j] - this.#ys[i]),
      yaw: this.#yaws[i] + f * dyaw,
    };
  }

  /** Shortest distance from (x, y) to the centreline samples (good to STEP_M / 2). */
  distanceTo(x: number, y: number): number {
    let best = Infinity;
    for (let i = 0; i < this.#xs.length; i++) {
      const d = (this.#xs[i] - x) ** 2 + (this.#ys[i] - y) ** 2;
      if (d < best) best = d;
    }
    return Math.sqrt(best);
  }
}

/** The shape's radius at polar angle theta, before scaling. */
function shapeRadius(theta: number, harmonics: readonly { k: number; amp: number; phase: number }[]): number {
  const n = 3; // superellipse exponent: between an ellipse (2) and a rounded rectangle (large)
  const se = (Math.abs(Math.cos(theta) / 1.35) ** n + Math.abs(Math.sin(theta) / 0.8) ** n) ** (-1 / n);
  let wobble = 1;
  for (const h of harmonics) wobble += h.amp * Math.cos(h.k * theta + h.phase);
  return se * wobble;
}

export function makeRoute(options: RouteOptions = {}): Route {
  const seed = options.seed ?? 1;
  const lengthM = options.lengthM ?? 320;
  if (!Number.isFinite(lengthM) || lengthM < 100 || lengthM > 5000) {
    throw new ConfigError(`route lengthM must be between 100 and 5000 metres, got ${lengthM}`);
  }
  const rng = createRandom(mixSeed(seed, 1));
  const harmonics = [2, 3, 5].map((k) => ({ k, amp: rng.range(0.03, 0.09) / Math.sqrt(k - 1), phase: rng.range(0, 2 * Math.PI) }));

  // Dense polar polyline, then resampled to equal arc-length steps.
  const dense = 4000;
  const px = new Float64Array(dense + 1);
  const py = new Float64Array(dense + 1);
  const cum = new Float64Array(dense + 1);
  for (let i = 0; i <= dense; i++) {
    const theta = (2 * Math.PI * i) / dense;
    const r = shapeRadius(theta, harmonics);
    px[i] = r * Math.cos(theta);
    py[i] = r * Math.sin(theta);
    if (i > 0) cum[i] = cum[i - 1] + Math.hypot(px[i] - px[i - 1], py[i] - py[i - 1]);
  }
  const scale = lengthM / cum[dense];
  const n = Math.round(lengthM / STEP_M);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const target = (i * cum[dense]) / n;
    while (cum[k + 1] < target) k++;
    const f = (target - cum[k]) / (cum[k + 1] - cum[k]);
    xs[i] = scale * (px[k] + f * (px[k + 1] - px[k]));
    ys[i] = scale * (py[k] + f * (py[k + 1] - py[k]));
  }
  return new Route(lengthM, xs, ys);
}
