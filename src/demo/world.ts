// The demo world: a route plus procedural scenery placed along it. The roadside is cut into stretches
// of 25-55 m, each side with its own theme (village, forest, field, industrial, park), so places
// differ, while repeated themes, palettes and evenly spaced street lamps give realistic aliasing.
// Everything is in world metres; colours are base (daylight) colours that appearances transform.
import { ConfigError } from '../core/errors.js';
import { createRandom, mixSeed, type Random } from '../core/random.js';
import { makeRoute, type Route } from './route.js';

export type Rgb = readonly [number, number, number];
export type Point2 = readonly [number, number];

export interface Tree {
  kind: 'tree';
  x: number;
  y: number;
  trunkHeightM: number;
  crownRadiusM: number;
  conifer: boolean;
  crown: Rgb;
}

export interface House {
  kind: 'house';
  x: number;
  y: number;
  /** Yaw of the house's local x axis (along the road). */
  yaw: number;
  /** Unit vector (in the house frame's y) pointing away from the road: +1 or -1 times the road's left normal. */
  awaySign: 1 | -1;
  widthM: number;
  depthM: number;
  wallHeightM: number;
  /** 0 for a flat roof (warehouses). */
  roofHeightM: number;
  wall: Rgb;
  roof: Rgb;
  floors: number;
  /** Window columns on the front wall. */
  windowColumns: number;
}

export interface Pole {
  kind: 'pole';
  x: number;
  y: number;
  heightM: number;
  lamp: boolean;
}

export interface Sign {
  kind: 'sign';
  x: number;
  y: number;
  shape: 'circle' | 'triangle' | 'square' | 'diamond';
  plate: Rgb;
  heightM: number;
}

export interface Billboard {
  kind: 'billboard';
  x: number;
  y: number;
  yaw: number;
  widthM: number;
  heightM: number;
  top: Rgb;
  bottom: Rgb;
}

export interface Bush {
  kind: 'bush';
  x: number;
  y: number;
  radiusM: number;
  color: Rgb;
}

/** A fence or hedge along a polyline beside the road. */
export interface Barrier {
  kind: 'fence' | 'hedge';
  points: Point2[];
  heightM: number;
  color: Rgb;
}

export type Landmark = Tree | House | Pole | Sign | Billboard | Bush | Barrier;

/** A flat quad on the road surface (dash, zebra stripe), corners in order. */
export interface Marking {
  corners: [Point2, Point2, Point2, Point2];
  /** Stable per-marking number in [0, 1): appearances hide some markings (worn paint, snow). */
  wear: number;
}

/** One sinusoid of a skyline at infinity: elevation (radians) as a function of bearing. */
export interface SkylineTerm {
  k: number;
  amp: number;
  phase: number;
}

export interface World {
  seed: number;
  route: Route;
  roadHalfWidthM: number;
  landmarks: Landmark[];
  markings: Marking[];
  /** Far mountains and nearer hills, both at infinity (no parallax), seen through fog. */
  skyline: { far: SkylineTerm[]; near: SkylineTerm[] };
}

export interface WorldOptions {
  seed?: number;
  /** Length of one lap of the route in metres (default 320). */
  routeLengthM?: number;
}

const ROAD_HALF_WIDTH_M = 3.5;
/** Nothing may stand closer than this to the centreline (the road plus a verge). */
const CLEARANCE_M = ROAD_HALF_WIDTH_M + 1.2;

type Theme = 'village' | 'forest' | 'field' | 'industrial' | 'park';
const THEMES: readonly Theme[] = ['village', 'forest', 'field', 'industrial', 'park'];

const WALLS: readonly Rgb[] = [[236, 226, 196], [214, 170, 120], [170, 196, 214], [190, 90, 70], [245, 245, 240], [150, 150, 150], [225, 200, 110]];
const ROOFS: readonly Rgb[] = [[160, 50, 40], [90, 60, 45], [70, 72, 80], [120, 40, 40]];
const SHEDS: readonly Rgb[] = [[120, 135, 150], [170, 170, 165], [70, 110, 150], [150, 80, 60]];
const LEAVES: readonly Rgb[] = [[70, 130, 50], [90, 150, 60], [60, 110, 45], [110, 150, 60]];
const NEEDLES: readonly Rgb[] = [[35, 85, 45], [45, 95, 55], [30, 75, 40]];
const PLATES: readonly { shape: Sign['shape']; plate: Rgb }[] = [
  { shape: 'circle', plate: [200, 30, 30] },
  { shape: 'triangle', plate: [240, 200, 30] },
  { shape: 'square', plate: [30, 90, 200] },
  { shape: 'diamond', plate: [240, 170, 20] },
  { shape: 'square', plate: [30, 140, 70] },
];
const ADVERTS: readonly Rgb[] = [[220, 40, 40], [40, 90, 220], [250, 210, 30], [30, 170, 90], [240, 240, 240], [140, 40, 160]];

