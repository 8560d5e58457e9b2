// sensor_msgs/Image buffers (ROS encodings, row padding, endianness) -> packed 8-bit grey or RGB.
// Pure and synchronous so every encoding can be tested on hand-made pixels before sharp sees them.
import { ImageDecodeError } from '../core/errors.js';
import type { RawImage } from '../core/types.js';
import type { Pixels } from './pixels.js';

/** Converts one row of `width` pixels starting at src[srcOff] into dst[dstOff..]. */
type RowConverter = (src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, width: number, bigEndian: boolean) => void;

interface RawLayout {
  bytesPerPixel: number;
  channels: 1 | 3;
  /** 4:2:2 chroma covers two pixels, so the width must be even. */
  pixelPairs: boolean;
  convertRow: RowConverter;
}

const copyRow: RowConverter = (src, srcOff, dst, dstOff, width) => {
  dst.set(src.subarray(srcOff, srcOff + width), dstOff);
};

/** Rows of 3- or 4-byte pixels whose R, G, B bytes sit at offsets r, g, b. */
function colourRow(bytesPerPixel: number, r: number, g: number, b: number): RowConverter {
  return (src, srcOff, dst, dstOff, width) => {
    for (let x = 0, s = srcOff, d = dstOff; x < width; x++, s += bytesPerPixel, d += 3) {
      dst[d] = src[s + r];
      dst[d + 1] = src[s + g];
      dst[d + 2] = src[s + b];
    }
  };
}

/** 16-bit grey scaled to 8 bit over the full range (65535 -> 255), as cv_bridge's mono16 -> mono8 does. */
const mono16Row: RowConverter = (src, srcOff, dst, dstOff, width, bigEndian) => {
  for (let x = 0, s = srcOff; x < width; x++, s += 2) {
    const v = bigEndian ? (src[s] << 8) | src[s + 1] : src[s] | (src[s + 1] << 8);
    dst[dstOff + x] = Math.round(v / 257);
  }
};

const clampByte = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** BT.601 limited-range YUV -> RGB (the conversion OpenCV's COLOR_YUV2RGB_UYVY/YUYV uses). */
function writeYuvPixel(y: number, u: number, v: number, dst: Uint8Array, d: number): void {
  const c = 1.164 * (y - 16);
  const du = u - 128;
  const dv = v - 128;
  dst[d] = clampByte(c + 1.596 * dv);
  dst[d + 1] = clampByte(c - 0.813 * dv - 0.391 * du);
  dst[d + 2] = clampByte(c + 2.018 * du);
}

/** 4:2:2 rows: each 4-byte group holds two pixels; y0,u,y1,v are the byte offsets inside a group. */
function yuv422Row(y0: number, u: number, y1: number, v: number): RowConverter {
  return (src, srcOff, dst, dstOff, width) => {
    for (let x = 0, s = srcOff, d = dstOff; x < width; x += 2, s += 4, d += 6) {
      writeYuvPixel(src[s + y0], src[s + u], src[s + v], dst, d);
      writeYuvPixel(src[s + y1], src[s + u], src[s + v], dst, d + 3);
    }
  };
}

const RGB8: RawLayout = { bytesPerPixel: 3, channels: 3, pixelPairs: false, convertRow: colourRow(3, 0, 1, 2) };
const MONO8: RawLayout = { bytesPerPixel: 1, channels: 1, pixelPairs: false, convertRow: copyRow };
const MONO16: RawLayout = { bytesPerPixel: 2, channels: 1, pixelPairs: false, convertRow: mono16Row };
// ROS "yuv422" is UYVY (U Y0 V Y1); "yuv422_yuy2" is YUYV (Y0 U Y1 V).
const UYVY: RawLayout = { bytesPerPixel: 2, channels: 3, pixelPairs: true, convertRow: yuv422Row(1, 0, 3, 2) };
const YUYV: RawLayout = { bytesPerPixel: 2, channels: 3, pixelPairs: true, convertRow: yuv422Row(0, 1, 2, 3) };

/** Keyed by the ROS spelling; lookups ignore case. */
const LAYOUTS: Record<string, RawLayout> = {
  rgb8: RGB8,
  bgr8: { bytesPerPixel: 3, channels: 3, pixelPairs: false, convertRow: colourRow(3, 2, 1, 0) },
  rgba8: { bytesPerPixel: 4, channels: 3, pixelPairs: false, convertRow: colourRow(4, 0, 1, 2) },
  bgra8: { bytesPerPixel: 4, channels: 3, pixelPairs: false, convertRow: colourRow(4, 2, 1, 0) },
  mono8: MONO8,
  '8UC1': MONO8,
  mono16: MONO16,
  '16UC1': MONO16,
  yuv422: UYVY,
  uyvy: UYVY,
  yuv422_yuy2: YUYV,
  yuyv: YUYV,
};

/** The encodings rawToPixels accepts (as ROS spells them, aliases included). */
export const SUPPORTED_RAW_ENCODINGS: readonly string[] = Object.keys(LAYOUTS);
const LAYOUTS_BY_LOWER_NAME = new Map(Object.entries(LAYOUTS).map(([name, layout]) => [name.toLowerCase(), layout]));

/** Channels rawToPixels gives for `encoding` (1 grey, 3 RGB); undefined when it is not supported. */
export function rawChannels(encoding: string): 1 | 3 | undefined {
  return LAYOUTS_BY_LOWER_NAME.get(encoding.toLowerCase())?.channels;
}

/**
 * Converts a sensor_msgs/Image to packed 8-bit pixels: grey for mono8/mono16, RGB for everything
 * else (alpha dropped, BGR swapped, YUV 4:2:2 converted). Honours `step` (row padding) and
 * `isBigEndian` (mono16). Throws ImageDecodeError on any inconsistency instead of guessing.
 */
export function rawToPixels(image: RawImage): Pixels {
  const { width, height, step, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new ImageDecodeError(`raw image has an invalid size ${width}x${height}; width and height must be positive integers`);
  }
  const layout = LAYOUTS_BY_LOWER_NAME.get(image.encoding.toLowerCase());
  if (!layout) {
    throw new ImageDecodeError(
      `unsupported image encoding "${image.encoding}"; supported: ${SUPPORTED_RAW_ENCODINGS.join(', ')} ` +
        '(publish one of these, or a sensor_msgs/CompressedImage)',
    );
  }
  if (layout.pixelPairs && width % 2 !== 0) {
    throw new ImageDecodeError(`${image.encoding} image has odd width ${width}; 4:2:2 images need an even width`);
  }
  const rowBytes = width * layout.bytesPerPixel;
  if (!Number.isInteger(step) || step < rowBytes) {
    throw new ImageDecodeError(
      `raw image step ${step} is too small: ${width} px of ${image.encoding} need at least ${rowBytes} bytes per row`,
    );
  }
  const expected = step * height;
  if (data.length !== expected) {
    const what = data.length < expected ? 'truncated' : 'too long';
    throw new ImageDecodeError(
      `raw ${image.encoding} image data is ${what}: ${data.length} bytes, expected step * height = ${step} * ${height} = ${expected}`,
    );
  }
  const out = new Uint8Array(width * height * layout.channels);
  const outRow = width * layout.channels;
  for (let y = 0; y < height; y++) {
    layout.convertRow(data, y * step, out, y * outRow, width, image.isBigEndian);
  }
  return { width, height, channels: layout.channels, data: out };
}
