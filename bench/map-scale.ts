// How the map store scales, side by side with faiss on the same vectors: HNSW build time and
// memory, single-query latency of HNSW and exact search, HNSW recall@k against exact search; and a
// sweep over HNSW parameters (M, efConstruction, efSearch) to choose the defaults from.
//   npx tsx --expose-gc bench/map-scale.ts --quick                      # smoke test, < 1 min
//   npx tsx --expose-gc bench/map-scale.ts --markdown /tmp/map-scale.md  # 10k/100k x 3072-D, 1M x 256-D
//   npx tsx --expose-gc bench/map-scale.ts --scales '' --sweep           # the parameter sweep only
//   npx tsx bench/map-scale.ts --render a.jsonl,b.jsonl                  # tables from earlier runs
// Default dims follow what the map indexes: the default pipeline (config/default.yaml) indexes the
// builtin CNN's 3072-D frame descriptor and no sequence descriptor. 1M x 3072-D would hold 12 GB of
// vectors per copy, so the 1M case is 256-D, the size `seqvpr pca` reduces descriptors to.
// --expose-gc makes the RSS deltas exclude garbage left over from earlier steps.
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_HNSW_PARAMS } from '../src/retrieve/hnsw-index.js';
import { type HnswParams } from '../src/map/manifest.js';
import { summariseLatency } from '../src/eval/percentile.js';
import { DATA_KINDS, loadDataset, makeDataset, type DataKind, type Dataset } from './map-scale/data.js';
import { cachedFitModel, makeFittedDataset, type FittedModel } from './map-scale/fitted.js';
import { exactBaseline, measurePlaceMap, sweepGraph } from './map-scale/seqvpr-side.js';
import { assertFaissAvailable, runFaissPeer, writePeerInputs } from './map-scale/faiss-side.js';
import { indexStats, latency, renderMarkdown, type BenchRecord, type RunInfo, type ScaleRecord } from './map-scale/report.js';

