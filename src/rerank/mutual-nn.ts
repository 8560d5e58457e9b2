// Mutual nearest neighbours between two patch sets (Patch-NetVLAD's matching rule): a query patch
// and a map patch are paired only when each is the other's most similar patch. With unit vectors,
// the largest dot product is the smallest L2 distance. Ties go to the lowest index.

export interface PatchPair {
  query: number;
  map: number;
  /** Cosine similarity of the pair. */
  similarity: number;
}

/**
 * @param q query vectors, `nq` x `dim`, row-major; @param m map vectors, `nm` x `dim`
 * @returns the mutual pairs, in query order
 */
export function mutualNearestNeighbours(q: Float32Array, nq: number, m: Float32Array, nm: number, dim: number): PatchPair[] {
  if (nq === 0 || nm === 0) return [];
  const rowBest = new Int32Array(nq);
  const rowSim = new Float32Array(nq).fill(Number.NEGATIVE_INFINITY);
  const colBest = new Int32Array(nm);
  const colSim = new Float32Array(nm).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < nq; i++) {
    const qi = i * dim;
    for (let j = 0; j < nm; j++) {
      const mj = j * dim;
      let s = 0;
      for (let d = 0; d < dim; d++) s += q[qi + d] * m[mj + d];
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
  const pairs: PatchPair[] = [];
  for (let i = 0; i < nq; i++) {
    const j = rowBest[i];
    if (colBest[j] === i && rowSim[i] > Number.NEGATIVE_INFINITY) pairs.push({ query: i, map: j, similarity: rowSim[i] });
  }
  return pairs;
}
