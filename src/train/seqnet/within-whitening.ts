// A data-driven starting point for SeqNet: whiten the frame descriptors by their within-place
// scatter, i.e. the covariance of (DB frame − query frame) over the training queries and their most similar positive. Directions
// in which the same place looks different across traversals (season, light) are shrunk; directions
// that stay stable are kept. With the delta taps it gives `--init whitened-delta`; triplet training
// then starts from a descriptor that already generalises instead of from a random projection.
import { symmetricEigen } from '../linalg.js';
import type { TraversalPair } from './sequences.js';

export interface WithinWhitening {
  /** Frame map [outputDim x inputDim]: rows = the outputDim most stable directions, scaled by 1/sqrt(lambda + reg). */
  frameMap: Float32Array;
  /** Positive pairs the scatter was estimated from. */
  pairs: number;
}

/**
 * Frame map F = S_D V_Dᵀ from the eigen-decomposition V diag(lambda) Vᵀ of the within-place scatter,
 * keeping the D directions of smallest lambda, S = diag(1/sqrt(lambda + reg · mean(lambda))).
 */
export function withinClassWhitening(pair: TraversalPair, outputDim: number, regularization = 0.1): WithinWhitening {
  const C = pair.db.dim;
  const scatter = new Float64Array(C * C);
  const diff = new Float64Array(C);
  let pairs = 0;
  for (let q = Math.max(0, pair.queryRows.start); q < Math.min(pair.query.rows, pair.queryRows.end); q++) {
    // One pair per query: its most similar positive (the same place; the others add motion along the route).
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const j of pair.positives(q)) {
      if (j < pair.dbRows.start || j >= pair.dbRows.end || j >= pair.db.rows) continue;
      let d = 0;
      for (let c = 0; c < C; c++) d += (pair.db.data[j * C + c] - pair.query.data[q * C + c]) ** 2;
      if (d < bestDistance) {
        bestDistance = d;
        best = j;
      }
    }
    if (best < 0) continue;
    for (let c = 0; c < C; c++) diff[c] = pair.db.data[best * C + c] - pair.query.data[q * C + c];
    for (let a = 0; a < C; a++) {
      const da = diff[a];
      if (da === 0) continue;
      const row = a * C;
      for (let b = 0; b < C; b++) scatter[row + b] += da * diff[b];
    }
    pairs++;
  }
  if (pairs > 0) for (let i = 0; i < scatter.length; i++) scatter[i] /= pairs;
  const { values, vectors } = symmetricEigen(scatter, C);
  const meanValue = Math.max(values.reduce((a, b) => a + b, 0) / C, 1e-12);
  const frameMap = new Float32Array(outputDim * C);
  // values are descending: the most stable directions are at the end.
  for (let o = 0; o < Math.min(outputDim, C); o++) {
    const k = C - 1 - o;
    const s = 1 / Math.sqrt(Math.max(values[k], 0) + regularization * meanValue);
    for (let c = 0; c < C; c++) frameMap[o * C + c] = s * vectors[k * C + c];
  }
  return { frameMap, pairs };
}
