// How the map store scales: build time and memory for N random unit vectors, HNSW vs exact query
// latency, HNSW recall@k, and (with --io) save/load time and size on disk.
//   npx tsx bench/map-scale.ts --count 100000 --dim 256
//   npx tsx bench/map-scale.ts --count 20000 --data route --io
// --data random: independent uniform unit vectors, the worst case for HNSW (no structure at all).
// --data route: a random walk on the sphere (consecutive map frames look alike, as along a real
// route) queried with noisy copies of map frames (a revisit); closer to what a VPR map holds.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PlaceMap, loadMap, saveMap, hnswRecallAtK, DEFAULT_HNSW_PARAMS } from '../src/map/index.js';
import { mulberry32, randomUnitVector, randomUnitVectors } from '../test/support/random-unit-vectors.js';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    dim: { type: 'string', default: '256' },
    queries: { type: 'string', default: '200' },
    k: { type: 'string', default: '10' },
    m: { type: 'string', default: String(DEFAULT_HNSW_PARAMS.m) },
    'ef-construction': { type: 'string', default: String(DEFAULT_HNSW_PARAMS.efConstruction) },
    'ef-search': { type: 'string', default: String(DEFAULT_HNSW_PARAMS.efSearch) },
    seed: { type: 'string', default: '1' },
    data: { type: 'string', default: 'random' },
    io: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: npx tsx bench/map-scale.ts [--count 100000] [--dim 256] [--queries 200] [--k 10]\n' +
    '       [--m 16] [--ef-construction 200] [--ef-search 200] [--seed 1] [--data random|route] [--io]\n' +
    'example: npx tsx bench/map-scale.ts --count 20000 --io');
  process.exit(0);
}
const count = Number(args.count);
const dim = Number(args.dim);
const k = Number(args.k);
const hnsw = { m: Number(args.m), efConstruction: Number(args['ef-construction']), efSearch: Number(args['ef-search']) };

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

if (args.data !== 'random' && args.data !== 'route') throw new Error(`--data must be random or route, got ${args.data}`);

/** normalise(a + scale * b), a new vector. */
function step(a: Float32Array, b: Float32Array, scale: number): Float32Array {
  const out = new Float32Array(dim);
  let sq = 0;
  for (let i = 0; i < dim; i++) {
    out[i] = a[i] + scale * b[i];
    sq += out[i] * out[i];
  }
  const n = Math.sqrt(sq);
  for (let i = 0; i < dim; i++) out[i] /= n;
  return out;
}

// Source vectors are generated up front so the build timing covers the map alone.
const rand = mulberry32(Number(args.seed));
const source = new Float32Array(count * dim);
let prev = randomUnitVector(dim, rand);
for (let i = 0; i < count; i++) {
  const v = args.data === 'route' && i > 0 ? step(prev, randomUnitVector(dim, rand), 0.3) : randomUnitVector(dim, rand);
  source.set(v, i * dim);
  prev = v;
}
const queries =
  args.data === 'route'
    ? randomUnitVectors(Number(args.queries), dim, Number(args.seed) + 1).map((noise) => {
        const at = Math.floor(rand() * count);
        return step(source.subarray(at * dim, (at + 1) * dim), noise, 0.5);
      })
    : randomUnitVectors(Number(args.queries), dim, Number(args.seed) + 1);

global.gc?.();
const before = process.memoryUsage();
const map = PlaceMap.create({ encoder: { id: 'random', hash: 'random', dim }, hnsw, source: 'bench/map-scale' });
const tBuild = process.hrtime.bigint();
let nextReport = 0.1;
for (let i = 0; i < count; i++) {
  map.add({ stamp: BigInt(i) }, source.subarray(i * dim, (i + 1) * dim));
  if ((i + 1) / count >= nextReport) {
    process.stderr.write(`\rbuilding ${i + 1}/${count} (${Math.round(ms(tBuild) / 1000)} s)`);
    nextReport += 0.1;
  }
}
const buildMs = ms(tBuild);
process.stderr.write('\n');
global.gc?.();
const after = process.memoryUsage();

const timeQueries = (mode: 'hnsw' | 'exact'): number => {
  const t0 = process.hrtime.bigint();
  for (const q of queries) map.searchFrames(q, k, { mode });
  return ms(t0) / queries.length;
};
const hnswQueryMs = timeQueries('hnsw');
const exactQueryMs = timeQueries('exact');
const recall = hnswRecallAtK(map, 'frames', queries, k);

const result: Record<string, unknown> = {
  count,
  dim,
  data: args.data,
  hnsw: map.info.hnsw,
  buildSeconds: Math.round(buildMs / 10) / 100,
  insertsPerSecond: Math.round(count / (buildMs / 1000)),
  rssDeltaMiB: mib(after.rss - before.rss),
  arrayBuffersDeltaMiB: mib(after.arrayBuffers - before.arrayBuffers),
  hnswQueryMs: Math.round(hnswQueryMs * 1000) / 1000,
  exactQueryMs: Math.round(exactQueryMs * 1000) / 1000,
  [`recallAt${k}`]: Math.round(recall * 10000) / 10000,
};

if (args.io) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-map-scale-'));
  try {
    const target = path.join(dir, 'map');
    let t0 = process.hrtime.bigint();
    const manifest = await saveMap(map, target);
    result.saveSeconds = Math.round(ms(t0) / 10) / 100;
    result.diskMiB = mib(Object.values(manifest.files).reduce((s, f) => s + f.bytes, 0));
    t0 = process.hrtime.bigint();
    const loaded = await loadMap(target);
    result.loadSeconds = Math.round(ms(t0) / 10) / 100;
    result.loadedFrames = loaded.size;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(JSON.stringify(result, null, 2));
