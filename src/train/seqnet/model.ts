// SeqNet's sequence descriptor: a temporal 1-D convolution (C -> D channels, kernel w, no padding,
// bias) over a window of L frame descriptors, the mean over the T = L - w + 1 output steps, then L2.
//
// Everything before the L2 normalisation is linear, so the temporal mean can be taken first:
//   s = b + (1/T) sum_t sum_k W_k x_{t+k} = b + W · z,   z[c*w + k] = (1/T) sum_t x_{t+k}[c]
// where W is the conv weight [D, C, w] read as a [D, C*w] matrix. z is the im2col of the window
// with the time steps already averaged: one C*w vector per window, computed once from prefix sums
// (the frame descriptors do not change during training). The forward pass of a batch is then one
// GEMM and the weight gradient another, exactly equal to the convolution's.
import { ConfigError } from '../../core/errors.js';
import type { DescriptorMatrix } from '../../core/matrix.js';
import { matmulTransA, matmulTransB } from '../linalg.js';

export interface SeqNetParams {
  inputDim: number;
  outputDim: number;
  kernel: number;
  /** Conv1d weight [outputDim, inputDim, kernel], C order (PyTorch's and ONNX's layout). */
  weight: Float32Array;
  bias: Float32Array;
}

/** 'frame-map': smoothing taps on the caller's frame map (with L = w = 1 the weight is the map itself). */
export type SeqNetInit = 'random' | 'smoothing' | 'delta' | 'whitened-delta' | 'frame-map';

/**
 * New parameters. 'random' is PyTorch's Conv1d default (uniform in ±1/sqrt(C·w) for weight and bias).
 * The other kinds start from a fixed sequence descriptor: W_k = a_k F, where the taps a_k make the
 * averaged conv reproduce the smoothing or delta frame weights and F is a linear map of the frame
 * descriptors [outputDim x inputDim]: the identity for 'smoothing' / 'delta' (outputDim must equal
 * inputDim), the caller's `frameMap` for 'whitened-delta' (see within-whitening.ts). Plus small noise,
 * so no two output channels are tied.
 */
export function initSeqNet(
  inputDim: number,
  outputDim: number,
  kernel: number,
  seqLength: number,
  init: SeqNetInit,
  random: () => number,
  frameMap?: Float32Array,
): SeqNetParams {
  checkShape(inputDim, outputDim, kernel, seqLength);
  const weight = new Float32Array(outputDim * inputDim * kernel);
  const bias = new Float32Array(outputDim);
  const bound = 1 / Math.sqrt(inputDim * kernel);
  if (init === 'random') {
    for (let i = 0; i < weight.length; i++) weight[i] = bound * random();
    for (let i = 0; i < bias.length; i++) bias[i] = bound * random();
    return { inputDim, outputDim, kernel, weight, bias };
  }
  let map = frameMap;
  if (init === 'whitened-delta' || init === 'frame-map') {
    if (!map || map.length !== outputDim * inputDim) throw new ConfigError(`--init ${init} needs a ${outputDim} x ${inputDim} frame map from the training pairs`);
  } else {
    if (outputDim !== inputDim) throw new ConfigError(`--init ${init} needs --out-dims equal to the descriptor dimension ${inputDim}`);
    map = new Float32Array(outputDim * inputDim);
    for (let o = 0; o < outputDim; o++) map[o * inputDim + o] = 1;
  }
  const taps = baselineTaps(init === 'smoothing' || init === 'frame-map' ? 'smoothing' : 'delta', seqLength, kernel);
  let scale = 0;
  for (let i = 0; i < map.length; i++) scale = Math.max(scale, Math.abs(map[i]));
  // 'frame-map' starts exactly at the given map (it is a fitted solution, not a template to break ties in).
  const noise = init === 'frame-map' ? 0 : 0.01 * bound * scale;
  for (let i = 0; i < weight.length; i++) weight[i] = noise * random();
  for (let o = 0; o < outputDim; o++) {
    for (let c = 0; c < inputDim; c++) {
      const m = map[o * inputDim + c];
      if (m === 0) continue;
      for (let k = 0; k < kernel; k++) weight[(o * inputDim + c) * kernel + k] += taps[k] * m;
    }
  }
  return { inputDim, outputDim, kernel, weight, bias };
}

