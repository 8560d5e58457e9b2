// Optional local features of map frames, for patch-level re-ranking: per frame, the patch model's
// grid of unit cell vectors quantised to int8 (value * 127, rounded). Int8 because a 100k-frame map
// must stay small: a 16 x 8 grid of 32 values is 4 KiB per frame (the frame descriptor is 12 KiB).
// Frames added without local features hold a zero grid, which the re-ranker treats as "no evidence",
// so a map stays usable when a pipeline without re-ranking extends it.
import { z } from 'zod';
import { DescriptorError } from '../core/errors.js';

export const patchInfoSchema = z
  .object({
    /** The patch model that made the features (its id and hash, like the frame encoder's). */
    encoder: z.object({ id: z.string().min(1), hash: z.string().min(1) }).strict(),
    cellsX: z.number().int().positive(),
    cellsY: z.number().int().positive(),
    dim: z.number().int().positive(),
  })
  .strict();

export type PatchInfo = z.infer<typeof patchInfoSchema>;

/** True when two maps' (or a map's and a pipeline's) patch features come from the same model and grid. */
export function samePatchInfo(a: PatchInfo, b: PatchInfo): boolean {
  return a.encoder.id === b.encoder.id && a.encoder.hash === b.encoder.hash && a.cellsX === b.cellsX && a.cellsY === b.cellsY && a.dim === b.dim;
}

/** Quantisation scale: unit-vector values in [-1, 1] to int8. */
export const PATCH_QUANT_SCALE = 127;

export class PatchStore {
  readonly rowBytes: number;
  private buf: Int8Array;
  private count: number;

  constructor(
    readonly info: PatchInfo,
    initial?: Int8Array,
  ) {
    this.rowBytes = info.cellsX * info.cellsY * info.dim;
    if (initial && initial.length % this.rowBytes !== 0) {
      throw new DescriptorError(`patch data has ${initial.length} bytes, not a multiple of ${this.rowBytes} per frame`);
    }
    this.buf = initial ?? new Int8Array(16 * this.rowBytes);
    this.count = initial ? initial.length / this.rowBytes : 0;
  }

  get shape(): { cellsX: number; cellsY: number; dim: number } {
    return { cellsX: this.info.cellsX, cellsY: this.info.cellsY, dim: this.info.dim };
  }

  get rows(): number {
    return this.count;
  }

  /** Appends one frame's cells (floats in [-1, 1], cell-major), or a zero grid when undefined. */
  append(cells: Float32Array | undefined): number {
    if (cells && cells.length !== this.rowBytes) {
      throw new DescriptorError(`patch grid has ${cells.length} values, this map stores ${this.rowBytes} per frame`);
    }
    if ((this.count + 1) * this.rowBytes > this.buf.length) {
      const next = new Int8Array(Math.max(2 * this.buf.length, (this.count + 1) * this.rowBytes));
      next.set(this.buf.subarray(0, this.count * this.rowBytes));
      this.buf = next;
    }
    const base = this.count * this.rowBytes;
    if (cells) {
      for (let i = 0; i < cells.length; i++) {
        const v = Math.round(cells[i] * PATCH_QUANT_SCALE);
        // NaN (a broken model) stores 0: no evidence rather than garbage.
        this.buf[base + i] = v > 127 ? 127 : v < -127 ? -127 : v === v ? v : 0;
      }
    }
    return this.count++;
  }

  /** Frame `index`'s cells (a view), or undefined past the end. */
  row(index: number): Int8Array | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.buf.subarray(index * this.rowBytes, (index + 1) * this.rowBytes);
  }

  /** Every row written so far (a view), e.g. to save. */
  data(): Int8Array {
    return this.buf.subarray(0, this.count * this.rowBytes);
  }
}
