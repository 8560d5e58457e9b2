// Where the benches find nordland64 (../shared/data/nordland64 unless --data says otherwise).
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { DescriptorMatrix } from '../src/core/matrix.js';
import type { Frame } from '../src/core/types.js';
import { imageFolderFrames } from '../src/sources/image-folder.js';
import { readDescriptorSet } from '../src/train/descriptor-set.js';
import { extractImageFolder, frameRange } from '../src/train/extract.js';

/** The two season folders under `data`; without them, one line on stderr and exit code 1. */
export function nordlandSeasons(data: string): { summer: string; winter: string } {
  const summer = path.join(data, 'summer');
  const winter = path.join(data, 'winter');
  if (!existsSync(summer) || !existsSync(winter)) {
    console.error(`nordland64 not found under ${data}; pass --data DIR`);
    process.exit(1);
  }
  return { summer, winter };
}

/**
 * The descriptors `configFile` gives frames start..end-1 of an image folder, played as a traversal of
 * its own (centring from its first frame): extracted once into outDir, then read back.
 */
export async function stretchDescriptors(configFile: string, dir: string, outDir: string, name: string, frames: { start: number; end: number }): Promise<DescriptorMatrix> {
  const npy = path.resolve(outDir, `${name}-${frames.start}-${frames.end}.npy`);
  if (!existsSync(npy)) await extractImageFolder(configFile, dir, npy, frames);
  return (await readDescriptorSet(npy)).matrix;
}

/**
 * A viewpoint change or illumination change applied to a query image file: `shift:f` crops a window
 * (1 - f) of the width, its left edge at f (the camera moved sideways and turned a little), and
 * scales it back; `dark:k` multiplies the light by k with a gamma of 1.5 (dusk, under-exposure).
 */
async function transformed(file: string, spec: string): Promise<Frame['image']> {
  const [kind, value] = spec.split(':');
  const f = Number(value);
  const img = sharp(file).removeAlpha();
  const { width, height } = await sharp(file).metadata();
  let pipeline = img;
  if (kind === 'shift') {
    const w = Math.round(width! * (1 - f));
    pipeline = img.extract({ left: width! - w, top: 0, width: w, height: height! }).resize(width!, height!, { fit: 'fill' });
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (kind === 'dark') {
    for (let i = 0; i < data.length; i++) data[i] = Math.round(255 * f * (data[i] / 255) ** 1.5);
  }
  return { kind: 'raw', width: info.width, height: info.height, encoding: 'rgb8', step: info.width * 3, isBigEndian: false, data: new Uint8Array(data) };
}

/** Frames start..end-1 of a season folder, re-indexed from 0, each transformed by `query` (none: as is). */
export async function* stretch(dir: string, start: number, end: number, query: string): AsyncGenerator<Frame> {
  let index = 0;
  for await (const frame of frameRange(imageFolderFrames(dir), start, end)) {
    const image = query === 'none' || frame.image.kind !== 'file' ? frame.image : await transformed(frame.image.path, query);
    yield { ...frame, image, index: index++ };
  }
}
