// One ONNX model that maps a batch of fixed-shape float32 items to one descriptor each. Shared by
// the frame and sequence encoders: execution-provider choice with CPU fallback, I/O checks against
// the manifest, fixed-batch padding, output size / NaN checks and optional L2 normalisation.
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { DescriptorError, ModelError } from '../core/errors.js';
import { isFiniteVector, l2NormalizeInPlace } from '../core/vector.js';

// onnxruntime logs a native error line each time a GPU provider library fails to load; those
// failures reach us as exceptions and become one warning, so the native log would only be noise.
ort.env.logLevel = 'fatal';

export const executionProviderSchema = z.enum(['cuda', 'tensorrt', 'cpu']);
export type ExecutionProviderName = z.infer<typeof executionProviderSchema>;

/** Runtime options shared by every ONNX-backed encoder (the `providers` / `intraOpThreads` config keys). */
export const onnxRuntimeConfigShape = {
  /** Execution providers in order of preference; cpu is always the last resort. */
  providers: z.array(executionProviderSchema).min(1).default(['cpu']),
  /** Threads onnxruntime uses inside one operator; unset lets onnxruntime choose. */
  intraOpThreads: z.number().int().positive().optional(),
};

export interface OnnxRuntimeOptions {
  providers?: readonly ExecutionProviderName[];
  intraOpThreads?: number;
  /** Receives the single fallback warning; defaults to console.warn. */
  warn?: (message: string) => void;
}

export interface OnnxModelIo {
  inputName: string;
  outputName: string;
  /** Shape of one item without the batch dimension, e.g. [3, H, W] or [L, dim]. */
  itemShape: readonly number[];
  /** Values the model outputs per item. */
  dim: number;
  l2Normalize: boolean;
  /** Largest batch to run at once (a fixed batch dimension in the model overrides it). */
  maxBatch: number;
  /** What one item is, for messages: "image", "window". */
  itemNoun: string;
  /**
   * Further outputs computed in the same run (a combined model's second head), `dim` values per
   * item each; returned as they come (size-checked only: what a bad value means is the caller's).
   */
  extraOutputs?: readonly { name: string; dim: number }[];
}

/** Creates a session on the first provider in `providers` that loads; cpu closes the list. */
export async function openSession(
  modelPath: string,
  options: OnnxRuntimeOptions,
): Promise<{ session: ort.InferenceSession; provider: ExecutionProviderName }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(modelPath);
  } catch (e) {
    throw new ModelError(`model file ${modelPath} cannot be read: ${(e as Error).message}`);
  }
  const wanted = [...new Set<ExecutionProviderName>([...(options.providers ?? ['cpu']), 'cpu'])];
  const failures: string[] = [];
  for (let i = 0; i < wanted.length; i++) {
    try {
      // The rest of the list stays as onnxruntime's own per-node fallback (tensorrt -> cuda -> cpu).
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: wanted.slice(i),
        graphOptimizationLevel: 'all',
        // No busy-waiting between operators: onnxruntime's idle intra-op threads otherwise spin, which
        // cost 4x the model's CPU time per live frame (17 ms for 4 ms of work, built-in CNN, 2 cores)
        // and starved decoding, HNSW search and matching: p95 latency 80-200 ms instead of 21-28 ms
        // (bench/latency.ts, 100k-frame map, 10 Hz).
        extra: { session: { intra_op: { allow_spinning: '0' } } },
        // onnxruntime-node rejects an explicit undefined, so the key is only set when configured.
        ...(options.intraOpThreads !== undefined && { intraOpNumThreads: options.intraOpThreads }),
      });
      if (failures.length > 0) {
        (options.warn ?? console.warn)(
          `onnxruntime: execution provider${failures.length > 1 ? 's' : ''} ${failures.join('; ')} unavailable ` +
            `for ${modelPath}; running on ${wanted[i]}. ` +
            'Install the GPU build of onnxruntime with matching CUDA/TensorRT libraries, or list only "cpu" in providers to silence this.',
        );
      }
      return { session, provider: wanted[i] };
    } catch (e) {
      const message = (e as Error).message;
      if (wanted[i] === 'cpu') throw new ModelError(`cannot load ONNX model ${modelPath}: ${message}`);
      failures.push(`${wanted[i]} (${message})`);
    }
  }
  throw new ModelError(`no execution provider could load ${modelPath}`); // unreachable: cpu ends the list
}

const isStatic = (d: number | string): d is number => typeof d === 'number' && d > 0;

