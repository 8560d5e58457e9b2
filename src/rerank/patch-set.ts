// Local features of one frame as the re-ranker uses them: the patch model's grid of cells (one unit
// vector per cell, cell-major) pooled into square patches of several sizes, like Patch-NetVLAD's
// patch sizes: every s x s window of cells (stride 1) is one patch, its vector the normalised sum of
// the cells' vectors, its position the window's centre in cell units.
export interface PatchGridShape {
  cellsX: number;
  cellsY: number;
  dim: number;
}
import { l2NormalizeInPlace } from '../core/vector.js';

/** The patches of one size: `count` unit vectors of `dim` values and their centres (cell units). */
export interface PatchSet {
  size: number;
  count: number;
  dim: number;
  vectors: Float32Array;
  x: Float32Array;
  y: Float32Array;
  /** Windows across (x) and down (y): count = cols * rows, row-major. */
  cols: number;
  rows: number;
}

/**
 * Pools a cell grid (Float32 from the model, or the map's Int8 copy: the scale cancels in the
 * normalisation) into one PatchSet per size. Sizes larger than the grid are skipped.
 */
export function multiScalePatches(cells: ArrayLike<number>, shape: PatchGridShape, sizes: readonly number[]): PatchSet[] {
  const { cellsX, cellsY, dim } = shape;
  if (cells.length !== cellsX * cellsY * dim) {
    throw new RangeError(`patch grid has ${cells.length} values, expected ${cellsX}x${cellsY}x${dim}`);
  }
  const out: PatchSet[] = [];
  for (const size of sizes) {
    const cols = cellsX - size + 1;
    const rows = cellsY - size + 1;
    if (cols < 1 || rows < 1) continue;
    const count = cols * rows;
    const vectors = new Float32Array(count * dim);
    const x = new Float32Array(count);
    const y = new Float32Array(count);
    let p = 0;
    for (let y0 = 0; y0 < rows; y0++) {
      for (let x0 = 0; x0 < cols; x0++, p++) {
        const base = p * dim;
        for (let yy = y0; yy < y0 + size; yy++) {
          for (let xx = x0; xx < x0 + size; xx++) {
            const c = (yy * cellsX + xx) * dim;
            for (let d = 0; d < dim; d++) vectors[base + d] += cells[c + d];
          }
        }
        l2NormalizeInPlace(vectors.subarray(base, base + dim)); // an all-zero patch stays zero
        x[p] = x0 + (size - 1) / 2;
        y[p] = y0 + (size - 1) / 2;
      }
    }
    out.push({ size, count, dim, vectors, x, y, cols, rows });
  }
  return out;
}

/** True when every value is 0: a map row stored without a grid (no patch evidence). */
export function isZeroGrid(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) return false;
  return true;
}
