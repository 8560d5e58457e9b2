// The fast path for images smaller than the model input: decode without sharp where that is exact
// (8-bit PNG in a message or a file, raw pixels), then `upsample`, which gives sharp's bytes for
// power-of-two enlargements. For small images (nordland's 64x32 PNGs to the CNN's 256x128) sharp's
// decode and resize cost about 3 ms of CPU per frame, mostly per-call set-up; this path about
// 0.5 ms (fast-png 0.2, enlargement 0.24). PNG is lossless, so
// any correct decoder gives libpng's bytes for 8-bit images; anything else (JPEG, other bit depths,
// transparency, colour profiles, interlacing, other factors) is left to sharp.
import { open, type FileHandle } from 'node:fs/promises';
import { decode as decodePng } from 'fast-png';
import type { ImageSource, RawImage } from '../core/types.js';
import type { Pixels } from './pixels.js';
import { PNG_SIZE_BYTES, readPngHeader, readPngSize } from './png-header.js';
import { rawChannels, rawToPixels } from './raw.js';
import { canUpsample, upsample } from './upsample.js';

interface Size {
  width: number;
  height: number;
}

/** `px` (grey) as RGB, each grey value copied to the three channels, as sRGB conversion of grey does. */
function greyToRgb(px: Pixels): Pixels {
  const data = new Uint8Array(px.width * px.height * 3);
  for (let i = 0, o = 0; i < px.data.length; i++, o += 3) data[o] = data[o + 1] = data[o + 2] = px.data[i];
  return { ...px, channels: 3, data };
}

/** An 8-bit, non-interlaced grey or RGB PNG without transparency or profile, decoded; else undefined. */
function decodeSimplePng(bytes: Uint8Array, channels: 'rgb' | 'gray', size: Size): Pixels | undefined {
  const header = readPngHeader(bytes);
  if (!header || header.bitDepth !== 8 || header.interlaced || header.transparency || header.iccProfile) return undefined;
  const colourFits = header.colorType === 0 || (header.colorType === 2 && channels === 'rgb');
  if (!colourFits || !canUpsample(header, size)) return undefined;
  // fast-png inflates all of the image data, where libpng stops at the image's size: a file much
  // larger than its pixels (a decompression bomb, or big metadata) goes to sharp, so memory stays
  // bounded by deflate's 1032:1 ratio on a small input.
  const rawBytes = (header.width * (header.colorType === 2 ? 3 : 1) + 1) * header.height;
  if (bytes.length > 4 * rawBytes + 4096) return undefined;
  try {
    const png = decodePng(bytes, { checkCrc: true });
    const have = png.channels;
    const expected = png.width * png.height * have;
    if (png.depth !== 8 || (have !== 1 && have !== 3) || png.data.length !== expected) return undefined;
    return { width: png.width, height: png.height, channels: have, data: png.data as Uint8Array };
  } catch {
    // Damaged data: sharp decodes it or says what is wrong, as for any other image.
    return undefined;
  }
}

/** Damaged raw images go the sharp path too, whose errors name the source. */
function rawPixelsOrUndefined(source: RawImage): Pixels | undefined {
  try {
    return rawToPixels(source);
  } catch {
    return undefined;
  }
}

/**
 * A PNG file's bytes when its size can be enlarged to `size`; undefined otherwise or when it cannot
 * be read (sharp then reads it and reports why). Its size is read first, so a PNG that sharp will
 * resize anyway (the usual camera frame, larger than the model input) is not read twice.
 */
async function readSmallPngFile(path: string, size: Size): Promise<Uint8Array | undefined> {
  if (!/\.png$/i.test(path)) return undefined;
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    const head = new Uint8Array(PNG_SIZE_BYTES);
    await file.read(head, 0, PNG_SIZE_BYTES, 0);
    const own = readPngSize(head);
    return own && canUpsample(own, size) ? await file.readFile() : undefined;
  } catch {
    return undefined;
  } finally {
    await file?.close();
  }
}

async function decodeSmall(source: ImageSource, channels: 'rgb' | 'gray', size: Size): Promise<Pixels | undefined> {
  switch (source.kind) {
    case 'raw': {
      const have = rawChannels(source.encoding);
      const fits = have === 1 || (have === 3 && channels === 'rgb');
      return fits && canUpsample(source, size) ? rawPixelsOrUndefined(source) : undefined;
    }
    case 'compressed':
      return decodeSimplePng(source.data, channels, size);
    case 'file': {
      const bytes = await readSmallPngFile(source.path, size);
      return bytes && decodeSimplePng(bytes, channels, size);
    }
  }
}

/**
 * `source` decoded and enlarged to `size` with `channels`, exactly as sharp would do it; undefined
 * when this path does not apply (the caller then uses sharp).
 */
export async function enlargeExactly(source: ImageSource, channels: 'rgb' | 'gray', size: Size): Promise<Pixels | undefined> {
  const px = await decodeSmall(source, channels, size);
  if (!px) return undefined;
  const big = upsample(px, size.width, size.height);
  return channels === 'rgb' && big.channels === 1 ? greyToRgb(big) : big;
}
