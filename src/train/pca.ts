// PCA (optionally whitened) of frame descriptors: fit on a descriptor matrix, project in JS, and
// express the projection as an ONNX graph (Sub mean -> MatMul -> [Mul whitening] -> LpNormalization)
// so it can run in-graph after a frame model. Whitening follows the Patch-NetVLAD WPCA recipe:
// scale component i by 1/sqrt(lambda_i + 1e-9), then L2-normalise.
import { DescriptorError } from '../core/errors.js';
import { DescriptorMatrix } from '../core/matrix.js';
import { l2NormalizeInPlace } from '../core/vector.js';
import { createRandom } from '../core/random.js';
import { OnnxGraphBuilder } from '../onnx/builder.js';
import { gramOfColumns, matmul, matmulTransB, topEigen, transpose } from './linalg.js';

/** Added to every eigenvalue before whitening, as in Patch-NetVLAD's add_pca.py. */
export const EIGENVALUE_FLOOR = 1e-9;

export interface PcaModel {
  inputDim: number;
  outputDim: number;
  whiten: boolean;
  /** Mean descriptor [inputDim]. */
  mean: Float32Array;
  /** Principal axes as unit rows [outputDim x inputDim], by decreasing variance. */
  components: Float32Array;
  /** Per-output scale [outputDim]: 1/sqrt(lambda + floor) with whitening, else 1. */
  scale: Float32Array;
}

export interface PcaFit extends PcaModel {
  /** Covariance eigenvalues (divisor n - 1) of the kept axes, decreasing. */
  eigenvalues: Float64Array;
  /** Trace of the covariance (total variance). */
  totalVariance: number;
  samples: number;
  /** Which eigen-solver ran and how it converged. */
  solver: { method: 'direct' | 'subspace-iteration'; on: 'covariance' | 'gram'; size: number; iterations: number; residual: number };
}

export interface PcaFitOptions {
  dims: number;
  whiten: boolean;
  /** Seeds the start basis of the subspace iteration (results agree across seeds to the tolerance). */
  seed?: number;
  /** Relative convergence tolerance of the iterative eigen-solver (default 1e-5; a basis to work in needs less). */
  tolerance?: number;
}

/**
 * Fits PCA on the rows of `x`. With fewer rows than columns the eigenproblem is solved on the Gram
 * matrix Xc Xcᵀ (n x n) and mapped back (u = Xcᵀ v / sqrt(mu)); otherwise on the covariance (d x d).
 */
export function fitPca(x: DescriptorMatrix, options: PcaFitOptions): PcaFit {
  const { rows: n, dim: d } = x;
  const dims = options.dims;
  if (n < 2) throw new DescriptorError(`PCA needs at least 2 descriptors, got ${n}`);
  if (!Number.isInteger(dims) || dims < 1 || dims > Math.min(d, n - 1)) {
    throw new DescriptorError(
      `PCA to ${dims} dimensions is impossible from ${n} descriptors of ${d} values: choose --dims between 1 and ${Math.min(d, n - 1)}`,
    );
  }
  const mean64 = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) mean64[c] += x.data[r * d + c];
  for (let c = 0; c < d; c++) mean64[c] /= n;
  const mean = Float32Array.from(mean64);
  const xc = new Float32Array(n * d);
  let total = 0;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < d; c++) {
      const v = x.data[r * d + c] - mean[c];
      xc[r * d + c] = v;
      total += v * v;
    }
  }
  const totalVariance = total / (n - 1);
  if (!(totalVariance > 0)) throw new DescriptorError('all descriptors are identical: PCA has no direction to find');

  const rng = createRandom(options.seed ?? 123);
  const random = (): number => rng.next() * 2 - 1;
  const useGram = n < d;
  const size = useGram ? n : d;
  const scatter = useGram ? gramOfColumns(transpose(xc, n, d, new Float32Array(n * d)), d, n) : gramOfColumns(xc, n, d);
  const eig = topEigen(scatter, size, dims, { random, tolerance: options.tolerance });
  const eigenvalues = new Float64Array(dims);
  const components = new Float32Array(dims * d);
  if (useGram) {
    // u_i = Xcᵀ v_i / sqrt(mu_i): unit length because ‖Xcᵀ v‖² = vᵀ Xc Xcᵀ v = mu.
    matmul(Float32Array.from(eig.vectors), xc, dims, n, d, components);
  } else {
    components.set(eig.vectors.subarray(0, dims * d));
  }
  for (let i = 0; i < dims; i++) {
    const mu = eig.values[i];
    if (!(mu > totalVariance * (n - 1) * 1e-10)) {
      throw new DescriptorError(`the descriptors span only ${i} directions with variance; choose --dims ${i} or fewer`);
    }
    eigenvalues[i] = mu / (n - 1);
    const row = components.subarray(i * d, (i + 1) * d);
    l2NormalizeInPlace(row); // exact unit length (float32), whichever path produced it
    orientSign(row);
  }
  const scale = Float32Array.from(eigenvalues, (l) => (options.whiten ? 1 / Math.sqrt(l + EIGENVALUE_FLOOR) : 1));
  return {
    inputDim: d,
    outputDim: dims,
    whiten: options.whiten,
    mean,
    components,
    scale,
    eigenvalues,
    totalVariance,
    samples: n,
    solver: {
      method: eig.iterations === 0 ? 'direct' : 'subspace-iteration',
      on: useGram ? 'gram' : 'covariance',
      size,
      iterations: eig.iterations,
      residual: eig.residual,
    },
  };
}

