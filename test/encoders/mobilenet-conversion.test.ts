// Numerical check of our ONNX conversion against the ORIGINAL nsfwjs model run by tfjs (CPU backend),
// from the same model.json and weight bytes, plus the head and the built model's contract.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { readNsfwjsMobileNetV2, type NsfwjsModelFiles } from '../../src/encoders/builtin/nsfwjs-model.js';
import { buildMobileNetBlock10, MOBILENET_BLOCK10, MOBILENET_BLOCK10_DIM } from '../../src/encoders/builtin/mobilenet-block10.js';
import { buildBuiltinModels } from '../../src/encoders/builtin/build-models.js';
import { frameModelManifestSchema, loadManifest } from '../../src/encoders/manifest.js';
import { maxAbsDiff, nhwcToNchw, seededUniform } from './builtin/tensor-helpers.js';

const FEATURE = MOBILENET_BLOCK10.featureLayer;

/** tfjs IOHandler over nsfwjs's files; `cut` keeps layers up to FEATURE and frees the input size. */
async function loadTfjs(source: NsfwjsModelFiles, cut: boolean): Promise<tf.LayersModel> {
  const topology = structuredClone(source.json.modelTopology) as { model_config: { config: Record<string, unknown> } };
  if (cut) {
    // The full model ends in Flatten, which needs a fixed input size; the truncated one does not.
    const config = topology.model_config.config as { layers: { name: string; config: Record<string, unknown> }[] } & Record<string, unknown>;
    config.layers = config.layers.slice(0, config.layers.findIndex((l) => l.name === FEATURE) + 1);
    config.layers[0].config.batch_input_shape = [null, null, null, 3];
    config.output_layers = [[FEATURE, 0, 0]];
  }
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: topology,
      weightSpecs: source.json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: source.weightData.slice().buffer,
    }),
  };
  return tf.loadLayersModel(handler, { strict: !cut });
}

/** Random RGB in [0, 1] (the manifest's pixel range), NHWC for tfjs and NCHW for ONNX. */
function randomImage(h: number, w: number, seed: number): { nhwc: Float32Array; nchw: Float32Array } {
  const nhwc = seededUniform(h * w * 3, seed).map((v) => (v + 1) / 2);
  return { nhwc, nchw: nhwcToNchw(nhwc, 1, h, w, 3) };
}

describe('MobileNetV2 block_10 conversion (nsfwjs -> ONNX)', () => {
  let source: NsfwjsModelFiles;
  let session: ort.InferenceSession;

  before(async () => {
    await tf.setBackend('cpu');
    source = readNsfwjsMobileNetV2();
    // The converted backbone alone (no input normalisation), so tfjs can be fed the same pixels.
    const raw = { inputNorm: { ...MOBILENET_BLOCK10.inputNorm, mode: 'none' as const, blurPasses: 0 } };
    session = await ort.InferenceSession.create(buildMobileNetBlock10({ source, exposeFeatureMap: true, variant: raw }));
  });
  after(async () => {
    await session?.release();
  });

  it(`matches the original tfjs model at ${FEATURE} (224x224, truncated with tf.model)`, async () => {
    const full = await loadTfjs(source, false);
    const truncated = tf.model({ inputs: full.inputs, outputs: full.getLayer(FEATURE).output as tf.SymbolicTensor });
    const { nhwc, nchw } = randomImage(224, 224, 42);
    const expected = truncated.predict(tf.tensor4d(nhwc, [1, 224, 224, 3])) as tf.Tensor4D;
    const [, h, w, c] = expected.shape;
    const out = await session.run({ image: new ort.Tensor('float32', nchw, [1, 3, 224, 224]) });
    assert.deepEqual(out[FEATURE].dims, [1, c, h, w]);
    const diff = maxAbsDiff(out[FEATURE].data as Float32Array, nhwcToNchw(expected.dataSync() as Float32Array, 1, h, w, c));
    assert.ok(diff < 1e-3, `max |onnx - tfjs| = ${diff}`); // measured ~1e-5 on values up to ~10
    full.dispose();
  });

  it('matches tfjs at the manifest size (256x128) and its descriptor is the grid head of that map', async () => {
    const cut = await loadTfjs(source, true);
    const { width: W, height: H, cellsX, cellsY } = MOBILENET_BLOCK10;
    const { nhwc, nchw } = randomImage(H, W, 7);
    const feature = cut.predict(tf.tensor4d(nhwc, [1, H, W, 3])) as tf.Tensor4D; // [1, 8, 16, 96]
    const out = await session.run({ image: new ort.Tensor('float32', nchw, [1, 3, H, W]) });
    const [, fh, fw, c] = feature.shape;
    const featDiff = maxAbsDiff(out[FEATURE].data as Float32Array, nhwcToNchw(feature.dataSync() as Float32Array, 1, fh, fw, c));
    assert.ok(featDiff < 1e-3, `feature map: max |onnx - tfjs| = ${featDiff}`);

    // Reference head with tf ops: even map, so adaptive cells are plain pool windows.
    const expected = tf.tidy(() => {
      const cells = tf.avgPool(feature, [fh / cellsY, fw / cellsX], [fh / cellsY, fw / cellsX], 'valid');
      const centred = MOBILENET_BLOCK10.centre ? tf.sub(cells, tf.mean(cells, [1, 2], true)) : cells;
      const flat = tf.reshape(tf.transpose(centred, [0, 3, 1, 2]), [1, -1]); // channel-major, like the graph
      return tf.div(flat, tf.norm(flat, 2, 1, true)).dataSync() as Float32Array;
    });
    const descriptor = out[MOBILENET_BLOCK10.outputName];
    assert.deepEqual(descriptor.dims, [1, MOBILENET_BLOCK10_DIM]);
    const headDiff = maxAbsDiff(descriptor.data as Float32Array, expected);
    assert.ok(headDiff < 1e-5, `descriptor: max |onnx - tf reference| = ${headDiff}`);
    cut.dispose();
  });

  it('builds a model whose manifest names its input/output and whose descriptors have that dim and unit norm', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-builtin-'));
    try {
      await buildBuiltinModels(dir);
      const { manifest, modelPath } = await loadManifest(path.join(dir, MOBILENET_BLOCK10.manifestFile), frameModelManifestSchema);
      const built = await ort.InferenceSession.create(modelPath);
      assert.deepEqual(built.inputNames, [manifest.input.name]);
      assert.deepEqual(built.outputNames, [manifest.output.name]);
      const { width: W, height: H } = manifest.input;
      const batch = new Float32Array(2 * 3 * H * W);
      batch.set(randomImage(H, W, 1).nchw, 0);
      batch.set(randomImage(H, W, 2).nchw, 3 * H * W);
      const out = (await built.run({ [manifest.input.name]: new ort.Tensor('float32', batch, [2, 3, H, W]) }))[manifest.output.name];
      assert.deepEqual(out.dims, [2, manifest.output.dim]);
      const data = out.data as Float32Array;
      for (let b = 0; b < 2; b++) {
        const row = data.subarray(b * manifest.output.dim, (b + 1) * manifest.output.dim);
        const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
        assert.ok(Math.abs(norm - 1) < 1e-5, `descriptor ${b} has norm ${norm}`);
      }
      assert.ok(maxAbsDiff(data.subarray(0, manifest.output.dim), data.subarray(manifest.output.dim)) > 1e-3, 'different images, same descriptor');
      await built.release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
