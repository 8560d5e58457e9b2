// Result records of the scale bench (one JSON line each, so separate runs can be combined) and
// their markdown tables.
import { summariseLatency, type LatencySummary } from '../../src/eval/percentile.js';
import type { HnswParams } from '../../src/map/manifest.js';
import type { BuildResult, IoResult, QueryResult } from './seqvpr-side.js';

export interface Latency {
  p50: number;
  p95: number;
}

export interface IndexStats extends Latency {
  buildSeconds: number;
  rssDeltaBytes: number;
  indexBytes: number;
  recall: number;
}

/** Where a record comes from: rendered above its tables. */
export interface RunInfo {
  machine: string;
  command: string;
  /** Where non-generated data came from (fitted, npy). */
  dataNote?: string;
}

export interface ScaleRecord extends RunInfo {
  type: 'scale';
  count: number;
  dim: number;
  data: string;
  queries: number;
  k: number;
  hnsw: HnswParams;
  seqvpr: { exact: Latency; hnsw: IndexStats; io?: IoResult };
  /** Absent when the run skipped the peer (--peer none). */
  faiss?: { version: string; threads: number; flat: IndexStats; hnsw: IndexStats & { recallVsFaissFlat?: number } };
}

export interface SweepRecord extends Latency, RunInfo {
  type: 'sweep';
  count: number;
  dim: number;
  data: string;
  queries: number;
  k: number;
  m: number;
  efConstruction: number;
  efSearch: number;
  buildSeconds: number;
  recall: number;
}

export type BenchRecord = ScaleRecord | SweepRecord;

export const latency = (s: LatencySummary | null): Latency => ({ p50: s?.p50 ?? NaN, p95: s?.p95 ?? NaN });

/** A side's build and query measurements, latencies summarised. */
export function indexStats(s: BuildResult & QueryResult): IndexStats {
  const { buildSeconds, rssDeltaBytes, indexBytes, recall } = s;
  return { buildSeconds, rssDeltaBytes, indexBytes, recall, ...latency(summariseLatency(s.latencyMs)) };
}

// Missing values (no peer in that run) print as a dash.
const fixed = (x: number | undefined, digits: number): string => (x !== undefined && Number.isFinite(x) ? x.toFixed(digits) : '–');
/** Milliseconds: more decimals for small values. */
const msText = (x: number | undefined): string => fixed(x, x === undefined || x < 1 ? 3 : x < 10 ? 2 : 1);
const mib = (bytes: number | undefined): string => fixed(bytes === undefined ? undefined : bytes / 2 ** 20, 0);
const ratio = (a: number, b: number | undefined): string => (b !== undefined && b > 0 ? `${fixed(a / b, 2)}×` : '–');
const count = (n: number): string => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n));

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const distinct = (values: string[]): string[] => [...new Set(values)];

/** All tables; `target` is the recall the sweep has to reach. */
export function renderMarkdown(records: readonly BenchRecord[], target: number): string {
  const scale = records.filter((r): r is ScaleRecord => r.type === 'scale');
  const sweep = records.filter((r): r is SweepRecord => r.type === 'sweep');
  const out = ['## Map scale: HNSW vs exact search, seqvpr vs faiss', ''];
  for (const m of distinct(records.map((r) => r.machine))) out.push(`Machine: ${m}.`, '');
  out.push('Commands:', '', ...distinct(records.map((r) => r.command)).map((c) => `    ${c}`), '');
  const notes = distinct(records.flatMap((r) => (r.dataNote ? [r.dataNote] : [])));
  if (notes.length) out.push('Data:', '', ...notes.map((n) => `- ${n}`), '');
  if (scale.length) out.push(scaleSection(scale));
  const sweepKey = (r: SweepRecord): string => `${r.count}x${r.dim} ${r.data} k${r.k}`;
  for (const key of distinct(sweep.map(sweepKey))) out.push(sweepSection(sweep.filter((r) => sweepKey(r) === key), target));
  return out.join('\n');
}

