// A learned sequence encoder (SeqNet and the like) from a sequence-encoder manifest: windows go in
// as one [batch, L, dim] float32 tensor, one descriptor per window comes out.
import { loadManifest, sequenceModelManifestSchema, type SequenceModelManifest } from '../manifest.js';
import { chunks, OnnxDescriptorModel, type OnnxRuntimeOptions } from '../onnx-model.js';
import type { SequenceEncoder } from '../types.js';
import { checkWindows, packWindows } from './windows.js';

export interface OnnxSequenceEncoderOptions extends OnnxRuntimeOptions {
  /** Windows per session.run call (the manifest has no batch limit; default 64). */
  maxBatch?: number;
}

export class OnnxSequenceEncoder implements SequenceEncoder {
  readonly id: string;
  readonly length: number;
  readonly inputDim: number;
  readonly outputDim: number;

  private constructor(
    readonly manifest: SequenceModelManifest,
    readonly hash: string,
    private readonly model: OnnxDescriptorModel,
  ) {
    this.id = `onnx:${manifest.name}`;
    this.length = manifest.input.length;
    this.inputDim = manifest.input.dim;
    this.outputDim = manifest.output.dim;
  }

  static async load(manifestPath: string, options: OnnxSequenceEncoderOptions = {}): Promise<OnnxSequenceEncoder> {
    const { manifest, modelPath, hash } = await loadManifest(manifestPath, sequenceModelManifestSchema);
    const model = await OnnxDescriptorModel.open(
      modelPath,
      {
        inputName: manifest.input.name,
        outputName: manifest.output.name,
        itemShape: [manifest.input.length, manifest.input.dim],
        dim: manifest.output.dim,
        l2Normalize: manifest.output.l2Normalize,
        maxBatch: options.maxBatch ?? 64,
        itemNoun: 'window',
      },
      options,
    );
    return new OnnxSequenceEncoder(manifest, hash, model);
  }

  /** Execution provider in use ("cpu" after a fallback). */
  get provider(): string {
    return this.model.provider;
  }

  async encode(windows: readonly (readonly Float32Array[])[]): Promise<Float32Array[]> {
    checkWindows(windows, this.length, this.inputDim);
    const out: Float32Array[] = [];
    for (const chunk of chunks(windows, this.model.batchSize)) {
      out.push(...(await this.model.run(packWindows(chunk, this.length, this.inputDim), chunk.length, out.length)));
    }
    return out;
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}