/** Eigenvectors are defined up to sign: make the largest-magnitude entry positive, for reproducible files. */
function orientSign(v: Float32Array): void {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]) > Math.abs(v[best])) best = i;
  if (v[best] < 0) for (let i = 0; i < v.length; i++) v[i] = -v[i];
}

/** y = norm(scale ⊙ (C (x − mean))) for every row of x, in float32 as the ONNX graph computes it. */
export function projectPca(model: PcaModel, x: DescriptorMatrix): DescriptorMatrix {
  if (x.dim !== model.inputDim) {
    throw new DescriptorError(`descriptors have ${x.dim} values, the PCA was fitted on ${model.inputDim}-d descriptors`);
  }
  const { inputDim: d, outputDim: k } = model;
  const out = new DescriptorMatrix(x.rows, k);
  const BLOCK = 512;
  const centred = new Float32Array(BLOCK * d);
  const scratch = new Float32Array(k * d);
  for (let r0 = 0; r0 < x.rows; r0 += BLOCK) {
    const r1 = Math.min(x.rows, r0 + BLOCK);
    for (let r = r0; r < r1; r++) for (let c = 0; c < d; c++) centred[(r - r0) * d + c] = x.data[r * d + c] - model.mean[c];
    const block = out.data.subarray(r0 * k, r1 * k);
    matmulTransB(centred, model.components, r1 - r0, d, k, block, scratch);
    for (let r = r0; r < r1; r++) {
      const row = out.row(r);
      for (let i = 0; i < k; i++) row[i] *= model.scale[i];
      l2NormalizeInPlace(row);
    }
  }
  return out;
}

/** Tensor names of the projection graph; composition maps the input onto a frame model's output. */
export const PCA_GRAPH = {
  input: 'descriptor',
  output: 'projected',
  mean: 'pca_mean',
  components: 'pca_components_t',
  scale: 'pca_scale',
} as const;

/** The projection as an ONNX graph: [batch, inputDim] -> [batch, outputDim], L2-normalised. */
export function pcaOnnxGraph(model: PcaModel, name = 'pca'): OnnxGraphBuilder {
  const { inputDim: d, outputDim: k } = model;
  const g = new OnnxGraphBuilder(name, { docString: `PCA ${d} -> ${k}${model.whiten ? ' with whitening' : ''}, then L2` });
  g.input(PCA_GRAPH.input, 'float32', ['batch', d]);
  g.initializer(PCA_GRAPH.mean, model.mean, [d]);
  g.initializer(PCA_GRAPH.components, transpose(model.components, k, d, new Float32Array(d * k)), [d, k]);
  const centred = g.op('Sub', [PCA_GRAPH.input, PCA_GRAPH.mean], {}, 'pca_centred');
  let projected = g.op('MatMul', [centred, PCA_GRAPH.components], {}, 'pca_projected');
  if (model.whiten) {
    g.initializer(PCA_GRAPH.scale, model.scale, [k]);
    projected = g.op('Mul', [projected, PCA_GRAPH.scale], {}, 'pca_whitened');
  }
  g.node('LpNormalization', [projected], [PCA_GRAPH.output], { axis: 1, p: 2 });
  g.output(PCA_GRAPH.output, 'float32', ['batch', k]);
  return g;
}
