// Seeded random numbers for the demo world. A tiny PRNG (mulberry32) written here because no direct
// dependency offers one, and the world must be identical for a seed on every machine.

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Standard normal (Box-Muller). */
  normal(): number;
}

/** Mixes a seed with stream labels so independent parts (route, scenery, noise of frame k) never share a sequence. */
export function mixSeed(seed: number, ...labels: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const label of labels) {
    h = Math.imul(h ^ (label >>> 0), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

const MULBERRY_STEP = 0x6d2b79f5;

/** mulberry32's output function: a well-mixed 32-bit unsigned value for counter value `a`. */
function mix32(a: number): number {
  let t = Math.imul(a ^ (a >>> 15), a | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/**
 * `count` uniform 16-bit values from the stream `seed` starts (the high halves of what createRandom
 * would draw). A plain loop: per-pixel noise calls this, and a closure per value is 4x slower.
 */
export function randomUint16s(seed: number, count: number): Uint16Array {
  const out = new Uint16Array(count);
  let a = seed >>> 0;
  for (let i = 0; i < count; i++) {
    a = (a + MULBERRY_STEP) >>> 0;
    out[i] = mix32(a) >>> 16;
  }
  return out;
}

export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + MULBERRY_STEP) >>> 0;
    return mix32(a) / 4294967296;
  };
  return {
    next,
    range: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor((hi - lo + 1) * next()),
    pick: (items) => items[Math.floor(items.length * next())],
    chance: (p) => next() < p,
    normal: () => {
      const u = 1 - next(); // (0, 1]: log stays finite
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}

/**
 * A smooth random function of one variable (sum of a few seeded sinusoids), in about [-1, 1].
 * Used for lateral wobble and yaw jitter so they depend on position, not on time.
 */
export function smoothNoise(seed: number, wavelengths: readonly number[]): (x: number) => number {
  const rng = createRandom(seed);
  const terms = wavelengths.map((w) => ({ k: (2 * Math.PI) / w, phase: rng.range(0, 2 * Math.PI) }));
  const scale = 1 / Math.sqrt(terms.length / 2);
  return (x) => {
    let sum = 0;
    for (const t of terms) sum += Math.sin(t.k * x + t.phase);
    return Math.max(-1, Math.min(1, (sum * scale) / 2));
  };
}
