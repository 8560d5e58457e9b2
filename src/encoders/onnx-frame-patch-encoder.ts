// The frame encoder for re-ranking with the built-in models: one ONNX model (a combined manifest,
// manifest.ts) that outputs the frame descriptor and the patch grid from one decode and one
// backbone pass. Input, outputs and identities come from the two models' own manifests, and the
// combined model is used only while it was built from exactly those (their hashes match), so its
// descriptors and grids are the ones the two models give and maps stay valid either way.
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { ModelError } from '../core/errors.js';
import type { ImageSource } from '../core/types.js';
import { isFiniteVector } from '../core/vector.js';
import { preprocessBatch, validateInputSpec } from '../image/preprocess.js';
import { combinedModelManifestSchema, frameModelManifestSchema, loadManifest, type FrameModelManifest } from './manifest.js';
import { frameModelIo } from './onnx-frame-encoder.js';
import { chunks, OnnxDescriptorModel, type OnnxRuntimeOptions } from './onnx-model.js';
import type { EncodeTiming, FramePatchEncoder, FrameWithPatches, PatchModelIdentity } from './types.js';

export class OnnxFramePatchEncoder implements FramePatchEncoder {
  readonly id: string;
  readonly dim: number;

  private constructor(
    private readonly input: FrameModelManifest['input'],
    readonly hash: string,
    readonly patchModel: PatchModelIdentity,
    frame: Pick<FrameModelManifest, 'name' | 'output'>,
    private readonly model: OnnxDescriptorModel,
  ) {
    this.id = `onnx:${frame.name}`;
    this.dim = frame.output.dim;
  }

  /**
   * Loads a combined manifest and opens one session. Throws a ModelError when the combined model is
   * stale (built from other versions of the two models) or the two models' inputs differ.
   */
  static async load(manifestPath: string, options: OnnxRuntimeOptions = {}): Promise<OnnxFramePatchEncoder> {
    const combined = await loadManifest(manifestPath, combinedModelManifestSchema);
    const dir = path.dirname(manifestPath);
    const [frame, patches] = await Promise.all(
      [combined.manifest.frame, combined.manifest.patches].map(async (c) => {
        const loaded = await loadManifest(path.resolve(dir, c.manifest), frameModelManifestSchema);
        if (loaded.hash !== c.hash) {
          throw new ModelError(`${manifestPath} was built from another version of ${c.manifest}; rebuild it ("npm run build:models")`);
        }
        return loaded;
      }),
    );
    if (!isDeepStrictEqual(frame.manifest.input, patches.manifest.input)) {
      throw new ModelError(`${manifestPath}: ${combined.manifest.frame.manifest} and ${combined.manifest.patches.manifest} read their images differently; one model cannot serve both`);
    }
    validateInputSpec(frame.manifest.input);
    const f = frame.manifest;
    const p = patches.manifest;
    const model = await OnnxDescriptorModel.open(
      combined.modelPath,
      { ...frameModelIo(f), maxBatch: Math.min(f.maxBatch, p.maxBatch), extraOutputs: [{ name: p.output.name, dim: p.output.dim }] },
      options,
    );
    // The patch grid is the patch model's output as it comes (the re-ranker normalises its cells itself).
    return new OnnxFramePatchEncoder(f.input, frame.hash, { id: `onnx:${p.name}`, hash: patches.hash, dim: p.output.dim }, f, model);
  }

  get provider(): string {
    return this.model.provider;
  }

  async encode(images: readonly ImageSource[], timing?: EncodeTiming): Promise<Float32Array[]> {
    return (await this.encodeWithPatches(images, timing)).map((r) => r.descriptor);
  }

  async encodeWithPatches(images: readonly ImageSource[], timing?: EncodeTiming): Promise<FrameWithPatches[]> {
    const out: FrameWithPatches[] = [];
    for (const chunk of chunks(images, this.model.batchSize)) {
      const tensor = await preprocessBatch(chunk, this.input, timing);
      const { descriptors, extras } = await this.model.runAll(tensor, chunk.length, out.length);
      descriptors.forEach((descriptor, i) => {
        const grid = extras[0][i];
        out.push({ descriptor, patches: isFiniteVector(grid) ? grid : undefined });
      });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}
