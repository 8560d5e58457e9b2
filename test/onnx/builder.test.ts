import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { OnnxGraphBuilder, attr, int64s } from '../../src/onnx/builder.js';
import { ModelError } from '../../src/core/errors.js';

const { onnx } = onnxProto;

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

describe('OnnxGraphBuilder', () => {
  it('builds a Conv + Clip + Reshape graph with a symbolic batch that onnxruntime runs', async () => {
    const g = new OnnxGraphBuilder('tiny');
    g.input('x', 'float32', ['batch', 1, 2, 2]);
    // 1x1 conv, 2 output channels: y0 = 2x + 1, y1 = -x
    g.initializer('w', Float32Array.of(2, -1), [2, 1, 1, 1]);
    g.initializer('b', Float32Array.of(1, 0), [2]);
    g.node('Conv', ['x', 'w', 'b'], ['y'], { pads: [0, 0, 0, 0], strides: [1, 1] });
    const lo = g.scalar('lo', 0);
    const hi = g.scalar('hi', 6);
    g.node('Clip', ['y', lo, hi], ['c']);
    const shape = g.initializer('shape', int64s([0, -1]), [2]);
    g.node('Reshape', ['c', shape], ['out']);
    g.output('out', 'float32', ['batch', 8]);
    const bytes = g.toBytes();

    const x = new ort.Tensor('float32', Float32Array.of(-1, 0, 1, 4, 2, 3, -2, 0.5), [2, 1, 2, 2]);
    const { out } = await run(bytes, { x });
    assert.deepEqual(out.dims, [2, 8]);
    // batch 0: y0 = [-1, 1, 3, 9] -> clip [0, 1, 3, 6]; y1 = [1, 0, -1, -4] -> [1, 0, 0, 0]
    // batch 1: y0 = [5, 7, -3, 2] -> [5, 6, 0, 2];   y1 = [-2, -3, 2, -0.5] -> [0, 0, 2, 0]
    assert.deepEqual(Array.from(out.data as Float32Array), [0, 1, 3, 6, 1, 0, 0, 0, 5, 6, 0, 2, 0, 0, 2, 0]);
  });

  it('writes float attributes (explicit and inferred), opset and metadata', async () => {
    const g = new OnnxGraphBuilder('attrs', { opset: 17 });
    g.input('x', 'float32', [3]);
    g.node('LeakyRelu', ['x'], ['a'], { alpha: attr.float(2) }); // integer-valued float: must be explicit
    g.node('LeakyRelu', ['a'], ['y'], { alpha: 0.5 }); // inferred FLOAT
    g.output('y', 'float32', [3]);
    g.meta('converter', 'v1');
    const bytes = g.toBytes();
    const decoded = onnx.ModelProto.decode(bytes);
    assert.equal(Number(decoded.irVersion), 8);
    assert.equal(Number(decoded.opsetImport[0].version), 17);
    assert.deepEqual(decoded.metadataProps.map((p) => [p.key, p.value]), [['converter', 'v1']]);
    const { y } = await run(bytes, { x: new ort.Tensor('float32', Float32Array.of(-1, 0, 3), [3]) });
    assert.deepEqual(Array.from(y.data as Float32Array), [-1, 0, 3]); // -1 * 2 * 0.5
  });

  it('rejects undefined inputs, duplicate names, size mismatches and missing outputs', () => {
    const g = new OnnxGraphBuilder('bad');
    g.input('x', 'float32', [1]);
    assert.throws(() => g.node('Relu', ['nope'], ['y']), ModelError);
    assert.throws(() => g.input('x', 'float32', [1]), /defined twice/);
    assert.throws(() => g.initializer('w', new Float32Array(3), [2, 2]), /3 values/);
    assert.throws(() => g.toBytes(), /no outputs/);
    g.output('z', 'float32', [1]);
    assert.throws(() => g.toBytes(), /not produced/);
  });

  it('gives fresh names from op()', () => {
    const g = new OnnxGraphBuilder('names');
    g.input('x', 'float32', [2]);
    const a = g.op('Relu', ['x']);
    const b = g.op('Relu', [a]);
    assert.notEqual(a, b);
    assert.ok(g.has(a) && g.has(b));
  });
});
