// A supervised linear projection of frame descriptors, fitted in closed form from matching pairs
// (two traversals of a route): learned whitening in the sense of Radenović et al. (TPAMI 2019) /
// linear discriminant analysis.
//
//   1. PCA of the training frames of both traversals to `pcaDims` (reduceTrainingPair). Why a cut:
//      whitening in the full 3072-D space (shrunk, ~1000 pairs) was measured on nordland64 to match
//      single frames better but not to help the sequence pipeline it ships into (README, "Trained
//      frontend measured on nordland64"); the cut also keeps the map's descriptors small (e.g. 128-D, not 3072-D);
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
  /** Output dimension (<= the PCA dimension). */
  outputDim: number;
  /** Shrinkage of the within-place scatter towards its mean eigenvalue (fraction of it). */
  regularization: number;
  seed?: number;
}

export interface DiscriminativeFit {
  outputDim: number;
  /** The map from the PCA space to the output [outputDim x pcaDims]: LDA rotation · within-whitening. */
  head: Float32Array;
  /** Variance of each kept direction in the whitened space (between / within ratio), decreasing. */
  ratios: number[];
  /** Positive pairs the within-place scatter came from. */
  pairs: number;
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

/**
 * The PCA space every candidate head is fitted in: fitted once on the training frames of both
 * traversals and shared (candidates differ only in output size and shrinkage).
 */
export interface ReducedSpace {
  inputDim: number;
  /** The PCA basis [dims x inputDim] (unit rows). */
  basis: Float32Array;
  dims: number;
  /** Training frames the basis came from. */
  samples: number;
  /** The training pair projected on the basis. */
  train: TraversalPair;
}

/** Step 1: the PCA basis of the training frames of both traversals, and the pair in that space. */
export function reduceTrainingPair(pair: TraversalPair, pcaDims: number, seed = 123): ReducedSpace {
  const stacked = stackTrainingRows(pair);
  const dims = Math.min(pcaDims, stacked.dim, stacked.rows - 1);
  if (dims < 1) throw new ConfigError(`too few training frames (${stacked.rows}) to fit a projection`);
  const basis = fitPca(stacked, { dims, whiten: false, seed, tolerance: BASIS_TOLERANCE }).components;
  return { inputDim: pair.db.dim, basis, dims, samples: stacked.rows, train: projectPair(pair, basis, dims) };
}

/** A head [outputDim x space.dims] as the projection of the original descriptors: P = head · basis [outputDim x inputDim]. */
export function composeProjection(space: ReducedSpace, head: Float32Array): Float32Array {
  const outDim = head.length / space.dims;
  return matmul(head, space.basis, outDim, space.dims, space.inputDim, new Float32Array(outDim * space.inputDim));
}

/**
 * Steps 2 and 3 in a reduced space: within-place whitening, then the LDA directions. `head` maps the
 * PCA coordinates to the output; compose it with `composeProjection` (the trainer may refine the head
 * first, so composing is left to the caller).
 */
export function fitDiscriminativeProjection(space: ReducedSpace, options: DiscriminativeOptions): DiscriminativeFit {
  const p = space.dims;
  const { outputDim, regularization, seed = 123 } = options;
  if (!Number.isInteger(outputDim) || outputDim < 1 || outputDim > p) {
    throw new ConfigError(`--out-dims must be between 1 and the PCA dimension ${p}, got ${outputDim}`);
  }
  if (!(regularization > 0)) throw new ConfigError(`--shrinkage must be a positive number, got ${regularization}`);
  const whitening = withinClassWhitening(space.train, p, regularization);
  if (whitening.pairs < 2) throw new ConfigError(`only ${whitening.pairs} training queries have a ground-truth positive; check --gt and the frame ranges`);
  // Total variance in the whitened space: its principal axes are the LDA directions.
  const whitened = stackTrainingRows(projectPair(space.train, whitening.frameMap, p));
  const lda = fitPca(whitened, { dims: Math.min(outputDim, whitened.rows - 1), whiten: false, seed });
  const head = new Float32Array(lda.outputDim * p);
  matmul(lda.components, whitening.frameMap, lda.outputDim, p, p, head);
  return { outputDim: lda.outputDim, head, ratios: Array.from(lda.eigenvalues), pairs: whitening.pairs };
}
