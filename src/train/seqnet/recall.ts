// Recall@N of sequence descriptors by nearest DB sequence, SeqNet's way: a query counts when any of
// its N nearest DB sequences is a positive; queries without a positive are left out of the
// denominator. Nearest = smallest L2 distance (= cosine distance for unit vectors; ties to the lower row).
import { DescriptorMatrix } from '../../core/matrix.js';
import { exactSearch } from '../../retrieve/exact-search.js';

export interface SequenceRecall {
  /** Recall@N for each requested N. */
  recall: Record<number, number>;
  /** Queries with at least one positive (the denominator). */
  queries: number;
}

export function sequenceRecall(
  db: Float32Array,
  queries: Float32Array,
  dim: number,
  positives: readonly ArrayLike<number>[],
  ns: readonly number[] = [1, 5, 10],
): SequenceRecall {
  const dbMatrix = new DescriptorMatrix(db.length / dim, dim, db);
  const maxN = Math.max(...ns);
  const hits = new Array<number>(ns.length).fill(0);
  let counted = 0;
  for (let q = 0; q < positives.length; q++) {
    const pos = positives[q];
    if (pos.length === 0) continue;
    counted++;
    const set = new Set(Array.from(pos));
    const ranked = exactSearch(dbMatrix, queries.subarray(q * dim, (q + 1) * dim), maxN);
    const firstHit = ranked.findIndex((h) => set.has(h.label));
    ns.forEach((n, i) => {
      if (firstHit >= 0 && firstHit < n) hits[i]++;
    });
  }
  const recall: Record<number, number> = {};
  ns.forEach((n, i) => (recall[n] = counted ? hits[i] / counted : 0));
  return { recall, queries: counted };
}
