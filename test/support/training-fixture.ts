// Made-up training data for the training commands: two traversals (summer, winter) of 40 synthetic
// 16x8 places under different light, and a tiny ONNX frame model (the grey image, 2x2 average-pooled
// and flattened to 32 values, L2-normalised in JS) with its manifest `pool.yaml`.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { OnnxGraphBuilder } from '../../src/onnx/builder.js';
import { writePlacePng } from './synthetic-images.js';

export async function writeTrainingFixture(dir: string): Promise<void> {
  const p = (...parts: string[]): string => path.join(dir, ...parts);
  for (const [run, light] of [['summer', { gain: 1, offset: 0, noise: 4, noiseSeed: 1 }], ['winter', { gain: 0.8, offset: 25, noise: 12, noiseSeed: 2 }]] as const) {
    await mkdir(p(run), { recursive: true });
    for (let i = 0; i < 40; i++) await writePlacePng(p(run, `img-${String(i).padStart(3, '0')}.png`), i, 16, 8, { ...light, noiseSeed: light.noiseSeed * 1000 + i });
  }
  const g = new OnnxGraphBuilder('pool');
  g.input('image', 'float32', ['batch', 1, 8, 16]);
  const pooled = g.op('AveragePool', ['image'], { kernel_shape: [2, 2], strides: [2, 2] });
  g.node('Flatten', [pooled], ['descriptor'], { axis: 1 });
  g.output('descriptor', 'float32', ['batch', 32]);
  await writeFile(p('pool.onnx'), g.toBytes());
  await writeFile(p('pool.yaml'), YAML.stringify({ version: 1, kind: 'frame-encoder', name: 'pool', model: 'pool.onnx', input: { name: 'image', width: 16, height: 8, channels: 'gray' }, output: { name: 'descriptor', dim: 32, l2Normalize: true } }));
}