/** Places landmarks relative to the route (arc length, lateral offset) and rejects any on the road. */
class Placer {
  readonly landmarks: Landmark[] = [];

  constructor(
    readonly route: Route,
    readonly rng: Random,
  ) {}

  /** World point at arc length s, `offset` metres to the left (negative: right). */
  at(s: number, offset: number): { x: number; y: number; yaw: number } {
    const p = this.route.pointAt(s);
    return { x: p.x - Math.sin(p.yaw) * offset, y: p.y + Math.cos(p.yaw) * offset, yaw: p.yaw };
  }

  clear(x: number, y: number, radius = 0): boolean {
    return this.route.distanceTo(x, y) >= CLEARANCE_M + radius;
  }

  add(l: Landmark, radius = 0): void {
    const points = 'points' in l ? l.points : [[l.x, l.y] as Point2];
    if (points.length > 0 && points.every(([x, y]) => this.clear(x, y, radius))) this.landmarks.push(l);
  }

  tree(s: number, offset: number, conifer: boolean): void {
    const { x, y } = this.at(s, offset);
    const r = this.rng;
    this.add(
      {
        kind: 'tree',
        x,
        y,
        conifer,
        trunkHeightM: conifer ? r.range(0.8, 1.5) : r.range(1.8, 3.2),
        crownRadiusM: conifer ? r.range(1.4, 2.4) : r.range(1.6, 3.2),
        crown: conifer ? r.pick(NEEDLES) : r.pick(LEAVES),
      },
      1,
    );
  }

  house(s: number, side: 1 | -1, offset: number, shed: boolean): void {
    const r = this.rng;
    const widthM = shed ? r.range(14, 24) : r.range(7, 11);
    const depthM = shed ? r.range(10, 16) : r.range(6, 9);
    const centre = this.at(s, side * (offset + depthM / 2));
    const floors = shed ? 1 : r.chance(0.4) ? 2 : 1;
    const house: House = {
      kind: 'house',
      x: centre.x,
      y: centre.y,
      yaw: centre.yaw,
      awaySign: side,
      widthM,
      depthM,
      wallHeightM: shed ? r.range(5, 7.5) : floors * 2.8 + 0.4,
      roofHeightM: shed ? 0 : r.range(2, 3.5),
      wall: shed ? r.pick(SHEDS) : r.pick(WALLS),
      roof: r.pick(ROOFS),
      floors,
      windowColumns: shed ? 0 : Math.max(2, Math.floor(widthM / 2.6)),
    };
    // The footprint's road-side corners must be off the road too.
    const near = [-1, 1].map((u) => this.at(s + (u * widthM) / 2, side * offset));
    if (near.every((p) => this.clear(p.x, p.y))) this.add(house, Math.min(widthM, depthM) / 2);
  }

  barrier(kind: 'fence' | 'hedge', s0: number, s1: number, offset: number, color: Rgb, heightM: number): void {
    const points: Point2[] = [];
    for (let s = s0; s <= s1; s += 2.5) {
      const p = this.at(s, offset);
      points.push([p.x, p.y]);
    }
    if (points.length >= 2) this.add({ kind, points, heightM, color });
  }
}