function scaleSection(records: readonly ScaleRecord[]): string {
  const first = records[0];
  const peer = records.find((r) => r.faiss)?.faiss;
  const threads = peer ? `faiss ${peer.version} on the OpenMP threads its column gives (omp_set_num_threads)` : 'no faiss peer in these runs';
  const key = (r: ScaleRecord): string[] => [count(r.count), String(r.dim), r.data];
  const build = records.map((r) => [
    ...key(r),
    `${r.hnsw.m}/${r.hnsw.efConstruction}/${r.hnsw.efSearch}`,
    fixed(r.seqvpr.hnsw.buildSeconds, 1),
    fixed(r.faiss?.hnsw.buildSeconds, 1),
    r.faiss ? String(r.faiss.threads) : '',
    ratio(r.seqvpr.hnsw.buildSeconds, r.faiss?.hnsw.buildSeconds),
    mib(r.seqvpr.hnsw.indexBytes),
    mib(r.faiss?.hnsw.indexBytes),
    ratio(r.seqvpr.hnsw.indexBytes, r.faiss?.hnsw.indexBytes),
    mib(r.seqvpr.hnsw.rssDeltaBytes),
    mib(r.faiss?.hnsw.rssDeltaBytes),
  ]);
  const query = records.map((r) => [
    ...key(r),
    msText(r.seqvpr.exact.p50),
    msText(r.faiss?.flat.p50),
    ratio(r.seqvpr.exact.p50, r.faiss?.flat.p50),
    `${msText(r.seqvpr.hnsw.p50)} / ${msText(r.seqvpr.hnsw.p95)}`,
    `${msText(r.faiss?.hnsw.p50)} / ${msText(r.faiss?.hnsw.p95)}`,
    ratio(r.seqvpr.hnsw.p50, r.faiss?.hnsw.p50),
    fixed(r.seqvpr.hnsw.recall, 3),
    fixed(r.faiss?.hnsw.recall, 3),
    ratio(r.seqvpr.exact.p50, r.seqvpr.hnsw.p50),
  ]);
  const k = first.k;
  const withIo = records.filter((r) => r.seqvpr.io);
  const io = withIo.length
    ? ['### seqvpr map save / verified load', '', table(['N', 'dim', 'data', 'save s', 'load s', 'on disk MiB'], withIo.map((r) => [...key(r), fixed(r.seqvpr.io!.saveSeconds, 2), fixed(r.seqvpr.io!.loadSeconds, 2), mib(r.seqvpr.io!.diskBytes)])), '']
    : [];
  return [
    `### Build and memory (HNSW M/efConstruction/efSearch as listed; hnswlib-node builds on one thread, ${threads})`,
    '',
    'Index MiB: the graph as each library serialises it (vectors + links). RSS Δ: resident growth over the build; ' +
      "seqvpr's builds a whole PlaceMap, which also keeps its own copy of the descriptor rows for exact search.",
    '',
    table(['N', 'dim', 'data', 'HNSW params', 'seqvpr build s', 'faiss build s', 'faiss threads', 'ratio', 'seqvpr index MiB', 'faiss index MiB', 'ratio', 'seqvpr map RSS Δ MiB', 'faiss HNSW RSS Δ MiB'], build),
    '',
    `### Single-query latency (ms) and recall@${k} against exact search, ${first.queries} queries per row`,
    '',
    `Exact: seqvpr's exactSearch (JS) vs faiss IndexFlatIP. Recall of both HNSWs is measured against seqvpr's exact top-${k}. Ratios are seqvpr / faiss (above 1: seqvpr slower).`,
    '',
    table(['N', 'dim', 'data', 'exact p50 seqvpr', 'exact p50 faiss', 'ratio', 'HNSW p50 / p95 seqvpr', 'HNSW p50 / p95 faiss', 'ratio p50', `recall@${k} seqvpr`, `recall@${k} faiss`, 'seqvpr HNSW speed-up vs exact'], query),
    '',
    ...io,
  ].join('\n');
}

/** The sweep rows reaching `target`, cheapest query first (p50, then build time). */
export function cheapestReaching(records: readonly SweepRecord[], target: number): SweepRecord[] {
  return records.filter((r) => r.recall >= target).sort((a, b) => a.p50 - b.p50 || a.buildSeconds - b.buildSeconds);
}

function sweepSection(records: readonly SweepRecord[], target: number): string {
  const first = records[0];
  const rows = records.map((r) => [
    String(r.m),
    String(r.efConstruction),
    fixed(r.buildSeconds, 1),
    String(r.efSearch),
    fixed(r.recall, 3),
    msText(r.p50),
    msText(r.p95),
    r.recall >= target ? 'yes' : '',
  ]);
  const reaching = cheapestReaching(records, target);
  const best = reaching[0];
  const fastestBuild = [...reaching].sort((a, b) => a.buildSeconds - b.buildSeconds || a.p50 - b.p50)[0];
  const describe = (r: SweepRecord): string => `M ${r.m}, efConstruction ${r.efConstruction}, efSearch ${r.efSearch} (recall ${fixed(r.recall, 3)}, p50 ${msText(r.p50)} ms, build ${fixed(r.buildSeconds, 0)} s)`;
  return [
    `### HNSW parameter sweep (seqvpr/hnswlib, ${count(first.count)} x ${first.dim}-D ${first.data}, ${first.queries} queries, recall@${first.k} against exact)`,
    '',
    table(['M', 'efConstruction', 'build s', 'efSearch', `recall@${first.k}`, 'p50 ms', 'p95 ms', `≥ ${target}`], rows),
    '',
    best ? `Cheapest query reaching recall@${first.k} ≥ ${target}: ${describe(best)}.` : `No setting reached recall@${first.k} ≥ ${target}.`,
    fastestBuild ? `Cheapest build reaching it: ${describe(fastestBuild)}.` : '',
    '',
  ].join('\n');
}
