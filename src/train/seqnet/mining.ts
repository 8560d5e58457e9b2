// Hard-negative mining as in SeqNet's QueryDatasetFromStruct, from a per-epoch cache of sequence
// descriptors: the positive is the nearest cached DB sequence among the query's positives; the
// negative candidates are a uniform sample (with replacement) of its potential negatives joined with
// last epoch's hard negatives; of their 10·nNeg nearest, those closer than d⁺ + margin (the ones that
// violate the margin) are kept, nearest first, up to nNeg. A query with none is skipped this epoch.

export interface MiningInput {
  /** Cached descriptor of the query sequence [dim]. */
  query: Float32Array;
  /** Cached DB sequence descriptors [rows, dim]. */
  db: Float32Array;
  dim: number;
  /** DB rows that are positives of the query (non-empty). */
  positives: readonly number[];
  /** DB rows drawn uniformly with replacement from the query's potential negatives. */
  sampled: readonly number[];
  /** DB rows chosen as this query's negatives last epoch. */
  previousHard: readonly number[];
  nNeg: number;
  margin: number;
}

export interface Mined {
  positive: number;
  /** Hardest first. */
  negatives: number[];
  positiveDistance: number;
}

function distance(a: Float32Array, b: Float32Array, row: number, dim: number): number {
  let s = 0;
  const o = row * dim;
  for (let j = 0; j < dim; j++) {
    const v = a[j] - b[o + j];
    s += v * v;
  }
  return Math.sqrt(s);
}

/** Mines one query; null when no candidate violates the margin (the query is skipped). */
export function mineQuery(input: MiningInput): Mined | null {
  const { query, db, dim, nNeg, margin } = input;
  let positive = -1;
  let positiveDistance = Number.POSITIVE_INFINITY;
  for (const p of input.positives) {
    const d = distance(query, db, p, dim);
    if (d < positiveDistance) {
      positiveDistance = d;
      positive = p;
    }
  }
  if (positive < 0) return null;
  const candidates = [...new Set([...input.sampled, ...input.previousHard])].sort((a, b) => a - b);
  const scored = candidates.map((row) => ({ row, d: distance(query, db, row, dim) }));
  // Stable sort: equal distances keep ascending row order.
  scored.sort((a, b) => a.d - b.d);
  const negatives = scored
    .slice(0, nNeg * 10)
    .filter((c) => c.d < positiveDistance + margin)
    .slice(0, nNeg)
    .map((c) => c.row);
  return negatives.length ? { positive, negatives, positiveDistance } : null;
}
