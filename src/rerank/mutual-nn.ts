// Mutual nearest neighbours between two patch sets (Patch-NetVLAD's matching rule): a query patch
// and a map patch are paired only when each is the other's most similar patch. With unit vectors,
// the largest dot product is the smallest L2 distance. Ties go to the lowest index.
//
// Both sets come from the same camera, so a patch is only compared with the other image's patches
// within `radius` grid steps (x and y): the viewpoint change we accept moves content by at most that
// much. It is what keeps the matching cheap (a 16 x 8 grid at radius 3 compares 35 patches per
// patch instead of 128), and an unbounded radius gives the plain all-pairs rule.
import { sharedDotBlocks } from '../core/wasm-dot.js';

export interface PatchPair {
  query: number;
  map: number;
  /** Cosine similarity of the pair. */
  similarity: number;
}

/** Unit vectors laid out on a cols x rows grid (row-major), `dim` values each. */
export interface GridVectors {
  vectors: Float32Array;
  count: number;
  dim: number;
  cols: number;
  rows: number;
}

/**
 * The mutual pairs, in query order. Both grids must have the same layout when `radius` is finite.
 *
 * Each query patch's similarities to the map patches of its search window come from one call into
 * WebAssembly (DotBlocks: bit for bit core/vector's dot); the window is visited in ascending map
 * order and the query patches in ascending order, so pairs, ties and similarities are exactly those
 * of the plain loop over every pair.
 */
export function mutualNearestNeighbours(q: GridVectors, m: GridVectors, radius = Number.POSITIVE_INFINITY): PatchPair[] {
  const nq = q.count;
  const nm = m.count;
  if (nq === 0 || nm === 0) return [];
  const bounded = Number.isFinite(radius);
  if (bounded && (q.cols !== m.cols || q.rows !== m.rows)) {
    throw new RangeError(`a bounded search needs grids of one layout, got ${q.cols}x${q.rows} and ${m.cols}x${m.rows}`);
  }
  const dots = sharedDotBlocks();
  dots.load(q.vectors.subarray(0, nq * q.dim), m.vectors.subarray(0, nm * m.dim), q.dim);
  const rowBest = new Int32Array(nq).fill(-1);
  // Float32 like the similarities reported: a later patch must beat the stored (rounded) best.
  const rowSim = new Float32Array(nq).fill(Number.NEGATIVE_INFINITY);
  const colBest = new Int32Array(nm).fill(-1);
  const colSim = new Float32Array(nm).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < nq; i++) {
    // The search window: map patches at most `radius` grid steps away in x and y (all when unbounded).
    let [x0, y0, count, rows] = [0, 0, m.cols, m.rows];
    if (bounded) {
      const ix = i % q.cols;
      const iy = (i - ix) / q.cols;
      x0 = Math.max(0, ix - radius);
      y0 = Math.max(0, iy - radius);
      count = Math.min(m.cols - 1, ix + radius) - x0 + 1;
      rows = Math.min(m.rows - 1, iy + radius) - y0 + 1;
    }
    const sims = dots.block(i, y0 * m.cols + x0, count, rows, m.cols);
    let best = Number.NEGATIVE_INFINITY;
    let jBest = -1;
    for (let y = 0, k = 0; y < rows; y++) {
      const rowStart = (y0 + y) * m.cols + x0;
      for (let x = 0; x < count; x++, k++) {
        const s = sims[k];
        const j = rowStart + x;
        if (s > best) {
          best = Math.fround(s);
          jBest = j;
        }
        if (s > colSim[j]) {
          colSim[j] = s;
          colBest[j] = i;
        }
      }
    }
    rowSim[i] = best;
    rowBest[i] = jBest;
  }
  const pairs: PatchPair[] = [];
  for (let i = 0; i < nq; i++) {
    const j = rowBest[i];
    if (j >= 0 && colBest[j] === i) pairs.push({ query: i, map: j, similarity: rowSim[i] });
  }
  return pairs;
}
