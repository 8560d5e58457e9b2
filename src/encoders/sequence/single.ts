// The single-frame baseline as a sequence encoder: the newest frame's descriptor, L2-normalised
// (a no-op for encoders that already normalise), so single-frame and sequence runs share one path.
import { createHash } from 'node:crypto';
import { ConfigError } from '../../core/errors.js';
import { l2NormalizeInPlace } from '../../core/vector.js';
import type { SequenceEncoder } from '../types.js';
import { checkWindows } from './windows.js';

export class SingleFrameSequenceEncoder implements SequenceEncoder {
  readonly id: string;
  readonly hash: string;
  readonly outputDim: number;

  /** `length` is the window the pipeline keeps (fine matching may want more than one frame). */
  constructor(
    readonly inputDim: number,
    readonly length = 1,
  ) {
    if (!Number.isInteger(inputDim) || inputDim < 1) throw new ConfigError(`single sequence encoder needs a positive frame dimension, got ${inputDim}`);
    if (!Number.isInteger(length) || length < 1) throw new ConfigError(`single sequence encoder needs a window length >= 1, got ${length}`);
    this.outputDim = inputDim;
    this.id = length === 1 ? 'single' : `single-l${length}`;
    this.hash = createHash('sha256').update(JSON.stringify({ encoder: 'single', version: 1, dim: inputDim })).digest('hex');
  }

  async encode(windows: readonly (readonly Float32Array[])[]): Promise<Float32Array[]> {
    checkWindows(windows, this.length, this.inputDim);
    return windows.map((w) => l2NormalizeInPlace(Float32Array.from(w[w.length - 1])));
  }

  async close(): Promise<void> {
    // Nothing to release.
  }
}
