// Small synthetic PNG "places" for pipeline tests: each place is a seeded grey noise pattern in
// 2 x 2 pixel blocks (so a 2x downscale keeps it), optionally seen under other lighting.
import sharp from 'sharp';
import { mulberry32 } from './random-unit-vectors.js';

export interface Lighting {
  /** Pixel = gain * base + offset (+ noise), clamped to 0..255. */
  gain: number;
  offset: number;
  /** Amplitude of per-pixel noise added on top (0 = none). */
  noise: number;
  /** Seed of that noise. */
  noiseSeed: number;
}

const SAME_LIGHT: Lighting = { gain: 1, offset: 0, noise: 0, noiseSeed: 0 };

/** Writes place `place`'s pattern as a width x height grey PNG. */
export async function writePlacePng(file: string, place: number, width = 64, height = 32, light: Lighting = SAME_LIGHT): Promise<void> {
  const base = mulberry32(1000 + place);
  const blocks = Array.from({ length: (width / 2) * (height / 2) }, () => 40 + 175 * base());
  const noise = mulberry32(light.noiseSeed);
  const px = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = light.gain * blocks[(y >> 1) * (width / 2) + (x >> 1)] + light.offset + light.noise * (noise() - 0.5);
      px[y * width + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  await sharp(px, { raw: { width, height, channels: 1 } }).png().toFile(file);
}
