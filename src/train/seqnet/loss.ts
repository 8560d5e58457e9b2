// SeqNet's training loss: PyTorch TripletMarginLoss(margin, p=2, reduction='sum') over every
// (query, positive, negative_k) of a batch, divided by the batch's number of negatives:
//   L = (1 / sum_b n_b) sum_b sum_k max(0, d(q_b, p_b) - d(q_b, n_bk) + margin),  d(a, b) = ‖a − b + eps‖
// (PyTorch's pairwise_distance adds eps = 1e-6 to the difference).

/** sqrt(0.1): the reference passes margin 0.1 and uses its square root, in the loss and in mining. */
export const SEQNET_MARGIN = Math.sqrt(0.1);
const EPS = 1e-6;

/** One training example: rows of the batch's descriptor matrix. */
export interface Triplet {
  query: number;
  positive: number;
  negatives: readonly number[];
}

export interface TripletLossResult {
  loss: number;
  /** Terms with a positive hinge (they produce gradient). */
  active: number;
  /** Total (query, positive, negative) terms. */
  terms: number;
}

/**
 * Loss of `triplets` over unit descriptors f [rows, dim]; writes dLoss/df into grad (zeroed first).
 */
export function tripletLoss(f: Float32Array, dim: number, triplets: readonly Triplet[], margin: number, grad: Float32Array): TripletLossResult {
  const terms = triplets.reduce((s, t) => s + t.negatives.length, 0);
  grad.fill(0);
  if (terms === 0) return { loss: 0, active: 0, terms: 0 };
  const scale = 1 / terms;
  let loss = 0;
  let active = 0;
  const dqp = new Float64Array(dim);
  const dqn = new Float64Array(dim);
  for (const t of triplets) {
    const q = t.query * dim;
    const p = t.positive * dim;
    let sp = 0;
    for (let j = 0; j < dim; j++) {
      const v = f[q + j] - f[p + j] + EPS;
      dqp[j] = v;
      sp += v * v;
    }
    const distP = Math.sqrt(sp);
    for (const neg of t.negatives) {
      const n = neg * dim;
      let sn = 0;
      for (let j = 0; j < dim; j++) {
        const v = f[q + j] - f[n + j] + EPS;
        dqn[j] = v;
        sn += v * v;
      }
      const distN = Math.sqrt(sn);
      const hinge = distP - distN + margin;
      if (hinge <= 0) continue;
      loss += hinge * scale;
      active++;
      const gp = scale / Math.max(distP, 1e-12);
      const gn = scale / Math.max(distN, 1e-12);
      for (let j = 0; j < dim; j++) {
        const a = dqp[j] * gp;
        const b = dqn[j] * gn;
        grad[q + j] += a - b;
        grad[p + j] -= a;
        grad[n + j] += b;
      }
    }
  }
  return { loss, active, terms };
}
