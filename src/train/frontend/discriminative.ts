// A supervised linear projection of frame descriptors, fitted in closed form from matching pairs
// (two traversals of a route): learned whitening in the sense of Radenović et al. (TPAMI 2019) /
// linear discriminant analysis.
//
//   1. PCA of the training frames of both traversals to `pcaDims` (the within-place scatter of ~1000
//      pairs cannot be estimated in 3072 dimensions);
//   2. whiten by the within-place scatter S_w = E[(db_p − q)(db_p − q)ᵀ] over each query and its most
//      similar ground-truth positive, shrunk towards its mean eigenvalue (`regularization`): the
//      directions in which one place changes between traversals (season, light) are shrunk, the
//      stable ones kept (the same within-whitening as SeqNet's whitened-delta start);
//   3. in that space keep the `outputDim` directions of largest total variance: with unit within-place
//      variance everywhere, that is the largest between-place / within-place ratio (LDA).
//
// The result is one matrix P [outputDim x inputDim] with no bias, applied as y = P x. It is linear on
// purpose: appearance centring runs after the frame model and is linear up to its final L2, so
// centring P x gives norm(P (x − mean)), exactly the projected version of what the untrained pipeline
// compares. The training descriptors (extracted with that pipeline, hence already centred) are what it
// is fitted on.
import { ConfigError } from '../../core/errors.js';
import { DescriptorMatrix } from '../../core/matrix.js';
import { matmul, matmulTransB } from '../linalg.js';
import { fitPca } from '../pca.js';
import type { TraversalPair } from '../seqnet/sequences.js';
import { withinClassWhitening } from '../seqnet/within-whitening.js';

export interface DiscriminativeOptions {
  /** PCA dimension before the within-place whitening. */
  pcaDims: number;
  /** Output dimension (<= pcaDims). */
  outputDim: number;
  /** Shrinkage of the within-place scatter towards its mean eigenvalue (fraction of it). */
  regularization: number;
  seed?: number;
}

export interface DiscriminativeFit {
  inputDim: number;
  outputDim: number;
  /** The PCA basis [pcaDims x inputDim] (unit rows) that the rest works in. */
  basis: Float32Array;
  pcaDims: number;
  /** The map from the PCA space to the output [outputDim x pcaDims]: LDA rotation · within-whitening. */
  head: Float32Array;
  /** P = head · basis [outputDim x inputDim]. */
  weight: Float32Array;
  /** Variance of each kept direction in the whitened space (between / within ratio), decreasing. */
  ratios: number[];
  /** Positive pairs the within-place scatter came from. */
  pairs: number;
  samples: number;
}

/** Training rows of both traversals, stacked. */
export function stackTrainingRows(pair: TraversalPair): DescriptorMatrix {
  const { db, query } = pair;
  const parts = [
    db.data.subarray(Math.max(0, pair.dbRows.start) * db.dim, Math.min(db.rows, pair.dbRows.end) * db.dim),
    query.data.subarray(Math.max(0, pair.queryRows.start) * query.dim, Math.min(query.rows, pair.queryRows.end) * query.dim),
  ];
  const out = new DescriptorMatrix((parts[0].length + parts[1].length) / db.dim, db.dim);
  out.data.set(parts[0]);
  out.data.set(parts[1], parts[0].length);
  return out;
}

/** y = M x for every row of x (no normalisation): [rows x outDim]. */
export function projectRows(x: DescriptorMatrix, m: Float32Array, outDim: number): DescriptorMatrix {
  const out = new DescriptorMatrix(x.rows, outDim);
  matmulTransB(x.data, m, x.rows, x.dim, outDim, out.data);
  return out;
}

/** The same traversal pair with both matrices mapped by M (rows and ground truth unchanged). */
export function projectPair(pair: TraversalPair, m: Float32Array, outDim: number): TraversalPair {
  return { ...pair, db: projectRows(pair.db, m, outDim), query: projectRows(pair.query, m, outDim) };
}

/** The basis only has to hold the leading subspace, not its exact axes: a loose tolerance saves most iterations. */
const BASIS_TOLERANCE = 1e-3;

/** The PCA basis of the training frames of both traversals: [dims x inputDim]. */
export function trainingBasis(pair: TraversalPair, dims: number, seed = 123): { basis: Float32Array; dims: number; samples: number } {
  const stacked = stackTrainingRows(pair);
  const usable = Math.min(dims, stacked.dim, stacked.rows - 1);
  if (usable < 1) throw new ConfigError(`too few training frames (${stacked.rows}) to fit a projection`);
  return { basis: fitPca(stacked, { dims: usable, whiten: false, seed, tolerance: BASIS_TOLERANCE }).components, dims: usable, samples: stacked.rows };
}

/**
 * The closed-form head in a given PCA space: `reduced` is the training pair already projected on the
 * basis. Returns head [outputDim x pcaDims] and the kept ratios.
 */
export function fitDiscriminativeHead(
  reduced: TraversalPair,
  outputDim: number,
  regularization: number,
  seed = 123,
): { head: Float32Array; ratios: number[]; pairs: number } {
  const p = reduced.db.dim;
  if (!Number.isInteger(outputDim) || outputDim < 1 || outputDim > p) {
    throw new ConfigError(`--out-dims must be between 1 and the PCA dimension ${p}, got ${outputDim}`);
  }
  if (!(regularization > 0)) throw new ConfigError(`--regularization must be a positive number, got ${regularization}`);
  const whitening = withinClassWhitening(reduced, p, regularization);
  if (whitening.pairs < 2) throw new ConfigError(`only ${whitening.pairs} training queries have a ground-truth positive; check --gt and the frame ranges`);
  // Total variance in the whitened space: its principal axes are the LDA directions.
  const whitened = stackTrainingRows(projectPair(reduced, whitening.frameMap, p));
  const lda = fitPca(whitened, { dims: Math.min(outputDim, whitened.rows - 1), whiten: false, seed });
  const head = new Float32Array(lda.outputDim * p);
  matmul(lda.components, whitening.frameMap, lda.outputDim, p, p, head);
  return { head, ratios: Array.from(lda.eigenvalues), pairs: whitening.pairs };
}

/** PCA basis, then the discriminative head, composed into one projection. */
export function fitDiscriminativeProjection(pair: TraversalPair, options: DiscriminativeOptions): DiscriminativeFit {
  const { basis, dims, samples } = trainingBasis(pair, options.pcaDims, options.seed);
  const reduced = projectPair(pair, basis, dims);
  const { head, ratios, pairs } = fitDiscriminativeHead(reduced, Math.min(options.outputDim, dims), options.regularization, options.seed);
  const outputDim = head.length / dims;
  return { inputDim: pair.db.dim, outputDim, basis, pcaDims: dims, head, weight: composeHead(head, basis, outputDim, dims, pair.db.dim), ratios, pairs, samples };
}

/** head [out x p] · basis [p x d] -> [out x d]. */
export function composeHead(head: Float32Array, basis: Float32Array, outDim: number, p: number, d: number): Float32Array {
  return matmul(head, basis, outDim, p, d, new Float32Array(outDim * d));
}
