// Rasterises a scene (SVG -> pixels with sharp), then plays the camera: per-frame exposure flicker and
// Gaussian sensor noise, seeded by the frame so any frame renders the same bytes alone or in a run.
import sharp from 'sharp';
import type { Appearance } from './appearance.js';
import { createRandom, mixSeed, randomUint16s } from '../core/random.js';
import { DEFAULT_CAMERA, sceneSvg, type CameraModel, type CameraPose } from './scene.js';
import type { World } from './world.js';

/** Normal deviates drawn once and picked at random (16-bit index) per pixel: far cheaper than Box-Muller per pixel. */
const NOISE_TABLE_SIZE = 1 << 16;
let table: Float32Array | undefined;
function gaussianTable(): Float32Array {
  if (!table) {
    const rng = createRandom(0x5eed);
    table = Float32Array.from({ length: NOISE_TABLE_SIZE }, () => rng.normal());
  }
  return table;
}

export interface RenderOptions {
  camera?: CameraModel;
  /** Seeds the sensor noise of this frame (e.g. mixSeed(worldSeed, run, frameIndex)). */
  noiseSeed?: number;
}

export interface RgbFrame {
  width: number;
  height: number;
  /** Packed RGB, row-major. */
  data: Uint8Array;
}

/** The noisy RGB pixels the camera sees at `pose`. */
export async function renderPixels(world: World, pose: CameraPose, look: Appearance, options: RenderOptions = {}): Promise<RgbFrame> {
  const camera = options.camera ?? DEFAULT_CAMERA;
  const svg = sceneSvg(world, pose, look, camera);
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const rng = createRandom(options.noiseSeed ?? 0);
  const exposure = 1 + look.exposureJitter * rng.normal();
  const normals = gaussianTable();
  const picks = randomUint16s(mixSeed(options.noiseSeed ?? 0, 1), data.length);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] * exposure + look.noiseStd * normals[picks[i]] + 0.5;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v; // Uint8Array truncates: +0.5 rounds
  }
  return { width: info.width, height: info.height, data: out };
}

/** Encodes RGB pixels as a baseline JPEG, as a camera driver's image_transport would. */
export async function encodeJpeg(frame: RgbFrame, quality = 85): Promise<Uint8Array> {
  const buf = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0' })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Renders the view at `pose` and returns its JPEG bytes. */
export async function renderJpeg(world: World, pose: CameraPose, look: Appearance, options: RenderOptions & { quality?: number } = {}): Promise<Uint8Array> {
  return encodeJpeg(await renderPixels(world, pose, look, options), options.quality);
}
