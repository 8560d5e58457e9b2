// Hand-made patch grids for the re-ranking tests: random unit cells (distinct local features), and
// the same scene shifted, mirrored or replaced.
import { mulberry32, randomUnitVector } from '../support/random-unit-vectors.js';
import type { PatchGridShape } from '../../src/rerank/patch-set.js';

export const SHAPE: PatchGridShape = { cellsX: 12, cellsY: 6, dim: 16 };

/** A grid of random unit cells, cell-major. */
export function randomGrid(seed: number, shape = SHAPE): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(shape.cellsX * shape.cellsY * shape.dim);
  for (let c = 0; c < shape.cellsX * shape.cellsY; c++) out.set(randomUnitVector(shape.dim, rand), c * shape.dim);
  return out;
}

/** Cell (x, y) of `grid`. */
function cell(grid: Float32Array, x: number, y: number, shape = SHAPE): Float32Array {
  const i = (y * shape.cellsX + x) * shape.dim;
  return grid.subarray(i, i + shape.dim);
}

/**
 * The scene of `grid` seen with its content moved by (dx, dy) cells: map cell (x, y) shows query
 * cell (x - dx, y - dy); cells that come into view are new random content (seed `fill`).
 */
export function shiftedGrid(grid: Float32Array, dx: number, dy: number, fill: number, shape = SHAPE): Float32Array {
  const out = randomGrid(fill, shape);
  for (let y = 0; y < shape.cellsY; y++) {
    for (let x = 0; x < shape.cellsX; x++) {
      const sx = x - dx;
      const sy = y - dy;
      if (sx >= 0 && sx < shape.cellsX && sy >= 0 && sy < shape.cellsY) out.set(cell(grid, sx, sy, shape), (y * shape.cellsX + x) * shape.dim);
    }
  }
  return out;
}

/** The same cells, left and right swapped (a mirrored scene: same content, inconsistent geometry). */
export function mirroredGrid(grid: Float32Array, shape = SHAPE): Float32Array {
  const out = new Float32Array(grid.length);
  for (let y = 0; y < shape.cellsY; y++) {
    for (let x = 0; x < shape.cellsX; x++) out.set(cell(grid, shape.cellsX - 1 - x, y, shape), (y * shape.cellsX + x) * shape.dim);
  }
  return out;
}

/** Cells quantised to int8 the way a map stores them. */
export function quantised(grid: Float32Array): Int8Array {
  return Int8Array.from(grid, (v) => Math.round(v * 127));
}
