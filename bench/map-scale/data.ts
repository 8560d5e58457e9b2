// Synthetic maps for the scale bench, generated once and handed to both sides (seqvpr in-process,
// faiss through .npy files), so every number compares the same vectors.
//   route : a random walk on the sphere (consecutive map frames look alike, cos ~0.96 per step, as
//           along a driven route) queried with noisy copies of map frames (cos ~0.89: a revisit).
//           Nearest neighbours form a short stretch of route: the structure a VPR map has.
//   random: independent uniform unit vectors and queries. No structure at all, every point is
//           almost equally far from every other: the worst case for any graph index.
//   fitted: Gaussian frames with the spectrum and correlations of real descriptors (fitted.ts).
//   npy   : real descriptors from `seqvpr extract` (map and queries as two .npy files).
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { readNpyMatrix } from '../../src/train/npy.js';
import { mulberry32, randomUnitVector } from '../../test/support/random-unit-vectors.js';

export type DataKind = 'route' | 'random' | 'fitted' | 'npy';
export const DATA_KINDS: readonly DataKind[] = ['route', 'random', 'fitted', 'npy'];

export interface Dataset {
  kind: DataKind;
  base: DescriptorMatrix;
  queries: DescriptorMatrix;
}

const ROUTE_STEP = 0.3;
const QUERY_NOISE = 0.5;

/** normalise(a + scale * b), written into `out`. */
function stepInto(out: Float32Array, a: Float32Array, b: Float32Array, scale: number): void {
  let sq = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = a[i] + scale * b[i];
    sq += out[i] * out[i];
  }
  const n = Math.sqrt(sq);
  for (let i = 0; i < out.length; i++) out[i] /= n;
}

/** Map and query descriptors from .npy files (unit-norm rows, as `seqvpr extract` writes them). */
export async function loadDataset(baseFile: string, queriesFile: string): Promise<Dataset> {
  const base = await readNpyMatrix(baseFile);
  const queries = await readNpyMatrix(queriesFile);
  if (queries.dim !== base.dim) throw new Error(`${queriesFile} has dim ${queries.dim}, ${baseFile} has ${base.dim}`);
  return { kind: 'npy', base, queries };
}

/** `count` map vectors and `queryCount` queries of `dim` dimensions, reproducible from `seed`. */
export function makeDataset(kind: 'route' | 'random', count: number, dim: number, queryCount: number, seed: number): Dataset {
  const rand = mulberry32(seed);
  const base = new DescriptorMatrix(count, dim);
  for (let i = 0; i < count; i++) {
    const row = base.row(i);
    if (kind === 'route' && i > 0) stepInto(row, base.row(i - 1), randomUnitVector(dim, rand), ROUTE_STEP);
    else row.set(randomUnitVector(dim, rand));
  }
  const queries = new DescriptorMatrix(queryCount, dim);
  const qrand = mulberry32(seed + 1);
  for (let j = 0; j < queryCount; j++) {
    const noise = randomUnitVector(dim, qrand);
    if (kind === 'route') stepInto(queries.row(j), base.row(Math.floor(qrand() * count)), noise, QUERY_NOISE);
    else queries.row(j).set(noise);
  }
  return { kind, base, queries };
}