// Options without parser defaults, so --quick can supply its own unless a value is given.
const { values: args } = parseArgs({
  options: {
    scales: { type: 'string' },
    data: { type: 'string' },
    queries: { type: 'string' },
    k: { type: 'string', default: '10' },
    m: { type: 'string', default: String(DEFAULT_HNSW_PARAMS.m) },
    'ef-construction': { type: 'string', default: String(DEFAULT_HNSW_PARAMS.efConstruction) },
    'ef-search': { type: 'string', default: String(DEFAULT_HNSW_PARAMS.efSearch) },
    seed: { type: 'string', default: '1' },
    threads: { type: 'string', default: '1' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'base-npy': { type: 'string' },
    'queries-npy': { type: 'string' },
    'fit-map': { type: 'string' },
    'fit-queries': { type: 'string' },
    'fit-axes': { type: 'string', default: '256' },
    peer: { type: 'string', default: 'faiss' },
    sweep: { type: 'boolean', default: false },
    'sweep-scale': { type: 'string' },
    'sweep-data': { type: 'string', default: 'route' },
    'sweep-m': { type: 'string' },
    'sweep-ef-construction': { type: 'string' },
    'sweep-ef-search': { type: 'string' },
    target: { type: 'string', default: '0.98' },
    io: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    markdown: { type: 'string' },
    results: { type: 'string' },
    render: { type: 'string' },
    'machine-note': { type: 'string', default: '' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`usage: npx tsx --expose-gc bench/map-scale.ts [options]
  --scales 10000x3072,100000x3072,1000000x256   maps as COUNTxDIM ('' for none)
  --data route              route: random walk + noisy revisits (main case); random: uniform (worst case);
                            fitted: shaped like real descriptors, fitted to --fit-map MAP.npy --fit-queries QUERIES.npy
                              (seqvpr extract output, query row i = the same place as map row i) on --fit-axes 256 axes
                            npy: real descriptors from --base-npy MAP.npy --queries-npy QUERIES.npy (seqvpr extract)
  --queries 200 --k 10 --seed 1
  --m ${DEFAULT_HNSW_PARAMS.m} --ef-construction ${DEFAULT_HNSW_PARAMS.efConstruction} --ef-search ${DEFAULT_HNSW_PARAMS.efSearch}   HNSW parameters for both sides (default: seqvpr's)
  --peer faiss|none         none: seqvpr only (where the faiss build would take too long)
  --threads 1               faiss OpenMP threads (hnswlib-node is single-threaded)
  --python /usr/bin/python3 the interpreter with faiss and numpy
  --sweep                   also sweep seqvpr's HNSW parameters:
    --sweep-scale 100000x256 --sweep-data route --sweep-m 8,16,32
    --sweep-ef-construction 100,200 --sweep-ef-search 10,20,40,80,160,320 --target 0.98
  --io                      also time saving and loading the seqvpr map
  --quick                   10k x 256-D route data, 50 queries, a small sweep: a smoke test under a minute
  --markdown FILE           write the tables there too (they always go to stdout)
  --results FILE.jsonl      append one JSON line per result (combine runs with --render)
  --render A.jsonl,B.jsonl  print the tables of earlier runs and exit
  --machine-note TEXT       appended to the machine line (e.g. "loaded by concurrent jobs")`);
  process.exit(0);
}

const quick = args.quick;
const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter((s) => s !== '');
const numbers = (text: string): number[] => list(text).map(positiveInt);

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got "${text}"`);
  return n;
}

function parseScale(text: string): { count: number; dim: number } {
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m) throw new Error(`a scale is COUNTxDIM, e.g. 100000x3072; got "${text}"`);
  return { count: positiveInt(m[1]), dim: positiveInt(m[2]) };
}

function parseKinds(text: string): DataKind[] {
  return list(text).map((kind) => {
    if (!(DATA_KINDS as readonly string[]).includes(kind)) throw new Error(`--data takes ${DATA_KINDS.join(', ')}; got "${kind}"`);
    return kind as DataKind;
  });
}

const target = Number(args.target);
if (args.peer !== 'faiss' && args.peer !== 'none') throw new Error(`--peer takes faiss or none; got "${args.peer}"`);
if (args.peer === 'faiss' && args.render === undefined) await assertFaissAvailable(args.python);

if (args.render !== undefined) {
  const records: BenchRecord[] = [];
  for (const file of list(args.render)) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) if (line.trim()) records.push(JSON.parse(line) as BenchRecord);
  }
  await emit(renderMarkdown(records, target));
  process.exit(0);
}

const scales = list(args.scales ?? (quick ? '10000x256' : '10000x3072,100000x3072,1000000x256')).map(parseScale);
const kinds = parseKinds(args.data ?? 'route');
const queryCount = positiveInt(args.queries ?? (quick ? '50' : '200'));
const k = positiveInt(args.k);
const seed = positiveInt(args.seed);
const threads = positiveInt(args.threads);
const hnsw: HnswParams = {
  ...DEFAULT_HNSW_PARAMS,
  m: positiveInt(args.m),
  efConstruction: positiveInt(args['ef-construction']),
  efSearch: positiveInt(args['ef-search']),
};
const sweep = args.sweep || quick;
const sweepScale = parseScale(args['sweep-scale'] ?? (quick ? '10000x256' : '100000x256'));
const sweepKinds = parseKinds(args['sweep-data']);
const sweepM = numbers(args['sweep-m'] ?? (quick ? '8,16' : '8,16,32'));
const sweepEfc = numbers(args['sweep-ef-construction'] ?? (quick ? '100' : '100,200'));
const sweepEfs = numbers(args['sweep-ef-search'] ?? (quick ? '10,40,160' : '10,20,40,80,160,320'));

let fitted: FittedModel | undefined;
const notes = new Map<DataKind, string>();

/** Generated data of `count` x `dim` (fitted: the fit's dim), or the --base-npy / --queries-npy files. */
async function dataset(kind: DataKind, count: number, dim: number): Promise<Dataset> {
  if (kind === 'route' || kind === 'random') return makeDataset(kind, count, dim, queryCount, seed);
  if (kind === 'fitted') {
    if (!args['fit-map'] || !args['fit-queries']) throw new Error('--data fitted needs --fit-map and --fit-queries');
    if (!fitted) {
      log(`fitting ${args['fit-axes']} axes to ${args['fit-map']} (or reading the cached fit)`);
      fitted = await cachedFitModel(args['fit-map'], args['fit-queries'], positiveInt(args['fit-axes']));
      const f = fitted;
      notes.set('fitted', `fitted: ${f.axes} principal axes of ${path.basename(args['fit-map'])} + even remainder, step correlation ${f.step.toFixed(3)}, revisit correlation ${f.revisit.toFixed(3)} (queries ${path.basename(args['fit-queries'])})`);
    }
    if (dim !== fitted.dim) log(`fitted data has the fit's dim ${fitted.dim}, not ${dim}`);
    return makeFittedDataset(fitted, count, queryCount, seed);
  }
  if (!args['base-npy'] || !args['queries-npy']) throw new Error('--data npy needs --base-npy and --queries-npy');
  notes.set('npy', `npy: map ${path.basename(args['base-npy'])}, queries ${path.basename(args['queries-npy'])}`);
  return loadDataset(args['base-npy'], args['queries-npy']);
}

const gib = Math.round(os.totalmem() / 2 ** 30);
const run: RunInfo = {
  machine: [`${os.cpus().length} cores, ${gib} GiB, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}`, args['machine-note']].filter(Boolean).join(', '),
  command: ['npx tsx', ...process.execArgv.filter((a) => a === '--expose-gc'), 'bench/map-scale.ts', ...process.argv.slice(2)].join(' '),
};
const records: BenchRecord[] = [];

async function record(r: BenchRecord): Promise<void> {
  records.push(r);
  if (args.results) await appendFile(args.results, JSON.stringify(r) + '\n');
}

async function emit(markdown: string): Promise<void> {
  console.log(markdown);
  if (args.markdown) await writeFile(args.markdown, markdown + '\n');
}

function log(text: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

/** Logs build progress every 10%. */
function progress(what: string, total: number): (done: number) => void {
  const t0 = Date.now();
  let next = 0.1;
  return (done) => {
    if (done / total < next) return;
    log(`${what}: ${done}/${total} (${Math.round((Date.now() - t0) / 1000)} s)`);
    next += 0.1;
  };
}

if (!global.gc) log('no --expose-gc: RSS deltas include uncollected garbage');

// .npy data has its own shape, so it runs once rather than once per scale.
const cases = kinds.flatMap((kind): { kind: DataKind; count: number; dim: number }[] => (kind === 'npy' ? [{ kind, count: 0, dim: 0 }] : scales.map((s) => ({ kind, ...s }))));
for (const { kind, count: wanted, dim: wantedDim } of cases) {
  const data = await dataset(kind, wanted, wantedDim);
  const { rows: count, dim } = data.base;
  const queries = data.queries.rows;
  const label = `${count}x${dim} ${kind}`;
  log(`${label}: exact search for ${queries} queries`);
  const exact = exactBaseline(data.base, data.queries, k);
  const ours = await measurePlaceMap(data.base, data.queries, exact.truth, hnsw, args.io, progress(`${label}: seqvpr HNSW`, count));
  log(`${label}: seqvpr recall@${k} ${ours.recall.toFixed(3)}, build ${ours.buildSeconds.toFixed(1)} s`);
  let faiss: ScaleRecord['faiss'];
  if (args.peer === 'faiss') {
    global.gc?.(); // drop the map first: the two processes' peaks should not add up
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-map-scale-peer-'));
    try {
      await writePeerInputs(dir, data, exact.truth);
      const peer = await runFaissPeer(args.python, dir, hnsw, threads);
      log(`${label}: faiss recall@${k} ${peer.hnsw.recall.toFixed(3)}, build ${peer.hnsw.buildSeconds.toFixed(1)} s`);
      faiss = {
        version: peer.version,
        threads: peer.threads,
        flat: indexStats(peer.flat!),
        hnsw: { ...indexStats(peer.hnsw), recallVsFaissFlat: peer.hnsw.recallVsFaissFlat },
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  await record({
    type: 'scale',
    ...run,
    dataNote: notes.get(kind),
    count,
    dim,
    data: kind,
    queries,
    k,
    hnsw,
    seqvpr: { exact: latency(summariseLatency(exact.latencyMs)), hnsw: indexStats(ours), io: ours.io },
    faiss,
  });
}

if (sweep) {
  for (const kind of sweepKinds) {
    const data = await dataset(kind, sweepScale.count, sweepScale.dim);
    const { rows: count, dim } = data.base;
    const queries = data.queries.rows;
    const label = `sweep ${count}x${dim} ${kind}`;
    const { truth } = exactBaseline(data.base, data.queries, k);
    for (const m of sweepM) {
      for (const efConstruction of sweepEfc) {
        const params = { m, efConstruction, randomSeed: DEFAULT_HNSW_PARAMS.randomSeed };
        const result = sweepGraph(data.base, data.queries, truth, params, sweepEfs, progress(`${label} M ${m} efC ${efConstruction}`, count));
        for (const r of result.byEfSearch) {
          log(`${label}: M ${m} efC ${efConstruction} efSearch ${r.efSearch}: recall@${k} ${r.recall.toFixed(3)}`);
          const { p50, p95 } = latency(summariseLatency(r.latencyMs));
          await record({ type: 'sweep', ...run, dataNote: notes.get(kind), count, dim, data: kind, queries, k, m, efConstruction, efSearch: r.efSearch, buildSeconds: result.buildSeconds, recall: r.recall, p50, p95 });
        }
      }
    }
  }
}

await emit(renderMarkdown(records, target));
