// Appearance conditions: how the same world looks in daylight, at dusk, at night and in winter. A condition
// changes palettes (sky, ground, road), global lighting (gain, tint, sun contrast), fog, snow
// cover and lit windows/lamps, and the camera's noise, as seasons and times of day do.
import { ConfigError } from '../core/errors.js';
import type { Rgb } from './world.js';

export type AppearanceName = 'day' | 'dusk' | 'winter' | 'night';
export const APPEARANCE_NAMES: readonly AppearanceName[] = ['day', 'dusk', 'winter', 'night'];

export interface Appearance {
  name: AppearanceName;
  skyTop: Rgb;
  skyHorizon: Rgb;
  groundFar: Rgb;
  groundNear: Rgb;
  road: Rgb;
  /** Road paint; markings whose wear is above `markingVisibility` are not drawn (worn or snowed over). */
  marking: Rgb;
  markingVisibility: number;
  hillsFar: Rgb;
  hillsNear: Rgb;
  fog: Rgb;
  /** Distance at which 63% of a colour has turned to fog. */
  fogDistanceM: number;
  /** Multiplies every scene colour (before fog): overall light level. */
  gain: number;
  /** Per-channel multiplier: the light's colour. */
  tint: Rgb;
  /** How much faces turned away from the sun darken (0: overcast, flat light). */
  sunContrast: number;
  /** Direction the sunlight comes from (radians, world frame). */
  sunYaw: number;
  /** Snow on the ground, roofs, conifers and hedges; deciduous trees are bare. */
  snow: boolean;
  /** Windows and street lamps lit. */
  lights: boolean;
  /** Std of per-pixel sensor noise, in 8-bit levels. */
  noiseStd: number;
  /** Std of the per-frame exposure gain (auto-exposure flicker), as a fraction. */
  exposureJitter: number;
}

export const APPEARANCES: Readonly<Record<AppearanceName, Appearance>> = {
  day: {
    name: 'day',
    skyTop: [70, 130, 205],
    skyHorizon: [190, 220, 240],
    groundFar: [120, 150, 85],
    groundNear: [80, 125, 50],
    road: [105, 105, 108],
    marking: [240, 240, 235],
    markingVisibility: 0.95,
    hillsFar: [120, 145, 175],
    hillsNear: [75, 115, 70],
    fog: [200, 220, 235],
    fogDistanceM: 260,
    gain: 1,
    tint: [1, 1, 1],
    sunContrast: 0.35,
    sunYaw: 0.8,
    snow: false,
    lights: false,
    noiseStd: 2,
    exposureJitter: 0.02,
  },
  dusk: {
    name: 'dusk',
    skyTop: [40, 40, 95],
    skyHorizon: [245, 150, 90],
    groundFar: [70, 70, 60],
    groundNear: [40, 50, 35],
    road: [60, 58, 62],
    marking: [200, 190, 170],
    markingVisibility: 0.9,
    hillsFar: [90, 70, 110],
    hillsNear: [45, 45, 60],
    fog: [150, 110, 110],
    fogDistanceM: 150,
    gain: 0.55,
    tint: [1.15, 0.9, 0.85],
    sunContrast: 0.15,
    sunYaw: 3.6,
    snow: false,
    lights: true,
    noiseStd: 5,
    exposureJitter: 0.05,
  },
  winter: {
    name: 'winter',
    skyTop: [160, 172, 188],
    skyHorizon: [220, 225, 230],
    groundFar: [215, 220, 228],
    groundNear: [235, 238, 242],
    road: [125, 128, 134],
    marking: [225, 228, 232],
    markingVisibility: 0.45,
    hillsFar: [190, 198, 210],
    hillsNear: [165, 175, 185],
    fog: [215, 220, 226],
    fogDistanceM: 70,
    gain: 0.92,
    tint: [0.95, 0.98, 1.08],
    sunContrast: 0.1,
    sunYaw: 2.2,
    snow: true,
    lights: false,
    noiseStd: 3,
    exposureJitter: 0.03,
  },
  // Night: little light (a fifth of daylight, bluish), everything fades into the dark within a few
  // tens of metres, lamps and windows lit, and a noisy, flickering high-gain camera.
  night: {
    name: 'night',
    skyTop: [5, 8, 20],
    skyHorizon: [25, 30, 50],
    groundFar: [30, 35, 30],
    groundNear: [45, 55, 40],
    road: [50, 50, 55],
    marking: [170, 170, 160],
    markingVisibility: 0.95,
    hillsFar: [15, 18, 30],
    hillsNear: [20, 25, 25],
    fog: [10, 12, 22],
    fogDistanceM: 45,
    gain: 0.22,
    tint: [0.85, 0.95, 1.2],
    sunContrast: 0,
    sunYaw: 0,
    snow: false,
    lights: true,
    noiseStd: 7,
    exposureJitter: 0.08,
  },
};

export function appearanceByName(name: string): Appearance {
  const a = (APPEARANCES as Record<string, Appearance | undefined>)[name];
  if (!a) throw new ConfigError(`unknown demo appearance "${name}": use one of ${APPEARANCE_NAMES.join(', ')}`);
  return a;
}

/** Snow cover colour before lighting. */
export const SNOW: Rgb = [240, 243, 248];

/**
 * The colour a surface of base colour `rgb` shows at `depthM` metres: lit (gain, tint, sun shading
 * `shade` in [0, 1] where 1 faces the sun), then mixed with fog by distance. Clamped to 0..255.
 */
export function shadeColor(rgb: Rgb, a: Appearance, depthM: number, shade = 1): Rgb {
  const light = a.gain * (1 - a.sunContrast * (1 - shade));
  const fog = 1 - Math.exp(-Math.max(depthM, 0) / a.fogDistanceM);
  return [0, 1, 2].map((c) => {
    const lit = rgb[c] * light * a.tint[c];
    return Math.max(0, Math.min(255, lit + (a.fog[c] * a.gain - lit) * fog));
  }) as unknown as Rgb;
}

/** Lights (windows, lamps) emit: they keep their colour and only take fog. */
export function emitColor(rgb: Rgb, a: Appearance, depthM: number): Rgb {
  const fog = 1 - Math.exp(-Math.max(depthM, 0) / a.fogDistanceM);
  return [0, 1, 2].map((c) => rgb[c] + (a.fog[c] * a.gain - rgb[c]) * fog) as unknown as Rgb;
}

export function hex(rgb: Rgb): string {
  return '#' + rgb.map((v) => Math.round(Math.max(0, Math.min(255, v))).toString(16).padStart(2, '0')).join('');
}
