// The converter against tfjs itself on a small hand-made Keras model that exercises what
// MobileNetV2 does not: strided 'same' convs, biases, a BatchNormalization that cannot be folded,
// plain ReLU, a depth multiplier, a ZeroPadding2D that must stay a Pad, and Add.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder } from '../../../src/onnx/builder.js';
import { parseTfjsLayersModelJson, readKerasModel } from '../../../src/encoders/builtin/keras-model.js';
import { convertKerasLayers } from '../../../src/encoders/builtin/keras-to-onnx.js';
import { ModelError } from '../../../src/core/errors.js';
import { nhwcToNchw, seededUniform } from './tensor-helpers.js';

/** Saves a tfjs model into the same {modelTopology, weightsManifest} + bytes shape nsfwjs ships. */
async function artifacts(model: tf.LayersModel): Promise<{ json: unknown; weightData: Uint8Array }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  const weightData = new Uint8Array(saved!.weightData as ArrayBuffer);
  return { json: { modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['w'], weights: saved!.weightSpecs }] }, weightData };
}

function randomizeWeights(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    layer.setWeights(
      ws.map((w, k) => {
        const values = seededUniform(w.size, seed + k + layer.name.length * 31);
        // moving_variance (BN's 4th weight) must stay positive
        const positive = layer.getClassName() === 'BatchNormalization' && k === 3;
        return tf.tensor(positive ? values.map((v) => v + 1.5) : values, w.shape);
      }),
    );
  }
}

describe('convertKerasLayers', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('matches tfjs on a small functional model (odd sizes, strided same, unfolded BN, Pad, Add)', async () => {
    const input = tf.input({ shape: [null, null, 3] as unknown as number[] });
    const bn0 = tf.layers.batchNormalization({ name: 'bn_in' }).apply(input) as tf.SymbolicTensor; // no conv before it
    const c1 = tf.layers.conv2d({ name: 'c1', filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: true }).apply(bn0) as tf.SymbolicTensor;
    const b1 = tf.layers.batchNormalization({ name: 'b1', epsilon: 0.01 }).apply(c1) as tf.SymbolicTensor;
    const r1 = tf.layers.reLU({ name: 'r1' }).apply(b1) as tf.SymbolicTensor;
    const pad = tf.layers.zeroPadding2d({ name: 'pad', padding: [[1, 0], [0, 2]] }).apply(r1) as tf.SymbolicTensor;
    const dw = tf.layers.depthwiseConv2d({ name: 'dw', kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: false }).apply(pad) as tf.SymbolicTensor;
    const r6 = tf.layers.reLU({ name: 'r6', maxValue: 6 }).apply(dw) as tf.SymbolicTensor;
    const proj = tf.layers.conv2d({ name: 'proj', filters: 8, kernelSize: 1, padding: 'valid', useBias: false }).apply(r6) as tf.SymbolicTensor;
    const skip = tf.layers.conv2d({ name: 'skip', filters: 8, kernelSize: 1, useBias: true }).apply(dw) as tf.SymbolicTensor;
    const out = tf.layers.add({ name: 'sum' }).apply([proj, skip]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    randomizeWeights(model, 7);

    const { json, weightData } = await artifacts(model);
    const keras = readKerasModel(parseTfjsLayersModelJson(json, 'test model'), weightData);
    const g = new OnnxGraphBuilder('small');
    g.input('x', 'float32', ['n', 3, 'h', 'w']);
    const tensors = convertKerasLayers(keras, g, { input: 'x', outputs: ['sum'] });
    g.output(tensors.get('sum')!, 'float32', ['n', 8, 'oh', 'ow']);
    const session = await ort.InferenceSession.create(g.toBytes());

    for (const [h, w] of [[9, 13], [8, 8]]) {
      const x = seededUniform(2 * h * w * 3, h * 100 + w);
      const expected = model.predict(tf.tensor4d(x, [2, h, w, 3])) as tf.Tensor;
      const result = await session.run({ x: new ort.Tensor('float32', nhwcToNchw(x, 2, h, w, 3), [2, 3, h, w]) });
      const got = result[tensors.get('sum')!];
      const [, oh, ow, oc] = expected.shape;
      assert.deepEqual(got.dims, [2, oc, oh, ow]);
      const want = nhwcToNchw(expected.dataSync() as Float32Array, 2, oh!, ow!, oc!);
      let maxDiff = 0;
      want.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - (got.data as Float32Array)[i]))));
      assert.ok(maxDiff < 1e-4, `max |onnx - tfjs| = ${maxDiff} at ${h}x${w}`);
    }
    await session.release();
  });

  it('names the layer it cannot convert', async () => {
    const input = tf.input({ shape: [4, 4, 3] });
    const pooled = tf.layers.maxPooling2d({ name: 'mp', poolSize: 2 }).apply(input) as tf.SymbolicTensor;
    const { json, weightData } = await artifacts(tf.model({ inputs: input, outputs: pooled }));
    const keras = readKerasModel(parseTfjsLayersModelJson(json, 'test model'), weightData);
    const g = new OnnxGraphBuilder('bad');
    g.input('x', 'float32', [1, 3, 4, 4]);
    assert.throws(() => convertKerasLayers(keras, g, { input: 'x', outputs: ['mp'] }), (e: unknown) => e instanceof ModelError && /mp of class MaxPooling2D/.test(e.message));
    assert.throws(() => convertKerasLayers(keras, g, { input: 'x', outputs: ['nope'] }), /no layer "nope"/);
  });
});
