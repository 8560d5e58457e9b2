// seqvpr's side of the scale bench: exact search (src/retrieve/exact-search.ts) and the map's HNSW
// (hnswlib-node via src/retrieve/hnsw-index.ts), timed one query at a time as the live node queries.
// hnswlib-node builds and searches on one thread (the binding has no parallel add or search).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DescriptorMatrix } from '../../src/core/matrix.js';
import { HnswIndex } from '../../src/retrieve/hnsw-index.js';
import { PlaceMap } from '../../src/map/place-map.js';
import { exactSearch } from '../../src/retrieve/exact-search.js';
import { loadMap } from '../../src/map/load-map.js';
import { saveMap } from '../../src/map/save-map.js';
import { type HnswParams } from '../../src/map/manifest.js';

/** Exact top-k labels per query, row-major [queries x k]. */
export interface GroundTruth {
  k: number;
  labels: Int32Array;
}

export interface BuildResult {
  buildSeconds: number;
  /** RSS growth over the build (after a GC when node runs with --expose-gc). */
  rssDeltaBytes: number;
  /** Size of the graph as hnswlib writes it (vectors + links): the index's own footprint. */
  indexBytes: number;
}

/** Saving and verified loading of the built map (--io). */
export interface IoResult {
  saveSeconds: number;
  loadSeconds: number;
  diskBytes: number;
}

export interface QueryResult {
  latencyMs: number[];
  recall: number;
}

const WARMUP_QUERIES = 10;

const since = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

function rss(): number {
  global.gc?.();
  return process.memoryUsage().rss;
}

/** Exact search for every query: the ground truth, and its single-query latency. */
export function exactBaseline(base: DescriptorMatrix, queries: DescriptorMatrix, k: number): { truth: GroundTruth; latencyMs: number[] } {
  const labels = new Int32Array(queries.rows * k);
  const latencyMs: number[] = [];
  for (let j = 0; j < queries.rows; j++) {
    const t0 = process.hrtime.bigint();
    const hits = exactSearch(base, queries.row(j), k);
    latencyMs.push(since(t0));
    hits.forEach((h, i) => (labels[j * k + i] = h.label));
  }
  return { truth: { k, labels }, latencyMs };
}

/**
 * Mean fraction of each query's exact top-k found by `search`. (hnswRecallAtK in src/map reruns
 * exact search on every call, which at 100k x 3072 costs minutes per efSearch value.)
 */
function timedRecall(queries: DescriptorMatrix, truth: GroundTruth, search: (q: Float32Array) => number[]): QueryResult {
  for (let j = 0; j < Math.min(WARMUP_QUERIES, queries.rows); j++) search(queries.row(j));
  const latencyMs: number[] = [];
  let sum = 0;
  for (let j = 0; j < queries.rows; j++) {
    const t0 = process.hrtime.bigint();
    const found = search(queries.row(j));
    latencyMs.push(since(t0));
    const exact = new Set(truth.labels.subarray(j * truth.k, (j + 1) * truth.k));
    sum += found.filter((l) => exact.has(l)).length / exact.size;
  }
  return { latencyMs, recall: sum / queries.rows };
}

async function inTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-map-scale-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const graphBytes = (index: HnswIndex): Promise<number> =>
  inTempDir(async (dir) => {
    const file = path.join(dir, 'index.bin');
    index.writeSync(file);
    return (await stat(file)).size;
  });

const saveAndLoad = (map: PlaceMap): Promise<IoResult> =>
  inTempDir(async (dir) => {
    const target = path.join(dir, 'map');
    let t0 = process.hrtime.bigint();
    const manifest = await saveMap(map, target);
    const saveSeconds = since(t0) / 1000;
    t0 = process.hrtime.bigint();
    await loadMap(target);
    return { saveSeconds, loadSeconds: since(t0) / 1000, diskBytes: Object.values(manifest.files).reduce((s, f) => s + f.bytes, 0) };
  });

/**
 * Builds a PlaceMap frame by frame, as `seqvpr map build` does (capacity reserved for the known
 * frame count), and queries it through searchFrames: the product's path, validation included.
 * The RSS delta covers the map's own descriptor rows as well as the graph.
 */
export async function measurePlaceMap(
  base: DescriptorMatrix,
  queries: DescriptorMatrix,
  truth: GroundTruth,
  hnsw: HnswParams,
  io: boolean,
  onProgress: (done: number) => void,
): Promise<BuildResult & QueryResult & { io?: IoResult }> {
  const before = rss();
  const t0 = process.hrtime.bigint();
  const map = PlaceMap.create({
    encoder: { id: 'synthetic', hash: 'synthetic', dim: base.dim },
    hnsw,
    source: 'bench/map-scale',
    initialCapacity: base.rows,
  });
  for (let i = 0; i < base.rows; i++) {
    map.add({ stamp: BigInt(i) }, base.row(i));
    onProgress(i + 1);
  }
  const buildSeconds = since(t0) / 1000;
  const rssDeltaBytes = rss() - before;
  const indexBytes = await graphBytes(map.frameIndex);
  const query = timedRecall(queries, truth, (q) => map.searchFrames(q, truth.k).map((c) => c.mapIndex));
  return { buildSeconds, rssDeltaBytes, indexBytes, ...query, io: io ? await saveAndLoad(map) : undefined };
}

/** One HNSW graph (M, efConstruction) queried at each efSearch: the parameter sweep. */
export function sweepGraph(
  base: DescriptorMatrix,
  queries: DescriptorMatrix,
  truth: GroundTruth,
  params: Pick<HnswParams, 'm' | 'efConstruction' | 'randomSeed'>,
  efSearchValues: readonly number[],
  onProgress: (done: number) => void,
): { buildSeconds: number; byEfSearch: (QueryResult & { efSearch: number })[] } {
  // HnswIndex reads efSearch from its params object on every search, so one graph serves every value.
  const live: HnswParams = { ...params, efSearch: efSearchValues[0] };
  const t0 = process.hrtime.bigint();
  const index = HnswIndex.create(base.dim, live, base.rows);
  for (let i = 0; i < base.rows; i++) {
    index.add(base.row(i), i);
    onProgress(i + 1);
  }
  const buildSeconds = since(t0) / 1000;
  const byEfSearch = efSearchValues.map((efSearch) => {
    live.efSearch = efSearch;
    return { efSearch, ...timedRecall(queries, truth, (q) => index.search(q, truth.k).map((h) => h.label)) };
  });
  return { buildSeconds, byEfSearch };
}
