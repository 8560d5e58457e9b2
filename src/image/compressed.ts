// Which codec a sensor_msgs/CompressedImage really holds. ROS format strings vary by publisher
// ("jpeg", "png", "rgb8; jpeg compressed bgr8", ...) and are sometimes wrong, so the bytes decide.
import { ImageDecodeError } from '../core/errors.js';
import type { CompressedImage } from '../core/types.js';

export type CompressedCodec = 'png' | 'jpeg';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

const startsWith = (bytes: Uint8Array, magic: readonly number[]): boolean =>
  bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);

/** The codec named by the leading magic number, or undefined when it is neither PNG nor JPEG. */
export function sniffCodec(bytes: Uint8Array): CompressedCodec | undefined {
  if (startsWith(bytes, PNG_MAGIC)) return 'png';
  if (startsWith(bytes, JPEG_MAGIC)) return 'jpeg';
  return undefined;
}

/** The codec of a CompressedImage, from its bytes; throws ImageDecodeError when it has none we read. */
export function compressedCodec(image: CompressedImage): CompressedCodec {
  const codec = sniffCodec(image.data);
  if (codec) return codec;
  if (image.data.length === 0) throw new ImageDecodeError(`compressed image (format "${image.format}") is empty`);
  const head = Array.from(image.data.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const hint = /compresseddepth/i.test(image.format)
    ? '; compressedDepth (depth-image) messages are not supported: subscribe to a colour or grey image topic'
    : '';
  throw new ImageDecodeError(
    `compressed image (format "${image.format}") is neither PNG nor JPEG: it starts with bytes ${head}${hint}`,
  );
}
