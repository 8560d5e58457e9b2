import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder } from '../../../src/onnx/builder.js';
import { appendGridHead } from '../../../src/encoders/builtin/grid-head.js';

async function runHead(centre: boolean, data: Float32Array, dims: number[]): Promise<number[]> {
  const g = new OnnxGraphBuilder('head');
  g.input('f', 'float32', ['n', 'c', 'h', 'w']);
  appendGridHead(g, 'f', { cellsX: 2, cellsY: 2, centre, output: 'd' });
  g.output('d', 'float32', ['n', 'dim']);
  const session = await ort.InferenceSession.create(g.toBytes());
  const { d } = await session.run({ f: new ort.Tensor('float32', data, dims) });
  await session.release();
  return Array.from(d.data as Float32Array);
}

/** Batch of 2 maps, 2 channels, 3 x 5: map 0 has channel 0 = y*5+x and channel 1 = 1; map 1 is zero. */
function maps(): Float32Array {
  const data = new Float32Array(2 * 2 * 3 * 5);
  for (let i = 0; i < 15; i++) {
    data[i] = i;
    data[15 + i] = 1;
  }
  return data;
}

function close(actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `[${i}] ${v} != ${expected[i]}`));
}

describe('appendGridHead', () => {
  // 2x2 cells over 3 rows x 5 cols, PyTorch adaptive bounds: rows [0,2) [1,3), cols [0,3) [2,5)
  it('average-pools into overlapping adaptive cells and L2-normalises (channel-major)', async () => {
    const out = await runHead(false, maps(), [2, 2, 3, 5]);
    const raw = [3.5, 5.5, 8.5, 10.5, 1, 1, 1, 1];
    const n = Math.sqrt(raw.reduce((s, v) => s + v * v, 0));
    close(out.slice(0, 8), raw.map((v) => v / n));
    close(out.slice(8), [0, 0, 0, 0, 0, 0, 0, 0]); // zero map: zero descriptor, no NaN
  });

  it('centres each channel over the cells before normalising', async () => {
    const out = await runHead(true, maps(), [2, 2, 3, 5]);
    const n = Math.sqrt(29); // channel 0 -> [-3.5, -1.5, 1.5, 3.5]; constant channel 1 -> 0
    close(out.slice(0, 8), [-3.5 / n, -1.5 / n, 1.5 / n, 3.5 / n, 0, 0, 0, 0]);
  });

  it('gives the same dim for any input size (non-overlapping cells on an even map)', async () => {
    const data = Float32Array.from({ length: 4 * 4 }, (_, i) => i); // 1 channel, 4x4
    const out = await runHead(false, data, [1, 1, 4, 4]);
    const raw = [2.5, 4.5, 10.5, 12.5]; // means of the 2x2 quadrants
    const n = Math.sqrt(raw.reduce((s, v) => s + v * v, 0));
    close(out, raw.map((v) => v / n));
  });
});
