// Would a PCA-reduced frame index suit large maps better than HNSW on the full descriptors? On the
// bench's map, compares for the frame-vote query (top 50 map frames per query frame):
//   - HNSW on the full descriptors (what the pipeline does),
//   - HNSW on a PCA projection (fitted on a random sample of map rows), alone and with its top
//     `rerank` hits re-ranked by exact full-dimension distance,
// by build time, search time and recall@50 against exact full-dimension search.
import { performance } from 'node:perf_hooks';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { dot } from '../../src/core/vector.js';
import { createRandom } from '../../src/core/random.js';
import { summariseLatency } from '../../src/eval/percentile.js';
import { exactSearch } from '../../src/retrieve/exact-search.js';
import { DEFAULT_HNSW_PARAMS, HnswIndex } from '../../src/retrieve/hnsw-index.js';
import { fitPca, projectPca } from '../../src/train/pca.js';

export interface IndexRow {
  index: string;
  dim: number;
  buildSeconds: number | null;
  searchP50: number;
  searchP95: number;
  recallAt50: number;
}

const K = 50;

function sampleRows(m: DescriptorMatrix, n: number, seed: number): DescriptorMatrix {
  const random = createRandom(seed);
  const rows = Array.from({ length: Math.min(n, m.rows) }, () => m.row(random.int(0, m.rows - 1)));
  return DescriptorMatrix.fromRows(rows, m.dim);
}

function recall(found: number[][], truth: number[][]): number {
  let hit = 0;
  truth.forEach((t, i) => {
    const f = new Set(found[i]);
    hit += t.filter((label) => f.has(label)).length;
  });
  return hit / (truth.length * K);
}

/** Times `search` per query; returns the labels found and p50/p95 ms. */
function timed(queries: Float32Array[], search: (q: Float32Array, i: number) => number[]): { labels: number[][]; p50: number; p95: number } {
  const times: number[] = [];
  const labels = queries.map((q, i) => {
    const t0 = performance.now();
    const found = search(q, i);
    times.push(performance.now() - t0);
    return found;
  });
  const s = summariseLatency(times)!;
  return { labels, p50: s.p50, p95: s.p95 };
}

export function compareIndexes(
  map: DescriptorMatrix,
  fullIndex: HnswIndex,
  queries: Float32Array[],
  options: { dims: number; rerank: number; sample: number; seed: number; log: (m: string) => void },
): IndexRow[] {
  options.log(`index: exact top-${K} for ${queries.length} queries`);
  const truth = queries.map((q) => exactSearch(map, q, K).map((h) => h.label));
  const rows: IndexRow[] = [];
  const full = timed(queries, (q) => fullIndex.search(q, K).map((h) => h.label));
  rows.push({ index: 'HNSW, full descriptors (pipeline)', dim: map.dim, buildSeconds: null, searchP50: full.p50, searchP95: full.p95, recallAt50: recall(full.labels, truth) });

  options.log(`index: PCA ${map.dim} -> ${options.dims} fitted on ${options.sample} map rows`);
  const t0 = performance.now();
  const pca = fitPca(sampleRows(map, options.sample, options.seed), { dims: options.dims, whiten: false });
  const fitSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const projected = projectPca(pca, map);
  const projectSeconds = (performance.now() - t1) / 1000;
  options.log(`index: fit ${fitSeconds.toFixed(0)} s, projection ${projectSeconds.toFixed(0)} s; building HNSW on ${options.dims}-D`);
  const t2 = performance.now();
  const small = HnswIndex.create(options.dims, DEFAULT_HNSW_PARAMS, map.rows);
  for (let r = 0; r < map.rows; r++) small.add(projected.row(r), r);
  const buildSeconds = (performance.now() - t2) / 1000;
  const q = projectPca(pca, DescriptorMatrix.fromRows(queries, map.dim));
  const reduced = timed(queries, (_, i) => small.search(q.row(i), K).map((h) => h.label));
  rows.push({ index: `HNSW, PCA ${options.dims}-D (build: fit ${fitSeconds.toFixed(0)} s + project ${projectSeconds.toFixed(0)} s + graph)`, dim: options.dims, buildSeconds: fitSeconds + projectSeconds + buildSeconds, searchP50: reduced.p50, searchP95: reduced.p95, recallAt50: recall(reduced.labels, truth) });
  const reranked = timed(queries, (query, i) =>
    small
      .search(q.row(i), options.rerank)
      .map((h) => ({ label: h.label, d: 1 - dot(map.data, query, map.dim, h.label * map.dim, 0) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, K)
      .map((h) => h.label),
  );
  rows.push({ index: `HNSW, PCA ${options.dims}-D, top ${options.rerank} re-ranked on full descriptors`, dim: options.dims, buildSeconds: null, searchP50: reranked.p50, searchP95: reranked.p95, recallAt50: recall(reranked.labels, truth) });
  return rows;
}
