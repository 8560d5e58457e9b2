// Small ONNX models generated on the fly (with src/onnx/builder.ts) plus their YAML manifests,
// written into a temp folder, for the ONNX encoder tests.
import { mulberry32 } from '../support/random-unit-vectors.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { OnnxGraphBuilder, type OnnxDim } from '../../src/onnx/builder.js';

export class ModelFolder {
  private constructor(readonly dir: string) {}

  static async create(): Promise<ModelFolder> {
    return new ModelFolder(await mkdtemp(path.join(tmpdir(), 'seqvpr-onnx-')));
  }

  /** Writes `<name>.onnx` (when bytes are given) and `<name>.yaml`; returns the manifest path. */
  async write(name: string, bytes: Uint8Array | undefined, manifest: Record<string, unknown>): Promise<string> {
    if (bytes) await writeFile(path.join(this.dir, `${name}.onnx`), bytes);
    const manifestPath = path.join(this.dir, `${name}.yaml`);
    await writeFile(manifestPath, YAML.stringify({ version: 1, model: `${name}.onnx`, ...manifest }));
    return manifestPath;
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * x [batch, c, h, w] -> y [batch, c*h*w]: the model returns its (preprocessed) input, flattened.
 * `dynamicSize` declares h and w symbolic, so onnxruntime cannot know the output size before running.
 */
export function flattenModel(
  c: number,
  h: number,
  w: number,
  opts: { batch?: OnnxDim; outDim?: OnnxDim; log?: boolean; dynamicSize?: boolean } = {},
): Uint8Array {
  const batch = opts.batch ?? 'batch';
  const g = new OnnxGraphBuilder('flatten');
  g.input('x', 'float32', opts.dynamicSize ? [batch, c, 'h', 'w'] : [batch, c, h, w]);
  const flat = g.op('Flatten', ['x'], { axis: 1 });
  // Log makes a zero input -Infinity: the NaN/Infinity check's test case.
  g.node(opts.log ? 'Log' : 'Identity', [flat], ['y']);
  g.output('y', 'float32', [batch, opts.outDim ?? 'dim']);
  return g.toBytes();
}

/**
 * SeqNet-like sequence model: x [B, L, D] -> Transpose [B, D, L] -> Conv1d (kernel w, bias) over time
 * -> mean over time -> L2 normalisation: y [B, O].
 */
export function seqnetModel(length: number, dim: number, weight: Float32Array, bias: Float32Array, kernel: number): Uint8Array {
  const out = bias.length;
  const g = new OnnxGraphBuilder('seqnet');
  g.input('x', 'float32', ['batch', length, dim]);
  const t = g.op('Transpose', ['x'], { perm: [0, 2, 1] });
  g.initializer('w', weight, [out, dim, kernel]);
  g.initializer('b', bias, [out]);
  const conv = g.op('Conv', [t, 'w', 'b'], { kernel_shape: [kernel], strides: [1], pads: [0, 0] });
  const mean = g.op('ReduceMean', [conv], { axes: [2], keepdims: 0 });
  g.node('LpNormalization', [mean], ['y'], { axis: 1, p: 2 });
  g.output('y', 'float32', ['batch', out]);
  return g.toBytes();
}

/** Deterministic pseudo-random numbers in [-1, 1) (mulberry32), so test weights are reproducible. */
export function seededRandom(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => uniform() * 2 - 1;
}
