// The soak test's synthetic world: a route of places, each a seeded grey pattern in 2 x 2 pixel
// blocks (as test/support/synthetic-images.ts draws them), seen by a map run in even light and by a
// query run under slowly changing light with per-frame noise. The query run is recorded as a real
// ROS 2 bag (raw mono8 sensor_msgs/Image), so a replay reads it through the bag path, frame by frame.
import type { Frame, RawImage } from '../src/core/types.js';
import { nsToStamp } from '../src/bag/stamp.js';
import { McapBagWriter } from '../src/bag/writer.js';
import { bagFrames } from '../src/sources/bag.js';
import { mulberry32 } from '../test/support/random-unit-vectors.js';

export const WIDTH = 64;
export const HEIGHT = 32;
export const IMAGE_TOPIC = '/camera/image_raw';
export const T0 = 1_700_000_000_000_000_000n;
export const PERIOD_NS = 100_000_000n;


export interface Light {
  gain: number;
  offset: number;
  /** Amplitude of uniform per-pixel noise. */
  noise: number;
  seed: number;
}

/** Place `place` as mono8 pixels under `light`. */
export function placePixels(place: number, light: Light): Uint8Array {
  const base = mulberry32(1000 + place);
  const blocks = Array.from({ length: (WIDTH / 2) * (HEIGHT / 2) }, () => 40 + 175 * base());
  const noise = mulberry32(light.seed);
  const px = new Uint8Array(WIDTH * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const v = light.gain * blocks[(y >> 1) * (WIDTH / 2) + (x >> 1)] + light.offset + light.noise * (noise() - 0.5);
      px[y * WIDTH + x] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
  return px;
}

function mono8(data: Uint8Array): RawImage {
  return { kind: 'raw', width: WIDTH, height: HEIGHT, encoding: 'mono8', step: WIDTH, isBigEndian: false, data };
}

/** The map run: one frame per place, in even light. */
export async function* mapRun(places: number): AsyncGenerator<Frame> {
  for (let p = 0; p < places; p++) {
    yield { index: p, stamp: T0 - 3600n * 1_000_000_000n + BigInt(p) * PERIOD_NS, frameId: 'camera', image: mono8(placePixels(p, { gain: 1, offset: 0, noise: 6, seed: p + 1 })), source: `map#${p}` };
  }
}

/** Query frame i sees place i % places, in light that drifts slowly over the run. */
export function queryPixels(i: number, places: number): Uint8Array {
  const phase = (2 * Math.PI * i) / 1500;
  return placePixels(i % places, { gain: 0.85 + 0.1 * Math.sin(phase), offset: 15 + 10 * Math.cos(phase), noise: 12, seed: 5000 + i });
}

/** Records `frames` query frames at 10 Hz as an MCAP bag in `dir` (which must not exist). */
export async function writeQueryBag(dir: string, frames: number, places: number): Promise<void> {
  const writer = await McapBagWriter.create(dir);
  try {
    await writer.addTopic(IMAGE_TOPIC, 'sensor_msgs/msg/Image', 'sensor_data');
    for (let i = 0; i < frames; i++) {
      const stamp = T0 + BigInt(i) * PERIOD_NS;
      await writer.write(IMAGE_TOPIC, stamp, {
        header: { stamp: nsToStamp(stamp), frame_id: 'camera' },
        height: HEIGHT,
        width: WIDTH,
        encoding: 'mono8',
        is_bigendian: 0,
        step: WIDTH,
        data: queryPixels(i, places),
      });
    }
    await writer.close();
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

/**
 * `total` frames read from the bag through the bag source, replaying it from the start whenever it
 * ends (as a bag played in a loop): indices count on, stamps move on by the bag's length each pass.
 */
export async function* loopedBagFrames(bag: string, bagFramesCount: number, total: number): AsyncGenerator<Frame & { bagIndex: number }> {
  let index = 0;
  for (let pass = 0; index < total; pass++) {
    const shift = BigInt(pass * bagFramesCount) * PERIOD_NS;
    let read = 0;
    for await (const frame of bagFrames(bag, { imageTopic: IMAGE_TOPIC, warn: (m) => process.stderr.write(`soak: ${m}\n`) })) {
      yield { ...frame, index, stamp: frame.stamp + shift, source: `${frame.source}@${pass}`, bagIndex: frame.index };
      read++;
      if (++index >= total) return;
    }
    if (read === 0) throw new Error(`${bag} holds no frames on ${IMAGE_TOPIC}`);
  }
}
