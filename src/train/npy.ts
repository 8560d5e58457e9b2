// NumPy .npy files of float32 matrices, the exchange format of the training tools (numpy.load reads
// what we write; we read what numpy.save writes). Format: magic "\x93NUMPY", version, a
// little-endian header length, a Python dict literal header padded with spaces to a multiple of 64
// bytes and ended by '\n', then the raw C-order data.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DescriptorError } from '../core/errors.js';
import { DescriptorMatrix } from '../core/matrix.js';

const MAGIC = Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const ALIGN = 64;
const PREAMBLE_V1 = 10; // magic 6 + version 2 + uint16 header length 2

/** The header dict numpy writes for a C-order little-endian float32 array of `shape`. */
function headerDict(shape: readonly number[]): string {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  return `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
}

/** The v1.0 preamble + header, padded so the data starts on a 64-byte boundary (`minLength` pads further). */
export function npyHeader(shape: readonly number[], minLength = 0): Uint8Array {
  const dict = headerDict(shape);
  let total = PREAMBLE_V1 + dict.length + 1;
  total = Math.max(total, minLength);
  total = Math.ceil(total / ALIGN) * ALIGN;
  const headerLength = total - PREAMBLE_V1;
  if (headerLength > 0xffff) throw new DescriptorError(`npy header of ${headerLength} bytes does not fit format 1.0`);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = headerLength & 0xff;
  out[9] = headerLength >> 8;
  const text = dict.padEnd(headerLength - 1, ' ') + '\n';
  out.set(new TextEncoder().encode(text), PREAMBLE_V1);
  return out;
}

/** Serialises a float32 array of any shape (C order) as .npy bytes. */
export function encodeNpy(shape: readonly number[], data: Float32Array): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new DescriptorError(`npy shape (${shape.join(', ')}) needs ${count} values, got ${data.length}`);
  const header = npyHeader(shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length);
  return out;
}

/** Reads a float .npy file of any shape. */
export async function readNpy(file: string): Promise<NpyArray> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new DescriptorError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return decodeNpy(bytes, file);
}

export interface NpyArray {
  shape: number[];
  /** Values in C order, converted to float32 when the file holds float64. */
  data: Float32Array;
}

/** Parses .npy bytes holding a float32 or float64 array (either byte order, C or Fortran order). */
export function decodeNpy(bytes: Uint8Array, file = 'npy data'): NpyArray {
  const bad = (what: string): DescriptorError => new DescriptorError(`${file} is not a float .npy array: ${what}; write it with numpy.save(file, x.astype(numpy.float32))`);
  if (bytes.length < PREAMBLE_V1 || !MAGIC.every((b, i) => bytes[i] === b)) throw bad('the magic "\\x93NUMPY" is missing');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw bad('the header is truncated');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw bad(`format version ${major}.${bytes[7]} is unknown`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw bad('the header is truncated');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw bad(`cannot parse the header ${JSON.stringify(header.trim())}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d+L?$/.test(s)) throw bad(`shape entry "${s}" is not a whole number`);
      return Number.parseInt(s, 10);
    });
  const kind = /^([<>|=])?f([48])$/.exec(descr);
  if (!kind) throw bad(`dtype "${descr}" is not float32 or float64`);
  const size = kind[2] === '4' ? 4 : 8;
  const littleEndian = kind[1] !== '>';
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - dataStart < count * size) {
    throw bad(`it holds ${bytes.length - dataStart} data bytes, shape (${shape.join(', ')}) needs ${count * size} (truncated file?)`);
  }
  let data: Float32Array;
  if (size === 4 && littleEndian && (bytes.byteOffset + dataStart) % 4 === 0) {
    data = new Float32Array(bytes.buffer, bytes.byteOffset + dataStart, count).slice();
  } else {
    data = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      data[i] = size === 4 ? view.getFloat32(dataStart + i * 4, littleEndian) : view.getFloat64(dataStart + i * 8, littleEndian);
    }
  }
  if (fortran === 'True' && shape.length > 1) data = fortranToC(data, shape);
  return { shape, data };
}

/** Reorders column-major data of `shape` into row-major order. */
function fortranToC(data: Float32Array, shape: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  const n = shape.length;
  const index = new Array<number>(n).fill(0);
  // Walk the C-order output; keep the matching Fortran offset.
  const fStride = new Array<number>(n);
  fStride[0] = 1;
  for (let d = 1; d < n; d++) fStride[d] = fStride[d - 1] * shape[d - 1];
  for (let i = 0; i < out.length; i++) {
    let f = 0;
    for (let d = 0; d < n; d++) f += index[d] * fStride[d];
    out[i] = data[f];
    for (let d = n - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/** Reads a 2-D float .npy file as a descriptor matrix (a 1-D file is one column). */
export async function readNpyMatrix(file: string): Promise<DescriptorMatrix> {
  const { shape, data } = await readNpy(file);
  if (shape.length === 1) return new DescriptorMatrix(shape[0], 1, data);
  if (shape.length !== 2) {
    throw new DescriptorError(`${file} holds an array of shape (${shape.join(', ')}); descriptors must be 2-D [frames, dim]`);
  }
  return new DescriptorMatrix(shape[0], shape[1], data);
}

/** Writes a matrix as .npy atomically (temp file, fsync, rename). */
export async function writeNpyMatrix(file: string, matrix: DescriptorMatrix): Promise<void> {
  const writer = await NpyRowWriter.create(file, matrix.dim);
  try {
    await writer.append(matrix.data);
    await writer.finish();
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

/**
 * Streams rows of a float32 matrix into a .npy file whose row count is known only at the end: the
 * header is written with room for any row count and rewritten (same length) by `finish`, which then
 * flushes and renames the temp file into place. Until then `file` is untouched.
 */
export class NpyRowWriter {
  private rows = 0;
  private position: number;

  private constructor(
    readonly file: string,
    readonly dim: number,
    private readonly tmp: string,
    private readonly handle: FileHandle,
    private readonly headerLength: number,
  ) {
    this.position = headerLength;
  }

  static async create(file: string, dim: number): Promise<NpyRowWriter> {
    if (!Number.isInteger(dim) || dim < 1) throw new DescriptorError(`npy rows need a positive dimension, got ${dim}`);
    await mkdir(dirname(file), { recursive: true });
    const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    const handle = await open(tmp, 'wx');
    // Room for a 15-digit row count: the final header is padded to exactly this length.
    const header = npyHeader([1e15, dim]);
    await handle.write(header, 0, header.length, 0);
    return new NpyRowWriter(file, dim, tmp, handle, header.length);
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Appends whole rows (values.length must be a multiple of dim). */
  async append(values: Float32Array): Promise<void> {
    if (values.length % this.dim !== 0) {
      throw new DescriptorError(`appending ${values.length} values to ${this.file}, not a multiple of the row length ${this.dim}`);
    }
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, this.position);
      done += bytesWritten;
      this.position += bytesWritten;
    }
    this.rows += values.length / this.dim;
  }

  /** Writes the final header, flushes, and moves the file into place. */
  async finish(): Promise<void> {
    const header = npyHeader([this.rows, this.dim], this.headerLength);
    if (header.length !== this.headerLength) throw new DescriptorError(`internal: npy header grew from ${this.headerLength} to ${header.length} bytes`);
    await this.handle.write(header, 0, header.length, 0);
    await this.handle.sync();
    await this.handle.close();
    await rename(this.tmp, this.file);
  }

  /** Closes and deletes the temp file (nothing is left behind). */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => {});
    await rm(this.tmp, { force: true });
  }
}