export class OnnxDescriptorModel {
  /** Images/windows per session.run call. */
  readonly batchSize: number;
  private readonly itemSize: number;
  /** True when the model's batch dimension is fixed, so short batches are zero-padded. */
  private readonly fixedBatch: boolean;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly provider: ExecutionProviderName,
    private readonly io: OnnxModelIo,
    private readonly modelPath: string,
  ) {
    this.itemSize = io.itemShape.reduce((a, b) => a * b, 1);
    const batchDim = this.tensorMetadata('input')?.shape[0];
    this.fixedBatch = batchDim !== undefined && isStatic(batchDim);
    this.batchSize = this.fixedBatch ? (batchDim as number) : io.maxBatch;
  }

  static async open(modelPath: string, io: OnnxModelIo, options: OnnxRuntimeOptions): Promise<OnnxDescriptorModel> {
    const { session, provider } = await openSession(modelPath, options);
    try {
      const model = new OnnxDescriptorModel(session, provider, io, modelPath);
      model.checkAgainstManifest();
      return model;
    } catch (e) {
      await session.release();
      throw e;
    }
  }

  /**
   * Runs n items (n <= batchSize) packed in `input`; returns one checked descriptor per item.
   * `firstIndex` is the position of the first item in the caller's batch, for error messages.
   */
  async run(input: Float32Array, n: number, firstIndex = 0): Promise<Float32Array[]> {
    return (await this.runAll(input, n, firstIndex)).descriptors;
  }

  /** run() plus the extra outputs: extras[k][i] is item i's value of io.extraOutputs[k]. */
  async runAll(input: Float32Array, n: number, firstIndex = 0): Promise<{ descriptors: Float32Array[]; extras: Float32Array[][] }> {
    if (n > this.batchSize || input.length !== n * this.itemSize) {
      throw new ModelError(`internal: batch of ${n} ${this.io.itemNoun}s with ${input.length} values does not fit the model`);
    }
    const feedBatch = this.fixedBatch ? this.batchSize : n;
    const data = feedBatch === n ? input : padded(input, feedBatch * this.itemSize);
    const feeds = { [this.io.inputName]: new ort.Tensor('float32', data, [feedBatch, ...this.io.itemShape]) };
    let outputs: ort.InferenceSession.OnnxValueMapType;
    try {
      outputs = await this.session.run(feeds);
    } catch (e) {
      throw new ModelError(`onnxruntime failed running ${this.modelPath}: ${(e as Error).message}`);
    }
    const values = this.outputValues(outputs, this.io.outputName, this.io.dim, feedBatch);
    const extras = (this.io.extraOutputs ?? []).map(({ name, dim }) => {
      const all = this.outputValues(outputs, name, dim, feedBatch);
      return Array.from({ length: n }, (_, i) => all.slice(i * dim, (i + 1) * dim));
    });
    const result: Float32Array[] = [];
    for (let i = 0; i < n; i++) {
      const d = values.slice(i * this.io.dim, (i + 1) * this.io.dim);
      if (!isFiniteVector(d)) {
        throw new DescriptorError(
          `model ${this.modelPath} produced NaN or Infinity for ${this.io.itemNoun} ${firstIndex + i}; check the input and the model export`,
        );
      }
      result.push(this.io.l2Normalize ? l2NormalizeInPlace(d) : d);
    }
    return { descriptors: result, extras };
  }

  /** One output's values for the whole fed batch, type- and size-checked. */
  private outputValues(outputs: ort.InferenceSession.OnnxValueMapType, name: string, dim: number, feedBatch: number): Float32Array {
    const out = outputs[name] as ort.Tensor;
    if (out.type !== 'float32') {
      throw new ModelError(`model output "${name}" is ${out.type}, expected float32 (${this.modelPath})`);
    }
    const values = out.data as Float32Array;
    if (values.length % feedBatch !== 0 || values.length / feedBatch !== dim) {
      throw this.dimError(values.length / feedBatch, name);
    }
    return values;
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  private checkAgainstManifest(): void {
    const { inputName, outputName } = this.io;
    if (!this.session.inputNames.includes(inputName)) {
      throw new ModelError(
        `model ${this.modelPath} has no input "${inputName}" (it has: ${this.session.inputNames.join(', ')}); fix input.name in the manifest`,
      );
    }
    for (const name of [outputName, ...(this.io.extraOutputs ?? []).map((o) => o.name)]) {
      if (!this.session.outputNames.includes(name)) {
        throw new ModelError(
          `model ${this.modelPath} has no output "${name}" (it has: ${this.session.outputNames.join(', ')}); fix output.name in the manifest`,
        );
      }
    }
    const inShape = this.tensorMetadata('input')?.shape;
    if (inShape) {
      const expected = [this.io.itemShape.length + 1, ...this.io.itemShape];
      const rankOk = inShape.length === expected[0];
      const dimsOk = rankOk && this.io.itemShape.every((d, i) => !isStatic(inShape[i + 1]) || inShape[i + 1] === d);
      if (!dimsOk) {
        throw new ModelError(
          `model ${this.modelPath} input "${inputName}" has shape [${inShape.join(', ')}], ` +
            `the manifest describes [batch, ${this.io.itemShape.join(', ')}]`,
        );
      }
    }
    const outShape = this.tensorMetadata('output')?.shape;
    if (outShape && outShape.length > 1 && outShape.slice(1).every(isStatic)) {
      const perItem = (outShape.slice(1) as number[]).reduce((a, b) => a * b, 1);
      if (perItem !== this.io.dim) throw this.dimError(perItem);
    }
  }

  private dimError(perItem: number, name = this.io.outputName): ModelError {
    const dim = name === this.io.outputName ? this.io.dim : this.io.extraOutputs?.find((o) => o.name === name)?.dim;
    const what = name === this.io.outputName ? 'model outputs' : `model output "${name}" has`;
    return new ModelError(`${what} ${perItem} values per ${this.io.itemNoun}, manifest says ${dim} (${this.modelPath}); fix output.dim or the export`);
  }

  private tensorMetadata(which: 'input' | 'output'): { shape: readonly (number | string)[] } | undefined {
    const name = which === 'input' ? this.io.inputName : this.io.outputName;
    const list = which === 'input' ? this.session.inputMetadata : this.session.outputMetadata;
    const meta = list?.find((m) => m.name === name);
    return meta && meta.isTensor && meta.shape.length > 0 ? meta : undefined;
  }
}

function padded(input: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(input);
  return out;
}

/** Splits a list into consecutive chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
