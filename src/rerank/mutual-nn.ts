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

/**
 * The mutual pairs, in query order. Both grids must have the same layout when `radius` is finite.
 *
 * Two neighbouring query patches of a grid row are scored together against each map patch (each
 * map vector is read once for both; they share most of their search window). The visiting order
 * stays that of one patch after the other (per query patch: map patches in ascending order; per
 * map patch: query patches in ascending order), and each dot product is summed in the same order
 * as core/vector's dot, so pairs and similarities are bit-for-bit those of the plain loop.
 */
export function mutualNearestNeighbours(q: GridVectors, m: GridVectors, radius = Number.POSITIVE_INFINITY): PatchPair[] {
  const nq = q.count;
  const nm = m.count;
  if (nq === 0 || nm === 0) return [];
  const bounded = Number.isFinite(radius);
  if (bounded && (q.cols !== m.cols || q.rows !== m.rows)) {
    throw new RangeError(`a bounded search needs grids of one layout, got ${q.cols}x${q.rows} and ${m.cols}x${m.rows}`);
  }
  const dim = q.dim;
  const a = q.vectors;
  const b = m.vectors;
  const rowBest = new Int32Array(nq).fill(-1);
  // Float32 like the similarities reported: a later patch must beat the stored (rounded) best.
  const rowSim = new Float32Array(nq).fill(Number.NEGATIVE_INFINITY);
  const colBest = new Int32Array(nm).fill(-1);
  const colSim = new Float32Array(nm).fill(Number.NEGATIVE_INFINITY);
  const r = Math.min(radius, Math.max(m.cols, m.rows));
  const xFrom = (ix: number) => (bounded ? Math.max(0, ix - r) : 0);
  const xTo = (ix: number) => (bounded ? Math.min(m.cols - 1, ix + r) : m.cols - 1);
  for (let iy = 0; iy < q.rows; iy++) {
    const y0 = bounded ? Math.max(0, iy - r) : 0;
    const y1 = bounded ? Math.min(m.rows - 1, iy + r) : m.rows - 1;
    for (let ix = 0; ix < q.cols; ix += 2) {
      const i = iy * q.cols + ix;
      const pair = ix + 1 < q.cols; // a second query patch, i + 1, in this row
      const qa = i * dim;
      const qb = qa + dim;
      const ax0 = xFrom(ix);
      const ax1 = xTo(ix);
      const bx0 = pair ? xFrom(ix + 1) : ax0;
      const bx1 = pair ? xTo(ix + 1) : ax1;
      let bestA = Number.NEGATIVE_INFINITY;
      let bestB = Number.NEGATIVE_INFINITY;
      let jA = -1;
      let jB = -1;
      for (let y = y0; y <= y1; y++) {
        for (let x = ax0; x <= bx1; x++) {
          const j = y * m.cols + x;
          const mj = j * dim;
          const inA = x <= ax1;
          const inB = pair && x >= bx0;
          if (inA && inB) {
            let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0, k = 0; // prettier-ignore
            for (; k + 3 < dim; k += 4) {
              const b0 = b[mj + k];
              const b1 = b[mj + k + 1];
              const b2 = b[mj + k + 2];
              const b3 = b[mj + k + 3];
              s0 += a[qa + k] * b0;
              s1 += a[qa + k + 1] * b1;
              s2 += a[qa + k + 2] * b2;
              s3 += a[qa + k + 3] * b3;
              t0 += a[qb + k] * b0;
              t1 += a[qb + k + 1] * b1;
              t2 += a[qb + k + 2] * b2;
              t3 += a[qb + k + 3] * b3;
            }
            for (; k < dim; k++) {
              s0 += a[qa + k] * b[mj + k];
              t0 += a[qb + k] * b[mj + k];
            }
            const sa = s0 + s1 + s2 + s3;
            const sb = t0 + t1 + t2 + t3;
            if (sa > bestA) {
              bestA = Math.fround(sa);
              jA = j;
            }
            if (sa > colSim[j]) {
              colSim[j] = sa;
              colBest[j] = i;
            }
            if (sb > bestB) {
              bestB = Math.fround(sb);
              jB = j;
            }
            if (sb > colSim[j]) {
              colSim[j] = sb;
              colBest[j] = i + 1;
            }
          } else {
            const s = dot(a, b, dim, inA ? qa : qb, mj);
            if (inA) {
              if (s > bestA) {
                bestA = Math.fround(s);
                jA = j;
              }
            } else if (s > bestB) {
              bestB = Math.fround(s);
              jB = j;
            }
            if (s > colSim[j]) {
              colSim[j] = s;
              colBest[j] = inA ? i : i + 1;
            }
          }
        }
      }
      rowSim[i] = bestA;
      rowBest[i] = jA;
      if (pair) {
        rowSim[i + 1] = bestB;
        rowBest[i + 1] = jB;
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