/**
 * Conv taps a_k whose averaged response sum_k a_k (1/T) sum_t x_{t+k} best matches the baseline's
 * frame weights (least squares over the L frames; exact for smoothing and for w >= L/2 deltas).
 */
function baselineTaps(init: 'smoothing' | 'delta', L: number, w: number): number[] {
  const target = Array.from({ length: L }, (_, t) => (init === 'smoothing' ? 1 / L : t < Math.floor(L / 2) ? -2 / L : 2 / L));
  const T = L - w + 1;
  // Frame t receives tap k when t - k is a valid step: A[t][k] = 1/T for 0 <= t-k < T.
  const a = Array.from({ length: L }, (_, t) => Array.from({ length: w }, (_, k) => (t - k >= 0 && t - k < T ? 1 / T : 0)));
  // Normal equations (w x w), solved by Gaussian elimination (w is tiny).
  const m = Array.from({ length: w }, (_, i) => [...Array.from({ length: w }, (_, j) => a.reduce((s, row) => s + row[i] * row[j], 0)), a.reduce((s, row, t) => s + row[i] * target[t], 0)]);
  for (let i = 0; i < w; i++) {
    let pivot = i;
    for (let r = i + 1; r < w; r++) if (Math.abs(m[r][i]) > Math.abs(m[pivot][i])) pivot = r;
    [m[i], m[pivot]] = [m[pivot], m[i]];
    for (let r = 0; r < w; r++) {
      if (r === i || m[i][i] === 0) continue;
      const f = m[r][i] / m[i][i];
      for (let c = i; c <= w; c++) m[r][c] -= f * m[i][c];
    }
  }
  return m.map((row, i) => (row[i] === 0 ? 0 : row[w] / row[i]));
}

export function checkShape(inputDim: number, outputDim: number, kernel: number, seqLength: number): void {
  for (const [name, v] of [['descriptor dimension', inputDim], ['--out-dims', outputDim], ['--kernel', kernel], ['--seq-len', seqLength]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`SeqNet ${name} must be a positive integer, got ${v}`);
  }
  if (kernel > seqLength) throw new ConfigError(`SeqNet --kernel ${kernel} is longer than the window (--seq-len ${seqLength}); use a kernel <= the window length`);
}

/**
 * Averaged im2col rows (see the header) for the trailing windows ending at `ends` (frames e-L+1..e of
 * x): out[i, c*w + k] = (1/T) sum_{t<T} x[e-L+1+t+k, c]. Uses float64 prefix sums over the rows.
 */
export function windowFeatures(x: DescriptorMatrix, ends: ArrayLike<number>, seqLength: number, kernel: number): Float32Array {
  const { dim: C, rows } = x;
  const T = seqLength - kernel + 1;
  let lo = rows;
  let hi = -1;
  for (let i = 0; i < ends.length; i++) {
    if (ends[i] - seqLength + 1 < 0 || ends[i] >= rows) throw new ConfigError(`window ending at frame ${ends[i]} does not fit ${rows} frames with length ${seqLength}`);
    lo = Math.min(lo, ends[i] - seqLength + 1);
    hi = Math.max(hi, ends[i]);
  }
  const out = new Float32Array(ends.length * C * kernel);
  if (ends.length === 0) return out;
  // prefix[(r - lo) * C + c] = sum of x[lo..r-1, c]
  const prefix = new Float64Array((hi - lo + 2) * C);
  for (let r = lo; r <= hi; r++) {
    const base = (r - lo) * C;
    for (let c = 0; c < C; c++) prefix[base + C + c] = prefix[base + c] + x.data[r * C + c];
  }
  const Ck = C * kernel;
  for (let i = 0; i < ends.length; i++) {
    const start = ends[i] - seqLength + 1 - lo;
    const row = i * Ck;
    for (let k = 0; k < kernel; k++) {
      const a = (start + k) * C;
      const b = (start + k + T) * C;
      for (let c = 0; c < C; c++) out[row + c * kernel + k] = (prefix[b + c] - prefix[a + c]) / T;
    }
  }
  return out;
}

