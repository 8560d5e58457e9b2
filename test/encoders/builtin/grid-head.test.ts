import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder } from '../../../src/onnx/builder.js';
import { appendGridHead, neighbourSmoothing, type GridHeadOptions } from '../../../src/encoders/builtin/grid-head.js';

async function runHead(centre: boolean, data: Float32Array, dims: number[], extra: Partial<GridHeadOptions> = {}): Promise<number[]> {
  const g = new OnnxGraphBuilder('head');
  g.input('f', 'float32', ['n', 'c', 'h', 'w']);
  appendGridHead(g, 'f', { cellsX: 2, cellsY: 2, centre, output: 'd', ...extra });
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

  /** 1 channel, 2 x 16 map, a bright blob 2 columns wide starting at column `at`. */
  function blob(at: number): Float32Array {
    const data = new Float32Array(32);
    for (const y of [0, 1]) for (const x of [at, at + 1]) data[y * 16 + x] = 1;
    return data;
  }
  const cosine = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

  it('soft horizontal binning tolerates a sideways shift of a cell (synthetic case)', async () => {
    const opts = { cellsX: 8, cellsY: 1 };
    const hard = [await runHead(true, blob(4), [1, 1, 2, 16], opts), await runHead(true, blob(6), [1, 1, 2, 16], opts)];
    const soft = [
      await runHead(true, blob(4), [1, 1, 2, 16], { ...opts, smoothX: 0.25 }),
      await runHead(true, blob(6), [1, 1, 2, 16], { ...opts, smoothX: 0.25 }),
    ];
    // Hard cells: the blob moved into the next cell, the centred descriptors are nearly unrelated.
    assert.ok(cosine(hard[0], hard[1]) < 0, `hard ${cosine(hard[0], hard[1])}`);
    assert.ok(cosine(soft[0], soft[1]) > 0.3, `soft ${cosine(soft[0], soft[1])}`);
    // Far apart places stay apart.
    const far = await runHead(true, blob(12), [1, 1, 2, 16], { ...opts, smoothX: 0.25 });
    assert.ok(cosine(soft[0], far) < 0, `far ${cosine(soft[0], far)}`);
  });

  it('neighbour smoothing keeps a constant row constant and rejects weights >= 0.5', () => {
    const m = neighbourSmoothing(5, 0.25);
    for (let dst = 0; dst < 5; dst++) {
      let s = 0;
      for (let src = 0; src < 5; src++) s += m[src * 5 + dst];
      assert.ok(Math.abs(s - 1) < 1e-6);
    }
    assert.throws(() => neighbourSmoothing(5, 0.5), RangeError);
  });

  it('signed power normalisation damps a dominant activation', async () => {
    // 1 channel, 1 x 4 map, cells 4 x 1: one large value among small ones.
    const data = Float32Array.of(16, 1, -1, 0);
    const plain = await runHead(false, data, [1, 1, 1, 4], { cellsX: 4, cellsY: 1 });
    const sqrt = await runHead(false, data, [1, 1, 1, 4], { cellsX: 4, cellsY: 1, power: 0.5 });
    const n = Math.sqrt(16 + 1 + 1); // (4, 1, -1, 0) after the square root
    close(sqrt, [4 / n, 1 / n, -1 / n, 0]);
    assert.ok(sqrt[0] < plain[0]);
  });
});
