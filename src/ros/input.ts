// Incoming ROS messages -> seqvpr inputs, with every way they can be bad named by a reason the node
// counts and logs (rate-limited). Checks here are the cheap ones made on arrival; an image whose
// bytes cannot be decoded is found by the pipeline and counted as corrupt_image there.
import { COMPRESSED_IMAGE_TYPE, IMAGE_TYPE, imageFromMessage, poseFromOdometry, type Stamped } from '../bag/convert.js';
import { MalformedMessageError } from '../bag/errors.js';
import { ImageDecodeError, SeqvprError } from '../core/errors.js';
import type { CompressedImage, Pose, RawImage, StampNs } from '../core/types.js';
import { compressedCodec } from '../image/compressed.js';
import { SUPPORTED_RAW_ENCODINGS } from '../image/raw.js';

export const BAD_INPUT_REASONS = [
  'empty_image',
  'malformed_message',
  'unsupported_encoding',
  'corrupt_image',
  'out_of_order_stamp',
  'clock_jump_backwards',
  'malformed_odometry',
  'invalid_descriptor',
  'processing_error',
] as const;
export type BadInputReason = (typeof BAD_INPUT_REASONS)[number];

/** An input the node skips (or, for clock_jump_backwards, recovers from), with the reason it counts. */
export class BadInputError extends SeqvprError {
  constructor(
    readonly reason: BadInputReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const SUPPORTED_LOWER = new Set(SUPPORTED_RAW_ENCODINGS.map((e) => e.toLowerCase()));

function byteLength(data: unknown): number | undefined {
  if (data instanceof Uint8Array) return data.byteLength;
  if (Array.isArray(data)) return data.length;
  return undefined;
}

/** sensor_msgs/Image or CompressedImage (by `type`) -> a core image with its header; BadInputError otherwise. */
export function imageInput(type: typeof IMAGE_TYPE | typeof COMPRESSED_IMAGE_TYPE, message: unknown): Stamped<RawImage | CompressedImage> {
  const fields = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>;
  const bytes = byteLength(fields.data);
  if (type === IMAGE_TYPE && (fields.width === 0 || fields.height === 0 || bytes === 0)) {
    throw new BadInputError('empty_image', `${IMAGE_TYPE} is empty (${String(fields.width)}x${String(fields.height)}, ${bytes} bytes)`);
  }
  if (type === COMPRESSED_IMAGE_TYPE && bytes === 0) {
    throw new BadInputError('empty_image', `${COMPRESSED_IMAGE_TYPE} (format "${String(fields.format)}") has no data`);
  }
  if (type === IMAGE_TYPE && typeof fields.encoding === 'string' && !SUPPORTED_LOWER.has(fields.encoding.toLowerCase())) {
    throw new BadInputError(
      'unsupported_encoding',
      `image encoding "${fields.encoding}" is not supported; publish one of ${SUPPORTED_RAW_ENCODINGS.join(', ')} or a CompressedImage (set image_transport)`,
    );
  }
  let image: Stamped<RawImage | CompressedImage>;
  try {
    image = imageFromMessage(type, message)!;
    // A codec the bytes do not name (neither PNG nor JPEG) is refused before it reaches the encoder.
    if (image.value.kind === 'compressed') compressedCodec(image.value);
  } catch (e) {
    if (e instanceof MalformedMessageError) throw new BadInputError('malformed_message', e.message, { cause: e });
    if (e instanceof ImageDecodeError) throw new BadInputError('unsupported_encoding', e.message, { cause: e });
    throw e;
  }
  return image;
}

/** nav_msgs/Odometry -> stamped pose; BadInputError('malformed_odometry') when it lacks a usable pose. */
export function odometryInput(message: unknown): { stamp: StampNs; pose: Pose } {
  try {
    const p = poseFromOdometry(message);
    return { stamp: p.stamp, pose: p.value };
  } catch (e) {
    if (e instanceof MalformedMessageError) throw new BadInputError('malformed_odometry', e.message, { cause: e });
    throw e;
  }
}

/** What a frame's stamp means relative to the previous accepted frame's. */
export type StampVerdict = 'in_order' | 'out_of_order' | 'jumped_back';

/**
 * Stamps must increase. A stamp at most `jumpNs` behind the last one is a late (out-of-order)
 * frame and is skipped; one further behind means the clock itself went back (a bag replayed in a
 * loop, simulated time restarted, a camera clock reset): the caller starts over from it.
 */
export class StampGuard {
  private last: StampNs | undefined;

  constructor(private readonly jumpNs: bigint) {}

  check(stamp: StampNs): StampVerdict {
    const last = this.last;
    if (last === undefined || stamp > last) {
      this.last = stamp;
      return 'in_order';
    }
    if (last - stamp > this.jumpNs) {
      this.last = stamp;
      return 'jumped_back';
    }
    return 'out_of_order';
  }

  reset(): void {
    this.last = undefined;
  }
}
