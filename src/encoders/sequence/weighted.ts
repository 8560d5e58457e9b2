// Weight-free sequence descriptors from SeqNet's baselines: a fixed weighted sum of the window's
// frame descriptors, L2-normalised. smoothing = mean over time, delta = late half minus early half.
import { createHash } from 'node:crypto';
import { ConfigError } from '../../core/errors.js';
import { l2NormalizeInPlace } from '../../core/vector.js';
import type { SequenceEncoder } from '../types.js';
import { checkWindows } from './windows.js';

/** norm(mean_t x_t): every frame weighs 1/L (the scale is irrelevant after normalisation). */
export function smoothingWeights(length: number): number[] {
  return new Array(length).fill(1 / length);
}

/** SeqNet's delta: -2/L for t < floor(L/2), +2/L after; L = 5 gives [-.4, -.4, .4, .4, .4]. */
export function deltaWeights(length: number): number[] {
  const half = Math.floor(length / 2);
  return Array.from({ length }, (_, t) => (t < half ? -2 / length : 2 / length));
}

export class WeightedSumSequenceEncoder implements SequenceEncoder {
  readonly id: string;
  readonly hash: string;
  readonly length: number;
  readonly outputDim: number;

  constructor(
    readonly kind: 'smoothing' | 'delta',
    readonly inputDim: number,
    readonly weights: readonly number[],
  ) {
    this.length = weights.length;
    this.outputDim = inputDim;
    this.id = `${kind}-l${this.length}`;
    this.hash = createHash('sha256').update(JSON.stringify({ encoder: kind, version: 1, weights, dim: inputDim })).digest('hex');
  }

  async encode(windows: readonly (readonly Float32Array[])[]): Promise<Float32Array[]> {
    checkWindows(windows, this.length, this.inputDim);
    return windows.map((w) => {
      const out = new Float32Array(this.inputDim);
      w.forEach((d, t) => {
        const wt = this.weights[t];
        for (let k = 0; k < out.length; k++) out[k] += wt * d[k];
      });
      return l2NormalizeInPlace(out);
    });
  }

  async close(): Promise<void> {
    // Nothing to release.
  }
}

function checkLength(kind: string, length: number, dim: number): void {
  if (!Number.isInteger(length) || length < 2) {
    throw new ConfigError(`${kind} sequence encoder needs a window length of at least 2, got ${length}; use kind "single" for 1`);
  }
  if (!Number.isInteger(dim) || dim < 1) throw new ConfigError(`${kind} sequence encoder needs a positive frame dimension, got ${dim}`);
}

export function createSmoothingEncoder(length: number, dim: number): WeightedSumSequenceEncoder {
  checkLength('smoothing', length, dim);
  return new WeightedSumSequenceEncoder('smoothing', dim, smoothingWeights(length));
}

export function createDeltaEncoder(length: number, dim: number): WeightedSumSequenceEncoder {
  checkLength('delta', length, dim);
  return new WeightedSumSequenceEncoder('delta', dim, deltaWeights(length));
}
