// mergeModels on two tiny graphs: what both compute is computed once, same-named but different
// constants both survive, and each output is what its own model gives (run in onnxruntime).
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { ModelError } from '../../src/core/errors.js';
import { OnnxGraphBuilder } from '../../src/onnx/builder.js';
import { mergeModels } from '../../src/onnx/merge.js';

/** y = relu(x * 2) then `scale` * that, output under `output`. */
function model(scale: number, output: string): Uint8Array {
  const g = new OnnxGraphBuilder(output);
  g.input('x', 'float32', ['batch', 3]);
  const shared = g.op('Relu', [g.op('Mul', ['x', g.scalar('two', 2)])]);
  g.node('Mul', [shared, g.scalar('scale', scale)], [output]);
  g.output(output, 'float32', ['batch', 3]);
  return g.toBytes();
}

async function run(bytes: Uint8Array, x: number[]): Promise<Record<string, number[]>> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [1, 3]) });
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...(v.data as Float32Array)]]));
}

describe('mergeModels', () => {
  it('computes the shared part once and keeps each output as its own model gives it', async () => {
    const merged = mergeModels(model(3, 'a'), model(5, 'b'), { name: 'ab', prefix: 'b/' });
    const graph = onnxProto.onnx.ModelProto.decode(merged).graph!;
    assert.deepEqual(graph.node!.map((n) => n.opType), ['Mul', 'Relu', 'Mul', 'Mul'], 'the shared Mul and Relu once, both heads');
    assert.deepEqual(graph.initializer!.map((t) => t.name).sort(), ['b/scale', 'scale', 'two'], 'equal constants shared, different ones renamed');
    const x = [-1, 0.5, 2];
    assert.deepEqual(await run(merged, x), { ...(await run(model(3, 'a'), x)), ...(await run(model(5, 'b'), x)) });
  });

  it('refuses models whose outputs clash', () => {
    assert.throws(() => mergeModels(model(3, 'a'), model(5, 'a'), { name: 'aa', prefix: 'b/' }), ModelError);
  });
});
