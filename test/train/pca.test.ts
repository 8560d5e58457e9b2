import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import YAML from 'yaml';
import { DescriptorError, ModelError } from '../../src/core/errors.js';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { createRandom } from '../../src/core/random.js';
import { OnnxGraphBuilder } from '../../src/onnx/builder.js';
import { composeFrameModelWithPca } from '../../src/train/compose.js';
import { fitPca, pcaOnnxGraph, projectPca } from '../../src/train/pca.js';
import { loadPcaDir, savePcaDir } from '../../src/train/pca-files.js';

const rng = createRandom(3);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

/** Points c + t·u + s·v (+ tiny noise) with var(t) >> var(s): u is the first principal axis, v the second. */
function lineCloud(n: number, d: number, u: number[], v: number[]): DescriptorMatrix {
  const x = new DescriptorMatrix(n, d);
  for (let r = 0; r < n; r++) {
    const t = 3 * gauss();
    const s = 0.5 * gauss();
    for (let c = 0; c < d; c++) x.data[r * d + c] = 1 + t * u[c] + s * v[c] + 0.001 * gauss();
  }
  return x;
}

async function runOnnx(bytes: Uint8Array, input: string, data: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ [input]: new ort.Tensor('float32', data, dims) });
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('PCA', () => {
  const u = [1 / 3, 2 / 3, 2 / 3];
  const v = [2 / 3, 1 / 3, -2 / 3];

  it('finds a known principal axis and its variance (covariance path)', () => {
    const x = lineCloud(2000, 3, u, v);
    const fit = fitPca(x, { dims: 2, whiten: false });
    assert.equal(fit.solver.on, 'covariance');
    // Largest-magnitude entry made positive: u as written (its largest entry 2/3 is positive).
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(fit.components[c] - u[c]) < 0.01, `axis ${fit.components.subarray(0, 3)}`);
    assert.ok(Math.abs(fit.eigenvalues[0] - 9) < 0.9, `variance ${fit.eigenvalues[0]}`);
    assert.ok(Math.abs(fit.eigenvalues[1] - 0.25) < 0.03);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(fit.mean[c] - 1) < 0.2);
  });

  it('the Gram path (fewer points than dimensions) gives the covariance eigenvectors', () => {
    const d = 40;
    const uu = Array.from({ length: d }, (_, c) => (c === 5 ? 0.8 : c === 9 ? 0.6 : 0));
    const vv = Array.from({ length: d }, (_, c) => (c === 20 ? 1 : 0));
    const x = lineCloud(12, d, uu, vv);
    const fit = fitPca(x, { dims: 2, whiten: false });
    assert.equal(fit.solver.on, 'gram');
    // Reference: the explicit covariance's leading eigenvector must be reproduced up to sign.
    const cov = new Float64Array(d * d);
    for (let r = 0; r < 12; r++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] += (x.data[r * d + a] - fit.mean[a]) * (x.data[r * d + b] - fit.mean[b]) / 11;
    let rayleigh = 0;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) rayleigh += fit.components[a] * cov[a * d + b] * fit.components[b];
    assert.ok(Math.abs(rayleigh - fit.eigenvalues[0]) / fit.eigenvalues[0] < 1e-4);
    assert.ok(Math.abs(fit.components[5]) > 0.75 && Math.abs(fit.components[9]) > 0.55);
  });

  it('whitening scales each axis by 1/sqrt(lambda + 1e-9); projections are unit vectors', () => {
    const x = lineCloud(500, 3, u, v);
    const fit = fitPca(x, { dims: 2, whiten: true });
    fit.eigenvalues.forEach((l, i) => assert.ok(Math.abs(fit.scale[i] - 1 / Math.sqrt(l + 1e-9)) < 1e-6));
    const y = projectPca(fit, x);
    for (let r = 0; r < 5; r++) assert.ok(Math.abs(Math.hypot(...y.row(r)) - 1) < 1e-5);
    // Along u only: projection (1, 0) after normalisation.
    const onAxis = new DescriptorMatrix(1, 3, Float32Array.from(fit.mean.map((m, c) => m + 2 * u[c])));
    const p = projectPca(fit, onAxis).row(0);
    assert.ok(Math.abs(p[0] - 1) < 1e-3 && Math.abs(p[1]) < 0.05, `projection ${p}`);
  });

  it('refuses impossible requests with a clear message', () => {
    assert.throws(() => fitPca(lineCloud(3, 3, u, v), { dims: 3, whiten: false }), /between 1 and 2/);
    assert.throws(() => fitPca(new DescriptorMatrix(4, 2, new Float32Array(8).fill(0.5)), { dims: 1, whiten: false }), DescriptorError);
  });

  describe('as ONNX', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-pca-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    for (const whiten of [false, true]) {
      it(`the projection graph equals the JS projection (whiten ${whiten}), and survives a save/load`, async () => {
        const d = 24;
        const x = new DescriptorMatrix(60, d, Float32Array.from({ length: 60 * d }, () => gauss() * 0.3 + 0.1));
        const fit = fitPca(x, { dims: 6, whiten });
        const js = projectPca(fit, x);
        const onnx = await runOnnx(pcaOnnxGraph(fit).toBytes(), 'descriptor', x.data, [60, d]);
        let maxDiff = 0;
        onnx.forEach((val, i) => (maxDiff = Math.max(maxDiff, Math.abs(val - js.data[i]))));
        assert.ok(maxDiff < 1e-5, `max abs diff ${maxDiff}`);
        const pcaDir = path.join(dir, `pca-${whiten}`);
        await savePcaDir(pcaDir, fit, { files: ['x.npy'] });
        const loaded = await loadPcaDir(pcaDir);
        assert.equal(loaded.manifest.whiten, whiten);
        assert.deepEqual(projectPca(loaded.model, x).data, js.data);
      });
    }

    it('composes a frame model with the PCA: composed output = PCA(frame model output)', async () => {
      // Frame model: x [batch, 2, 2, 3] -> flatten -> *2 ; 12-d descriptors.
      const g = new OnnxGraphBuilder('frame');
      g.input('image', 'float32', ['batch', 2, 2, 3]);
      const flat = g.op('Flatten', ['image'], { axis: 1 });
      g.scalar('two', 2);
      g.node('Mul', [flat, 'two'], ['descriptor']);
      g.output('descriptor', 'float32', ['batch', 12]);
      await writeFile(path.join(dir, 'frame.onnx'), g.toBytes());
      const manifestPath = path.join(dir, 'frame.yaml');
      const manifest = { version: 1, kind: 'frame-encoder', name: 'tiny', model: 'frame.onnx', input: { name: 'image', width: 3, height: 2, channels: 'gray' }, output: { name: 'descriptor', dim: 12 } };
      await writeFile(manifestPath, YAML.stringify(manifest));
      const images = Float32Array.from({ length: 40 * 12 }, () => gauss());
      const descriptors = new DescriptorMatrix(40, 12, images.map((val) => 2 * val));
      const fit = fitPca(descriptors, { dims: 4, whiten: true });
      const pcaDir = path.join(dir, 'pca-compose');
      await savePcaDir(pcaDir, fit, { files: [] });
      const composed = await composeFrameModelWithPca(manifestPath, pcaDir, path.join(dir, 'composed'));
      assert.equal(composed.manifest.name, 'tiny-pca4w');
      assert.equal(composed.manifest.output.dim, 4);
      const { readFile } = await import('node:fs/promises');
      const out = await runOnnx(await readFile(composed.modelPath), 'image', images, [40, 2, 2, 3]);
      const want = projectPca(fit, descriptors);
      let maxDiff = 0;
      out.forEach((val, i) => (maxDiff = Math.max(maxDiff, Math.abs(val - want.data[i]))));
      assert.ok(maxDiff < 1e-5, `max abs diff ${maxDiff}`);

      // A base manifest that normalises in JS gets an in-graph L2 before the projection.
      await writeFile(manifestPath, YAML.stringify({ ...manifest, output: { ...manifest.output, l2Normalize: true } }));
      const normalised = await composeFrameModelWithPca(manifestPath, pcaDir, path.join(dir, 'composed-l2'));
      const out2 = await runOnnx(await readFile(normalised.modelPath), 'image', images, [40, 2, 2, 3]);
      const unit = new DescriptorMatrix(40, 12, descriptors.data.slice());
      for (let r = 0; r < 40; r++) {
        const row = unit.row(r);
        const n = Math.hypot(...row);
        row.forEach((val, i) => (row[i] = val / n));
      }
      const want2 = projectPca(fit, unit);
      out2.forEach((val, i) => assert.ok(Math.abs(val - want2.data[i]) < 1e-5));

      // Dimension mismatch: a clear ModelError.
      await writeFile(manifestPath, YAML.stringify({ ...manifest, output: { name: 'descriptor', dim: 13 } }));
      await assert.rejects(composeFrameModelWithPca(manifestPath, pcaDir, path.join(dir, 'bad')), ModelError);
    });
  });
});
