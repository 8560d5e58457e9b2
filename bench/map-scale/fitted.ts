// Synthetic maps shaped like real descriptors, for scales no real traversal here reaches. Fitted to
// `seqvpr extract` output of a real map traversal and a frame-aligned query traversal:
//   - the spectrum: the top principal axes with their variances (fitPca), the variance they leave
//     out spread evenly over all dimensions (how many directions matter decides HNSW's difficulty);
//   - the step: correlation of consecutive map frames (centred), an AR(1) coefficient;
//   - the revisit: correlation of query row i with map row i, the same place in other conditions.
// Frames are Gaussian with that spectrum, consecutive ones correlated by `step`; each query is
// correlated by `revisit` with a random map frame. No clusters or repeated scenery: real data may be
// easier for a graph index where it has them.
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { dot, l2NormalizeInPlace } from '../../src/core/vector.js';
import { createRandom, type Random } from '../../src/core/random.js';
import { readNpyMatrix, writeNpyMatrix } from '../../src/train/npy.js';
import { fitPca } from '../../src/train/pca.js';
import type { Dataset } from './data.js';

export interface FittedModel {
  dim: number;
  mean: Float32Array;
  /** Principal axes [axes x dim], each scaled by its standard deviation. */
  scaledAxes: Float32Array;
  axes: number;
  /** Per-dimension standard deviation of the variance the axes leave out. */
  residualSd: number;
  step: number;
  revisit: number;
}

const median = (values: number[]): number => {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Correlation of the centred pairs (a.row(i), b.row(i + lag)), median over rows; blank (zero) rows skipped. */
function pairCorrelation(a: DescriptorMatrix, b: DescriptorMatrix, lag: number, mean: Float32Array): number {
  const u = new Float32Array(a.dim);
  const v = new Float32Array(a.dim);
  const values: number[] = [];
  for (let i = 0; i + lag < Math.min(a.rows, b.rows); i++) {
    const x = a.row(i);
    const y = b.row(i + lag);
    if (dot(x, x) === 0 || dot(y, y) === 0) continue;
    for (let c = 0; c < a.dim; c++) {
      u[c] = x[c] - mean[c];
      v[c] = y[c] - mean[c];
    }
    values.push(dot(u, v) / Math.sqrt(dot(u, u) * dot(v, v)));
  }
  return median(values);
}

export async function fitModel(mapFile: string, queriesFile: string, axes: number): Promise<FittedModel> {
  const map = await readNpyMatrix(mapFile);
  const queries = await readNpyMatrix(queriesFile);
  if (queries.dim !== map.dim) throw new Error(`${queriesFile} has dim ${queries.dim}, ${mapFile} has ${map.dim}`);
  // Blank frames (black images) are zero descriptors: no appearance to fit.
  const rows = Array.from({ length: map.rows }, (_, i) => map.row(i)).filter((r) => dot(r, r) > 0);
  const fit = fitPca(DescriptorMatrix.fromRows(rows), { dims: axes, whiten: false });
  const { dim } = map;
  const scaledAxes = new Float32Array(axes * dim);
  for (let k = 0; k < axes; k++) {
    const sd = Math.sqrt(fit.eigenvalues[k]);
    for (let c = 0; c < dim; c++) scaledAxes[k * dim + c] = fit.components[k * dim + c] * sd;
  }
  const kept = fit.eigenvalues.reduce((s, l) => s + l, 0);
  return {
    dim,
    mean: fit.mean,
    scaledAxes,
    axes,
    residualSd: Math.sqrt(Math.max(0, fit.totalVariance - kept) / dim),
    step: pairCorrelation(map, map, 1, fit.mean),
    revisit: pairCorrelation(map, queries, 0, fit.mean),
  };
}

/**
 * fitModel, cached in the temp dir under the inputs' paths, sizes and mtimes: the PCA of a 2400 x
 * 3072 traversal takes minutes in JS, and every bench run of fitted data needs it.
 */
export async function cachedFitModel(mapFile: string, queriesFile: string, axes: number): Promise<FittedModel> {
  const ids = await Promise.all([mapFile, queriesFile].map(async (f) => `${path.resolve(f)}:${(await stat(f)).size}:${(await stat(f)).mtimeMs}`));
  const key = createHash('sha256').update(`${ids.join('|')}|${axes}`).digest('hex').slice(0, 16);
  const stem = path.join(os.tmpdir(), `seqvpr-map-scale-fit-${key}`);
  try {
    const meta = JSON.parse(await readFile(`${stem}.json`, 'utf8')) as Omit<FittedModel, 'mean' | 'scaledAxes'>;
    const mean = (await readNpyMatrix(`${stem}-mean.npy`)).data;
    const scaledAxes = (await readNpyMatrix(`${stem}-axes.npy`)).data;
    return { ...meta, mean, scaledAxes };
  } catch {
    const model = await fitModel(mapFile, queriesFile, axes);
    const { mean, scaledAxes, ...meta } = model;
    await writeNpyMatrix(`${stem}-mean.npy`, new DescriptorMatrix(1, model.dim, mean));
    await writeNpyMatrix(`${stem}-axes.npy`, new DescriptorMatrix(axes, model.dim, scaledAxes));
    await writeFile(`${stem}.json`, JSON.stringify(meta));
    return model;
  }
}

/** Latent state of one frame: weights on the axes and the isotropic remainder. */
interface Latent {
  z: Float64Array;
  r: Float64Array;
}

/** `rho * from + sqrt(1 - rho^2) * fresh noise`: unit variance, correlation rho with `from`. */
function correlated(from: Latent, rho: number, rand: Random, out: Latent): Latent {
  const s = Math.sqrt(1 - rho * rho);
  for (let i = 0; i < out.z.length; i++) out.z[i] = rho * from.z[i] + s * rand.normal();
  for (let i = 0; i < out.r.length; i++) out.r[i] = rho * from.r[i] + s * rand.normal();
  return out;
}

function render(model: FittedModel, latent: Latent, out: Float32Array): void {
  const { dim, scaledAxes } = model;
  for (let c = 0; c < dim; c++) out[c] = model.mean[c] + model.residualSd * latent.r[c];
  for (let k = 0; k < model.axes; k++) {
    const w = latent.z[k];
    const axis = k * dim;
    for (let c = 0; c < dim; c++) out[c] += w * scaledAxes[axis + c];
  }
  l2NormalizeInPlace(out);
}

/** `count` map frames along one synthetic traversal and `queryCount` revisits of random frames. */
export function makeFittedDataset(model: FittedModel, count: number, queryCount: number, seed: number): Dataset {
  const rand = createRandom(seed);
  const newLatent = (): Latent => ({ z: new Float64Array(model.axes), r: new Float64Array(model.dim) });
  // Sources are drawn first so each query can be made when the walk passes its frame.
  const bySource = new Map<number, number[]>();
  for (let j = 0; j < queryCount; j++) {
    const at = Math.floor(rand.next() * count);
    bySource.set(at, [...(bySource.get(at) ?? []), j]);
  }
  const base = new DescriptorMatrix(count, model.dim);
  const queries = new DescriptorMatrix(queryCount, model.dim);
  let state = correlated(newLatent(), 0, rand, newLatent());
  let next = newLatent();
  const scratch = newLatent();
  for (let i = 0; i < count; i++) {
    if (i > 0) [state, next] = [correlated(state, model.step, rand, next), state];
    render(model, state, base.row(i));
    for (const j of bySource.get(i) ?? []) render(model, correlated(state, model.revisit, rand, scratch), queries.row(j));
  }
  return { kind: 'fitted', base, queries };
}