function furnishStretch(p: Placer, theme: Theme, s0: number, s1: number, side: 1 | -1): void {
  const r = p.rng;
  switch (theme) {
    case 'village':
      for (let s = s0 + r.range(2, 6); s < s1 - 4; s += r.range(13, 19)) {
        p.house(s, side, r.range(4, 8), false);
        if (r.chance(0.6)) p.tree(s + r.range(6, 8), side * r.range(5.5, 8), r.chance(0.3));
      }
      if (r.chance(0.5)) p.barrier('fence', s0 + 1, s1 - 1, side * 5, [245, 245, 240], 1.0);
      break;
    case 'forest':
      for (let s = s0; s < s1; s += r.range(2.5, 5)) {
        p.tree(s, side * r.range(5.5, 9), r.chance(0.75));
        if (r.chance(0.7)) p.tree(s + r.range(0, 3), side * r.range(10, 18), r.chance(0.8));
      }
      break;
    case 'field':
      p.barrier('fence', s0, s1, side * 5.5, [120, 85, 55], 1.2);
      for (let s = s0 + r.range(5, 15); s < s1; s += r.range(15, 30)) p.tree(s, side * r.range(14, 26), r.chance(0.3));
      break;
    case 'industrial':
      for (let s = s0 + r.range(8, 14); s < s1 - 8; s += r.range(24, 30)) p.house(s, side, r.range(7, 10), true);
      if (r.chance(0.6)) p.barrier('fence', s0, s1, side * 5.5, [150, 155, 160], 2.0);
      break;
    case 'park':
      for (let s = s0 + r.range(2, 6); s < s1; s += r.range(7, 12)) p.tree(s, side * r.range(6, 11), r.chance(0.15));
      p.barrier('hedge', s0 + 2, s1 - 2, side * 5.2, [50, 105, 45], r.range(1.0, 1.8));
      for (let s = s0; s < s1; s += r.range(6, 12)) {
        const q = p.at(s, side * r.range(12, 16));
        p.add({ kind: 'bush', x: q.x, y: q.y, radiusM: r.range(0.6, 1.2), color: r.pick(LEAVES) }, 1);
      }
      break;
  }
}

function roadMarkings(route: Route, rng: Random): Marking[] {
  const markings: Marking[] = [];
  const quad = (s0: number, s1: number, l0: number, l1: number): Marking['corners'] => {
    const corner = (s: number, l: number): Point2 => {
      const p = route.pointAt(s);
      return [p.x - Math.sin(p.yaw) * l, p.y + Math.cos(p.yaw) * l];
    };
    return [corner(s0, l0), corner(s1, l0), corner(s1, l1), corner(s0, l1)];
  };
  for (let s = 0; s + 3 < route.lengthM; s += 9) markings.push({ corners: quad(s, s + 3, -0.08, 0.08), wear: rng.next() });
  // Two zebra crossings: distinctive places.
  for (const at of [0.3, 0.72]) {
    const s = at * route.lengthM;
    for (let l = -3; l < 3; l += 1) markings.push({ corners: quad(s, s + 3, l + 0.1, l + 0.6), wear: rng.next() });
  }
  return markings;
}

function skylineTerms(rng: Random, ampRad: number): SkylineTerm[] {
  return [1, 2, 3, 5, 7, 11].map((k) => ({ k, amp: (ampRad * rng.range(0.4, 1)) / Math.sqrt(k), phase: rng.range(0, 2 * Math.PI) }));
}

export function makeWorld(options: WorldOptions = {}): World {
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0) throw new ConfigError(`world seed must be a non-negative integer, got ${seed}`);
  const route = makeRoute({ seed, lengthM: options.routeLengthM });
  const rng = createRandom(mixSeed(seed, 2));
  const placer = new Placer(route, rng);
  for (const side of [1, -1] as const) {
    let s = 0;
    while (s < route.lengthM - 10) {
      const s1 = Math.min(s + rng.range(25, 55), route.lengthM);
      furnishStretch(placer, rng.pick(THEMES), s, s1, side);
      s = s1;
    }
  }
  // Street lamps at a fixed spacing on the right (aliasing), signs and adverts as rare landmarks.
  for (let s = 5; s < route.lengthM; s += 30) {
    const q = placer.at(s, -4.8);
    placer.add({ kind: 'pole', x: q.x, y: q.y, heightM: 7, lamp: true });
  }
  for (let s = rng.range(10, 30); s < route.lengthM; s += rng.range(35, 70)) {
    const side = rng.chance(0.7) ? -1 : 1;
    const q = placer.at(s, side * 4.9);
    placer.add({ kind: 'sign', x: q.x, y: q.y, heightM: 2.2, ...rng.pick(PLATES) });
  }
  for (let s = rng.range(40, 80); s < route.lengthM; s += rng.range(90, 140)) {
    const side = rng.chance(0.5) ? -1 : 1;
    const q = placer.at(s, side * 8.5);
    const [top, bottom] = [rng.pick(ADVERTS), rng.pick(ADVERTS)];
    // Turned 35 degrees towards oncoming traffic, as roadside adverts are.
    placer.add({ kind: 'billboard', x: q.x, y: q.y, yaw: q.yaw + side * (Math.PI / 2 - 0.6), widthM: 5, heightM: 2.5, top, bottom }, 2.5);
  }
  return {
    seed,
    route,
    roadHalfWidthM: ROAD_HALF_WIDTH_M,
    landmarks: placer.landmarks,
    markings: roadMarkings(route, rng),
    skyline: { far: skylineTerms(rng, 0.09), near: skylineTerms(rng, 0.05) },
  };
}
