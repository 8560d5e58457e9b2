// Mutual nearest neighbours between two patch sets (Patch-NetVLAD's matching rule): a query patch
// and a map patch are paired only when each is the other's most similar patch. With unit vectors,
// the largest dot product is the smallest L2 distance. Ties go to the lowest index.
//
// Both sets come from the same camera, so a patch is only compared with the other image's patches
// within `radius` grid steps (x and y): the viewpoint change we accept moves content by at most that
// much. It is what keeps the matching cheap (a 16 x 8 grid at radius 3 compares 35 patches per
// patch instead of 128), and an unbounded radius gives the plain all-pairs rule.
import { dot } from '../core/vector.js';

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

/** The mutual pairs, in query order. Both grids must have the same layout when `radius` is finite. */
export function mutualNearestNeighbours(q: GridVectors, m: GridVectors, radius = Number.POSITIVE_INFINITY): PatchPair[] {
  const nq = q.count;
  const nm = m.count;
  if (nq === 0 || nm === 0) return [];
  if (Number.isFinite(radius) && (q.cols !== m.cols || q.rows !== m.rows)) {
    throw new RangeError(`a bounded search needs grids of one layout, got ${q.cols}x${q.rows} and ${m.cols}x${m.rows}`);
  }
  const dim = q.dim;
  const a = q.vectors;
  const b = m.vectors;
  const rowBest = new Int32Array(nq).fill(-1);
  const rowSim = new Float32Array(nq).fill(Number.NEGATIVE_INFINITY);
  const colBest = new Int32Array(nm).fill(-1);
  const colSim = new Float32Array(nm).fill(Number.NEGATIVE_INFINITY);
  const r = Math.min(radius, Math.max(m.cols, m.rows));
  for (let i = 0; i < nq; i++) {
    const ix = i % q.cols;
    const iy = (i - ix) / q.cols;
    const x0 = Number.isFinite(radius) ? Math.max(0, ix - r) : 0;
    const x1 = Number.isFinite(radius) ? Math.min(m.cols - 1, ix + r) : m.cols - 1;
    const y0 = Number.isFinite(radius) ? Math.max(0, iy - r) : 0;
    const y1 = Number.isFinite(radius) ? Math.min(m.rows - 1, iy + r) : m.rows - 1;
    const qi = i * dim;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const j = y * m.cols + x;
        const mj = j * dim;
        const s = dot(a, b, dim, qi, mj);
        if (s > rowSim[i]) {
          rowSim[i] = s;
          rowBest[i] = j;
        }
        if (s > colSim[j]) {
          colSim[j] = s;
          colBest[j] = i;
        }
      }
    }
  }
  const pairs: PatchPair[] = [];
  for (let i = 0; i < nq; i++) {
    const j = rowBest[i];
    if (j >= 0 && colBest[j] === i) pairs.push({ query: i, map: j, similarity: rowSim[i] });
  }
  return pairs;
}
