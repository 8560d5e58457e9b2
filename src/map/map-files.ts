// The byte formats of a map directory's data files. Descriptors are raw little-endian float32
// (rows x dim) so other tools (numpy.fromfile) read them directly; frame metadata is JSON Lines with
// stamps as decimal strings, because bigint nanoseconds do not survive a JSON number.
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { z } from 'zod';
import type { MapFrameMeta } from '../core/types.js';
import { MapFormatError } from '../core/errors.js';

export const MAP_FILES = {
  manifest: 'manifest.json',
  frameDescriptors: 'frames.f32',
  frameMeta: 'frames.jsonl',
  frameIndex: 'frames.hnsw',
  sequenceDescriptors: 'sequences.f32',
  sequenceEnds: 'sequence-ends.i32',
  sequenceIndex: 'sequences.hnsw',
  patches: 'patches.i8',
} as const;

// Typed arrays use the host's byte order; the files are little-endian by definition.
function assertLittleEndianHost(): void {
  if (endianness() !== 'LE') throw new MapFormatError('map files are little-endian; big-endian hosts are not supported');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bytes of a typed array (a view, no copy). */
export function typedArrayBytes(values: Float32Array | Int32Array | Int8Array): Uint8Array {
  assertLittleEndianHost();
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Reinterprets file bytes as float32 (copying only when the buffer is not 4-byte aligned). */
export function bytesToFloat32(bytes: Uint8Array): Float32Array {
  assertLittleEndianHost();
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new Float32Array(new Uint8Array(bytes).buffer);
}

export function bytesToInt32(bytes: Uint8Array): Int32Array {
  assertLittleEndianHost();
  if (bytes.byteOffset % 4 === 0) return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new Int32Array(new Uint8Array(bytes).buffer);
}

const xyz = { x: z.number(), y: z.number(), z: z.number() };
const frameLineSchema = z
  .object({
    index: z.number().int().nonnegative(),
    stamp: z.string().regex(/^\d+$/, 'must be a decimal string of nanoseconds'),
    pose: z
      .object({
        position: z.object(xyz).strict(),
        orientation: z.object({ ...xyz, w: z.number() }).strict(),
      })
      .strict()
      .optional(),
    source: z.string().optional(),
  })
  .strict();

/** One JSON object per line: {"index":0,"stamp":"1700000000000000000","pose":{...},"source":"..."}. */
export function encodeFrameMeta(frames: readonly MapFrameMeta[]): Uint8Array {
  let text = '';
  for (const f of frames) {
    text += JSON.stringify({ index: f.index, stamp: f.stamp.toString(), pose: f.pose, source: f.source }) + '\n';
  }
  return Buffer.from(text, 'utf8');
}

export function decodeFrameMeta(bytes: Uint8Array, where: string): MapFrameMeta[] {
  const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, i) => {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new MapFormatError(`${where} line ${i + 1} is not valid JSON (${(e as Error).message}); rebuild the map`);
    }
    const parsed = frameLineSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MapFormatError(`${where} line ${i + 1}: ${issue.path.join('.') || '(line)'}: ${issue.message}`);
    }
    const { index, stamp, pose, source } = parsed.data;
    const meta: MapFrameMeta = { index, stamp: BigInt(stamp) };
    if (pose) meta.pose = pose;
    if (source !== undefined) meta.source = source;
    return meta;
  });
}
