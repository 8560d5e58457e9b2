// Every ImageSource (file, CompressedImage, RawImage) -> a sharp pipeline, and running one with
// sharp's failures turned into ImageDecodeError (bad bytes must never crash the live node).
import { statSync } from 'node:fs';
import sharp, { type Sharp } from 'sharp';
import { ImageDecodeError } from '../core/errors.js';
import type { ImageSource } from '../core/types.js';
import { compressedCodec } from './compressed.js';
import type { Pixels } from './pixels.js';
import { rawToPixels } from './raw.js';

/** Short human-readable name of a source, for error messages. */
export function describeImageSource(source: ImageSource): string {
  switch (source.kind) {
    case 'file':
      return `image file ${source.path}`;
    case 'compressed':
      return `compressed image (format "${source.format}", ${source.data.length} bytes)`;
    case 'raw':
      return `raw ${source.encoding} image ${source.width}x${source.height}`;
  }
}

/**
 * A sharp pipeline reading the source (nothing is decoded until it runs). Raw images are converted
 * here, synchronously, so their layout errors surface at once.
 */
export function openImage(source: ImageSource): Sharp {
  try {
    switch (source.kind) {
      case 'file':
        return sharp(source.path);
      case 'compressed':
        compressedCodec(source);
        return sharp(source.data);
      case 'raw': {
        const px = rawToPixels(source);
        return sharp(px.data, { raw: { width: px.width, height: px.height, channels: px.channels } });
      }
    }
  } catch (e) {
    throw asDecodeError(e, source);
  }
}

/** Runs a pipeline to raw 8-bit pixels; any sharp failure becomes an ImageDecodeError naming the source. */
export async function runToPixels(pipeline: Sharp, source: ImageSource): Promise<Pixels> {
  try {
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 && info.channels !== 3) {
      throw new ImageDecodeError(`decoding produced ${info.channels} channels, expected 1 or 3`);
    }
    return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (e) {
    throw asDecodeError(e, source);
  }
}

/** Decodes a source at its own size to packed grey or RGB pixels (alpha dropped). */
export async function decodeImage(source: ImageSource, channels: 'rgb' | 'gray' = 'rgb'): Promise<Pixels> {
  return runToPixels(toChannels(openImage(source), channels), source);
}

/** Converts a pipeline's output to 1-channel grey or 3-channel sRGB, without alpha. */
export function toChannels(pipeline: Sharp, channels: 'rgb' | 'gray'): Sharp {
  return channels === 'gray' ? pipeline.grayscale().removeAlpha() : pipeline.removeAlpha().toColourspace('srgb');
}

function asDecodeError(e: unknown, source: ImageSource): ImageDecodeError {
  const what = describeImageSource(source);
  const message = oneLine((e as Error)?.message ?? String(e));
  if (e instanceof ImageDecodeError && message.includes(what)) return e;
  // sharp calls an empty file "unsupported image format"; say what is really wrong.
  if (source.kind === 'file' && fileSize(source.path) === 0) return new ImageDecodeError(`${what} is empty (0 bytes)`, { cause: e });
  return new ImageDecodeError(`cannot decode ${what}: ${message}`, { cause: e });
}

/** libvips reports one line per problem, repeats included; messages here are one line each. */
function oneLine(message: string): string {
  return [...new Set(message.split('\n').map((l) => l.trim()).filter(Boolean))].join('; ');
}

function fileSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}