/** Reusable buffers for batched passes (grown on demand, never shrunk). */
export class SeqNetWorkspace {
  raw = new Float32Array(0);
  out = new Float32Array(0);
  norms = new Float32Array(0);
  weightT = new Float32Array(0);
  gradRaw = new Float32Array(0);
  gradT = new Float32Array(0);

  ensure(rows: number, params: SeqNetParams): void {
    const D = params.outputDim;
    const Ck = params.inputDim * params.kernel;
    if (this.raw.length < rows * D) {
      this.raw = new Float32Array(rows * D);
      this.out = new Float32Array(rows * D);
      this.gradRaw = new Float32Array(rows * D);
      this.norms = new Float32Array(rows);
    }
    if (this.weightT.length < Ck * D) this.weightT = new Float32Array(Ck * D);
    if (this.gradT.length < rows * D) this.gradT = new Float32Array(Math.max(rows * D, Ck * rows));
  }
}

/**
 * Forward pass of `rows` windows given their features [rows, C*w]: ws.raw = F Wᵀ + b, ws.out = L2
 * rows of raw (norm floored at 1e-12), ws.norms = the norms. Returns ws.out (valid for rows*D values).
 */
export function seqnetForward(params: SeqNetParams, features: Float32Array, rows: number, ws: SeqNetWorkspace): Float32Array {
  ws.ensure(rows, params);
  const D = params.outputDim;
  const Ck = params.inputDim * params.kernel;
  const raw = ws.raw.subarray(0, rows * D);
  matmulTransB(features.subarray(0, rows * Ck), params.weight, rows, Ck, D, raw, ws.weightT);
  for (let r = 0; r < rows; r++) {
    const o = r * D;
    let n2 = 0;
    for (let j = 0; j < D; j++) {
      const v = raw[o + j] + params.bias[j];
      raw[o + j] = v;
      n2 += v * v;
    }
    const n = Math.max(Math.sqrt(n2), 1e-12);
    ws.norms[r] = n;
    for (let j = 0; j < D; j++) ws.out[o + j] = raw[o + j] / n;
  }
  return ws.out;
}

/**
 * Backward pass after seqnetForward on the same workspace: given dLoss/dOut [rows, D], accumulates
 * dLoss/dWeight into gradWeight [D, C*w] and dLoss/dBias into gradBias. The L2 step's Jacobian is
 * (I - f fᵀ) / ‖s‖.
 */
export function seqnetBackward(
  params: SeqNetParams,
  features: Float32Array,
  rows: number,
  gradOut: Float32Array,
  ws: SeqNetWorkspace,
  gradWeight: Float32Array,
  gradBias: Float32Array,
): void {
  const D = params.outputDim;
  const Ck = params.inputDim * params.kernel;
  const g = ws.gradRaw;
  for (let r = 0; r < rows; r++) {
    const o = r * D;
    let proj = 0;
    for (let j = 0; j < D; j++) proj += ws.out[o + j] * gradOut[o + j];
    const inv = 1 / ws.norms[r];
    for (let j = 0; j < D; j++) {
      const v = (gradOut[o + j] - ws.out[o + j] * proj) * inv;
      g[o + j] = v;
      gradBias[j] += v;
    }
  }
  // dW [D x Ck] += dSᵀ [D x rows] · F [rows x Ck]
  matmulTransA(g.subarray(0, rows * D), features.subarray(0, rows * Ck), rows, D, Ck, gradWeight, ws.gradT, true);
}

/** Sequence descriptors [n, D] for n windows' features, in blocks (a copy the caller keeps). */
export function encodeWindows(params: SeqNetParams, features: Float32Array, n: number, ws: SeqNetWorkspace, block = 512): Float32Array {
  const D = params.outputDim;
  const Ck = params.inputDim * params.kernel;
  const out = new Float32Array(n * D);
  for (let r0 = 0; r0 < n; r0 += block) {
    const rows = Math.min(block, n - r0);
    const f = seqnetForward(params, features.subarray(r0 * Ck, (r0 + rows) * Ck), rows, ws);
    out.set(f.subarray(0, rows * D), r0 * D);
  }
  return out;
}
