// A frame encoder backed by any ONNX model described by a frame-encoder manifest (the built-in CNN
// and user exports alike): images are preprocessed as the manifest says and run in batches.
import type { ImageSource } from '../core/types.js';
import { inputShape, preprocessBatch, validateInputSpec } from '../image/preprocess.js';
import { frameModelManifestSchema, loadManifest, type FrameModelManifest } from './manifest.js';
import { chunks, OnnxDescriptorModel, type OnnxModelIo, type OnnxRuntimeOptions } from './onnx-model.js';
import type { EncodeTiming, FrameEncoder } from './types.js';

/** What onnxruntime is asked for by a frame-encoder manifest: one image in, one descriptor out. */
export function frameModelIo(manifest: FrameModelManifest): OnnxModelIo {
  return {
    inputName: manifest.input.name,
    outputName: manifest.output.name,
    itemShape: inputShape(manifest.input, 1).slice(1),
    dim: manifest.output.dim,
    l2Normalize: manifest.output.l2Normalize,
    maxBatch: manifest.maxBatch,
    itemNoun: 'image',
  };
}

export class OnnxFrameEncoder implements FrameEncoder {
  readonly id: string;
  readonly dim: number;

  private constructor(
    readonly manifest: FrameModelManifest,
    readonly hash: string,
    private readonly model: OnnxDescriptorModel,
  ) {
    this.id = `onnx:${manifest.name}`;
    this.dim = manifest.output.dim;
  }

  /** Loads the manifest, its model and an onnxruntime session (see OnnxRuntimeOptions for providers). */
  static async load(manifestPath: string, options: OnnxRuntimeOptions = {}): Promise<OnnxFrameEncoder> {
    const { manifest, modelPath, hash } = await loadManifest(manifestPath, frameModelManifestSchema);
    validateInputSpec(manifest.input);
    const model = await OnnxDescriptorModel.open(modelPath, frameModelIo(manifest), options);
    return new OnnxFrameEncoder(manifest, hash, model);
  }

  /** Execution provider in use ("cpu" after a fallback). */
  get provider(): string {
    return this.model.provider;
  }

  async encode(images: readonly ImageSource[], timing?: EncodeTiming): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    // Preprocess chunk by chunk so memory stays bounded by one model batch.
    for (const chunk of chunks(images, this.model.batchSize)) {
      const tensor = await preprocessBatch(chunk, this.manifest.input, timing);
      out.push(...(await this.model.run(tensor, chunk.length, out.length)));
    }
    return out;
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}
