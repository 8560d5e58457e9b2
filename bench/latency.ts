// Speed at scale: per-stage latency of the live path on a 100k-frame map at camera rates, the fine
// matchers' cost versus map size and window length, and bag replay throughput.
//
//   npx tsx --expose-gc bench/latency.ts [--quick] [--markdown FILE] [--provider cpu|cuda|tensorrt]
//       [--frontends cnn,patchnorm] [--rows 100000] [--queries 1000] [--rates 10,30]
//       [--sizes 1000,10000,100000] [--lengths 5,10,20] [--sections live,matchers,replay,index]
//       [--map-cache] [--cache out/bench/latency] [--data ../shared/data/nordland64]
//       [--replay-lookahead 1,4] [--pca-dims 256] [--rerank-config config/default.yaml]
//
// The map: see latency/synthetic-map.ts (real nordland summer descriptors + spatially shuffled
// copies of real stretches). Queries: real nordland winter images (PNG bytes in memory, as a topic
// delivers them) through decode -> preprocess -> encode -> centring -> window -> frame votes ->
// SeqSLAM (and re-ranking), on the wall clock with the live overload policy. The pipelines are
// config/no-rerank.yaml (cnn), config/patchnorm.yaml and config/default.yaml (cnn-rerank, the
// default since re-ranking is on in it; --rerank-config another, e.g. the
// pipeline.yaml of seqvpr train patches: give it its own --cache, the map cache is keyed by name) as
// shipped; --provider sets the CNN's execution provider.
// Replay runs once per --replay-lookahead value: 1 is the one-frame-at-a-time run (encoder on the
// main thread), above 1 the path `seqvpr replay` takes (next frames encoded ahead, the CNN in a
// worker thread); each row says whether its answers equal the one-at-a-time run's exactly.
import { nordlandSeasons } from './nordland-data.js';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeImagesToBag } from '../src/cli/images-to-bag.js';
import { DEMO_IMAGE_TOPIC, DEMO_POSE_TOPIC, generateDemo } from '../src/demo/generate.js';
import type { PlaceMap } from '../src/map/place-map.js';
import { createFrontend, createRecognizer, type Frontend } from '../src/pipeline/assemble.js';
import { buildMap } from '../src/pipeline/build-map.js';
import { RECORDED_LOOKAHEAD } from '../src/pipeline/stream.js';
import { loadPipelineConfig, type LoadedConfig } from '../src/pipeline/config.js';
import { bagFrames } from '../src/sources/bag.js';
import { listImages } from '../src/sources/image-folder.js';
import { STAGES } from '../src/pipeline/timing.js';
import { traversalDescriptors, traversalPatches } from './latency/descriptors.js';
import { liveRun, type LiveRunResult } from './latency/live-run.js';
import { fixed, ms, table } from './latency/markdown.js';
import { matcherCost, type MatcherCostRow } from './latency/matcher-cost.js';
import { compareIndexes, type IndexRow } from './latency/pca-index.js';
import { replayThroughput, sameAnswers, type ReplayResult } from './latency/replay.js';
import { syntheticMap, type CellLayout, type SyntheticMap } from './latency/synthetic-map.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    markdown: { type: 'string' },
    provider: { type: 'string', default: 'cpu' },
    'rerank-config': { type: 'string', default: 'config/default.yaml' },
    'intra-op-threads': { type: 'string' },
    frontends: { type: 'string', default: 'cnn-rerank,cnn,patchnorm' },
    rows: { type: 'string' },
    queries: { type: 'string' },
    rates: { type: 'string', default: '10,30' },
    sizes: { type: 'string' },
    lengths: { type: 'string' },
    'matcher-frames': { type: 'string' },
    'replay-frames': { type: 'string' },
    'replay-lookahead': { type: 'string', default: `1,${RECORDED_LOOKAHEAD}` },
    'pca-dims': { type: 'string' },
    sections: { type: 'string', default: 'live,matchers,replay' },
    'map-cache': { type: 'boolean', default: false },
    cache: { type: 'string', default: 'out/bench/latency' },
    data: { type: 'string', default: '../shared/data/nordland64' },
    seed: { type: 'string', default: '1' },
    'machine-note': { type: 'string', default: '' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'usage: npx tsx --expose-gc bench/latency.ts [--quick] [--markdown FILE] [--provider cpu|cuda|tensorrt] [--intra-op-threads N]\n' +
      '  [--frontends cnn,patchnorm] [--rows 100000] [--queries 1000] [--rates 10,30] [--sizes 1000,10000,100000]\n' +
      '  [--lengths 5,10,20] [--matcher-frames 30] [--replay-frames 2400] [--replay-lookahead 1,4] [--pca-dims 256] [--sections live,matchers,replay,index]\n' +
      '  [--map-cache] [--cache out/bench/latency] [--data ../shared/data/nordland64] [--seed 1] [--machine-note TEXT] [--rerank-config FILE]',
  );
  process.exit(0);
}

const quick = args.quick!;
const num = (v: string | undefined, full: number, fast: number): number => (v !== undefined ? Number(v) : quick ? fast : full);
const list = (v: string | undefined, full: string, fast: string): number[] => (v ?? (quick ? fast : full)).split(',').map(Number);
const opts = {
  rows: num(args.rows, 100_000, 5_000),
  realRows: quick ? 600 : 2400,
  queries: num(args.queries, 1000, 60),
  rates: list(args.rates, '10,30', '10,30'),
  sizes: list(args.sizes, '1000,10000,100000', '1000,5000'),
  lengths: list(args.lengths, '5,10,20', '5,10'),
  matcherFrames: num(args['matcher-frames'], 30, 8),
  replayFrames: num(args['replay-frames'], 2400, 150),
  replayLookaheads: args['replay-lookahead']!.split(',').map(Number),
  sections: new Set(args.sections!.split(',')),
  pcaDims: num(args['pca-dims'], 256, 64),
  indexQueries: quick ? 20 : 100,
  seed: Number(args.seed),
};
const provider = args.provider!;
if (!['cpu', 'cuda', 'tensorrt'].includes(provider)) throw new Error(`--provider must be cpu, cuda or tensorrt, got ${provider}`);

const FRONTENDS: Record<string, { config: string; label: string; layout: CellLayout }> = {
  cnn: { config: 'config/no-rerank.yaml', label: 'CNN without re-ranking', layout: { kind: 'channel-major', cells: 32 } },
  patchnorm: { config: 'config/patchnorm.yaml', label: 'patchnorm', layout: { kind: 'image', width: 32, height: 16, patch: 8 } },
  'cnn-rerank': { config: args['rerank-config']!, label: 'CNN + patch re-ranking (default)', layout: { kind: 'channel-major', cells: 32 } },
};

const log = (m: string): void => void process.stderr.write(`[latency] ${m}\n`);
const gib = (mib: number): string => (mib / 1024).toFixed(2);

interface FrontendResult {
  name: string;
  label: string;
  provider: string;
  dim: number;
  built: Omit<SyntheticMap, 'map'>;
  live: LiveRunResult[];
  replays: ReplayResult[];
  demoReplays: (ReplayResult & { mapRows: number })[];
}

async function loadConfig(name: string): Promise<LoadedConfig> {
  const loaded = await loadPipelineConfig(FRONTENDS[name].config);
  const { frontend } = loaded.config;
  if (frontend.kind === 'patchnorm') return loaded;
  const threads = args['intra-op-threads'] !== undefined ? { intraOpThreads: Number(args['intra-op-threads']) } : {};
  return { ...loaded, config: { ...loaded.config, frontend: { ...frontend, providers: [provider as 'cpu'], ...threads } } };
}

/** nordland winter as a ROS 2 MCAP bag (sensor_msgs/CompressedImage PNG at 10 Hz), written once. */
async function nordlandBag(): Promise<string> {
  const dir = path.join(args.cache!, 'bags', 'nordland-winter-10hz');
  if (!existsSync(path.join(dir, 'metadata.yaml'))) {
    log(`writing ${dir}`);
    await mkdir(path.dirname(dir), { recursive: true });
    await writeImagesToBag(path.join(args.data!, 'winter'), dir, { compressed: true, rateHz: 10 });
  }
  return dir;
}

/** The demo's two drives (JPEG 160x96 at 10 Hz with odometry), generated once. */
async function demoBags(): Promise<{ map: string; query: string }> {
  const dir = path.join(args.cache!, 'demo');
  const map = path.join(dir, 'map_run');
  const query = path.join(dir, 'query_run');
  if (!existsSync(path.join(query, 'metadata.yaml'))) {
    log(`generating the demo bags in ${dir}`);
    await generateDemo(dir);
  }
  return { map, query };
}

async function runFrontend(name: string): Promise<FrontendResult> {
  const spec = FRONTENDS[name];
  const frontend = await createFrontend(await loadConfig(name), { warn: log });
  try {
    const summer = path.join(args.data!, 'summer');
    const winter = path.join(args.data!, 'winter');
    log(`${name}: encoding ${opts.realRows} summer frames (cached in ${args.cache})`);
    const real = await traversalDescriptors(summer, opts.realRows, frontend, path.join(args.cache!, 'descriptors'));
    const patches = frontend.patchEncoder ? await traversalPatches(summer, opts.realRows, frontend, path.join(args.cache!, 'descriptors')) : undefined;
    log(`${name}: building the ${opts.rows}-row map`);
    const { map: builtMap, ...built } = await syntheticMap(real, frontend, {
      rows: opts.rows,
      seed: opts.seed,
      layout: spec.layout,
      patches,
      cacheDir: args['map-cache'] ? path.join(args.cache!, 'maps', `${name}-${opts.rows}-${opts.realRows}-s${opts.seed}`) : undefined,
      onProgress: (n) => n % 10_000 === 0 && log(`${name}: ${n} rows`),
    });
    log(`${name}: map ready in ${built.buildSeconds.toFixed(1)} s${built.loadedFromCache ? ' (loaded from cache)' : ''}`);
    let map: PlaceMap | undefined = builtMap;
    const truth = (q: number): number => built.realOffset + q;
    const result: FrontendResult = {
      name, label: spec.label, provider: frontend.frameEncoder.provider, dim: frontend.identity.encoder.dim, built, live: [], replays: [], demoReplays: [],
    };

    if (opts.sections.has('live')) {
      const files = (await listImages(winter)).slice(0, Math.min(opts.queries, opts.realRows));
      const images = await Promise.all(files.map(async (f) => new Uint8Array(await readFile(f))));
      for (const rateHz of opts.rates) {
        log(`${name}: ${images.length} queries paced at ${rateHz} Hz`);
        const run = await liveRun(images, createRecognizer(frontend, map), { rateHz, warmup: 20, truth });
        log(`${name} ${rateHz} Hz: e2e p95 ${ms(run.endToEnd.p95)} ms, dropped ${run.dropped}`);
        result.live.push(run);
      }
    }
    if (opts.sections.has('replay')) {
      const bag = await nordlandBag();
      const replayMap = map;
      result.replays = await eachLookahead(name, frontend, async (replayFrontend, lookahead) => {
        log(`${name}: replaying ${opts.replayFrames} frames of ${bag} against the ${opts.rows}-row map, lookahead ${lookahead}`);
        return replayThroughput(bag, '/camera/image_raw/compressed', createRecognizer(replayFrontend, replayMap), {
          limit: Math.min(opts.replayFrames, opts.realRows),
          lookahead,
          isCorrect: (q, m) => Math.abs(m - truth(q)) <= 1,
        });
      });
    }
    if (opts.sections.has('matchers') && name === 'cnn') {
      const queries = await traversalDescriptors(winter, opts.realRows, frontend, path.join(args.cache!, 'descriptors'));
      log('fine matching cost');
      matcherRows = matcherCost(map.frameDescriptors, queries, {
        sizes: opts.sizes,
        lengths: opts.lengths,
        frames: opts.matcherFrames,
        truthOffset: built.realOffset,
        onCase: (r) => log(`  ${r.variant} rows ${r.rows} L ${r.L}: p50 ${ms(r.match.p50)} ms`),
      });
    }
    if (opts.sections.has('index') && name === 'cnn') {
      const queries = await traversalDescriptors(winter, opts.realRows, frontend, path.join(args.cache!, 'descriptors'));
      const step = Math.max(1, Math.floor(queries.rows / opts.indexQueries));
      const picked = Array.from({ length: Math.min(opts.indexQueries, queries.rows) }, (_, i) => queries.row(i * step));
      indexRows = compareIndexes(map.frameDescriptors, map.frameIndex, picked, { dims: opts.pcaDims, rerank: 200, sample: 3000, seed: opts.seed, log });
      indexBuildSeconds = (built.cachedBuild ?? built).buildSeconds;
    }
    map = undefined; // the big map can go before the demo map is built
    global.gc?.();
    if (opts.sections.has('replay')) result.demoReplays = await demoReplays(name, frontend);
    return result;
  } finally {
    await frontend.close();
  }
}

/**
 * One replay per --replay-lookahead value: lookahead 1 with `frontend` (encoder on this thread),
 * above 1 with a front end whose CNN runs in a worker thread, as `seqvpr replay` runs.
 */
async function eachLookahead<R>(name: string, frontend: Frontend, replay: (frontend: Frontend, lookahead: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const lookahead of opts.replayLookaheads) {
    if (lookahead === 1) {
      out.push(await replay(frontend, 1));
      continue;
    }
    const ahead = await createFrontend(await loadConfig(name), { warn: log, encoderThread: 'worker' });
    try {
      out.push(await replay(ahead, lookahead));
    } finally {
      await ahead.close();
    }
  }
  return out;
}

/** The demo's query drive replayed against a map built from its map drive (a small map, JPEG camera images). */
async function demoReplays(name: string, frontend: Frontend): Promise<(ReplayResult & { mapRows: number })[]> {
  const bags = await demoBags();
  const { map } = await buildMap(bagFrames(bags.map, { imageTopic: DEMO_IMAGE_TOPIC, poseTopic: DEMO_POSE_TOPIC, warn: () => {} }), frontend, { source: bags.map });
  return eachLookahead(name, frontend, async (replayFrontend, lookahead) => {
    log(`demo: replaying ${bags.query} against a ${map.size}-frame map, lookahead ${lookahead}`);
    const r = await replayThroughput(bags.query, DEMO_IMAGE_TOPIC, createRecognizer(replayFrontend, map), {
      limit: Number.MAX_SAFE_INTEGER,
      lookahead,
      poseTopic: DEMO_POSE_TOPIC,
      isCorrect: (q, m, run) => {
        const a = run.queryPoses.get(q)?.position;
        const b = map.frames[m].pose?.position;
        return !!a && !!b && Math.hypot(a.x - b.x, a.y - b.y) <= 3;
      },
    });
    return { ...r, mapRows: map.size };
  });
}

/** How a replay ran, for the tables. */
function replayMode(x: ReplayResult, label: string): string {
  return x.lookahead === 1 ? 'one frame at a time' : `${x.lookahead} ahead${label.startsWith('CNN') ? ', CNN in a worker' : ''}`;
}

let matcherRows: MatcherCostRow[] = [];
let indexRows: IndexRow[] = [];
let indexBuildSeconds = 0;

function report(results: FrontendResult[]): string {
  const out: string[] = [];
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  out.push(
    '## Latency and throughput (`bench/latency.ts`)',
    '',
    `Machine: ${os.cpus().length} logical CPUs (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
      `${new Date().toISOString().slice(0, 10)}${args['machine-note'] ? `, ${args['machine-note']}` : ''}. ` +
      `Command: \`npx tsx --expose-gc bench/latency.ts ${process.argv.slice(2).join(' ')}\`.`,
    '',
  );
  const first = results[0];
  if (first) {
    const copies = results.map((r) => `${r.label}: ${r.built.copies} copies`).join(', ');
    out.push(
      `**The map** (${opts.rows} rows): the real nordland64 summer traversal ` +
        `(${first.built.realRows} frames, encoded and centred as \`map build\` does) at rows ${first.built.realOffset}..` +
        `${first.built.realOffset + first.built.realRows - 1}; every other row is a copy of a random real summer stretch ` +
        `(200..${first.built.realRows} frames) with its spatial cells shuffled by one random permutation per copy ` +
        `(CNN: the 32 cells of the 8x4 grid, the same for all 96 channels; patchnorm: the eight 8x8 patches) ` +
        `(${copies}). Copies keep real descriptor statistics and real frame-to-frame similarity, ` +
        'but show places no query visited. Rows are added one by one with `PlaceMap.add` (HNSW M 16, efConstruction 200, ' +
        'efSearch 200: the shipped defaults). Queries: the real winter images of the same stretch; R@1 (within 1 frame) is ' +
        'a sanity check that the real place still wins among the distractors, not an accuracy result.',
      '',
    );
    out.push(
      table(
        ['frontend', 'dim', 'rows', 'build s', 'ms per row', 'RSS growth GiB', 'note'],
        results.map((r) => {
          const b = r.built.cachedBuild ?? r.built;
          return [r.label, r.dim, opts.rows, fixed(b.buildSeconds, 0), ms((b.buildSeconds * 1000) / opts.rows), gib(b.rssGrowthMiB),
            r.built.loadedFromCache ? `loaded from the bench cache in ${r.built.buildSeconds.toFixed(0)} s; build numbers from the run that built it` : 'built in this run'];
        }),
      ),
      '',
    );
  }

  const live = results.filter((r) => r.live.length);
  if (live.length) {
    out.push(
      '### Per-frame latency, camera paced on the wall clock (live overload policy)',
      '',
      'Stages as the recogniser records them. decode = PNG decode + colour + resize to the model input (one sharp ' +
        'pipeline; for the CNN\'s 64x32 -> 256x128, fast-png and the exact enlargement of src/image/upsample.ts); preprocess = pixels to the float tensor (CNN only; patchnorm\'s thumbnail is its input); ' +
        'encode = the model (ONNX) or the patch normalisation; normalize = appearance centring; window = difference-matrix ' +
        'column; retrieve = HNSW top-50 + frame votes; match = SeqSLAM around 20 candidate ends; process = all of them. ' +
        'End to end = from the moment the camera published the frame to its result, so waiting behind the previous frame counts. ' +
        'Dropped frames (replaced while waiting) get no answer.',
      '',
    );
    for (const r of live) {
      const headers = ['stage'];
      for (const run of r.live) headers.push(`${run.rateHz} Hz p50`, 'p95', 'p99');
      const rows: string[][] = [];
      for (const stage of STAGES) {
        if (!r.live.some((run) => run.stages[stage])) continue;
        rows.push([stage === 'total' ? 'process (total)' : stage, ...r.live.flatMap((run) => [run.stages[stage]?.p50, run.stages[stage]?.p95, run.stages[stage]?.p99].map(ms))]);
      }
      rows.push(['**end to end**', ...r.live.flatMap((run) => [run.endToEnd.p50, run.endToEnd.p95, run.endToEnd.p99].map((v) => `**${ms(v)}**`))]);
      out.push(`${r.label}, ${r.dim}-D, execution provider in use: ${r.provider}${r.name === 'cnn' ? ` (requested: ${provider})` : ''}, ms:`, '', table(headers, rows), '');
    }
    out.push(
      table(
        ['frontend', 'camera', 'frames', 'answered', 'dropped', 'e2e p50 ms', 'e2e p95 ms', 'e2e p99 ms', 'CPU ms/frame', 'R@1 (answered)', 'wall s'],
        live.flatMap((r) =>
          r.live.map((run) => [r.label, `${run.rateHz} Hz`, run.frames, run.answered, run.dropped, ms(run.endToEnd.p50), ms(run.endToEnd.p95), ms(run.endToEnd.p99), ms(run.cpuMsPerFrame), fixed(run.recallAt1, 3), fixed(run.wallSeconds, 0)]),
        ),
      ),
      '',
    );
  }

  if (matcherRows.length) {
    const sizes = [...new Set(matcherRows.map((r) => r.rows))];
    out.push(
      '### Fine matching cost per frame (CNN descriptors, 3072-D)',
      '',
      'matcher.match alone, steady state (lazy difference matrix, cells of earlier frames cached), p50 / p95 ms over ' +
        `${opts.matcherFrames} frames; rows = map rows the matcher sees (a window of the map around the real stretch). ` +
        'Candidate ends come from frame votes (top 50 per frame by exact search, outside the timing). ' +
        'Last column: difference-matrix cells the matcher computed per frame at the largest size (each a 3072-D dot product).',
      '',
      table(
        ['matcher', 'L', ...sizes.map((s) => `${s} rows`), `new cells/frame @${sizes.at(-1)}`],
        [...new Set(matcherRows.map((r) => `${r.variant}\u0000${r.L}`))].map((key) => {
          const [variant, L] = key.split('\u0000');
          const cells = sizes.map((s) => matcherRows.find((r) => r.variant === variant && r.L === Number(L) && r.rows === s));
          return [variant, L, ...cells.map((c) => (c ? `${ms(c.match.p50)} / ${ms(c.match.p95)}` : '–')), fixed(cells.at(-1)?.cellsPerFrame, 0)];
        }),
      ),
      '',
    );
  }

  if (indexRows.length) {
    out.push(
      '### Frame index for large maps: HNSW on 3072-D vs a PCA-reduced index (CNN map above)',
      '',
      `Top-50 map frames per query (what frame votes ask for), ${opts.indexQueries} real winter query descriptors; recall@50 = share ` +
        'of the exact 3072-D top 50 found. HNSW parameters as shipped (M 16, efConstruction 200, efSearch 200). The PCA ' +
        'is fitted (no whitening) on 3000 random map rows.',
      '',
      table(
        ['index', 'dim', 'build s', 'search p50 / p95 ms', 'recall@50'],
        indexRows.map((r, i) => [r.index, r.dim, i === 0 ? `${fixed(indexBuildSeconds, 0)} (map build)` : fixed(r.buildSeconds, 0), `${ms(r.searchP50)} / ${ms(r.searchP95)}`, fixed(r.recallAt50, 3)]),
      ),
      '',
    );
  }

  const replays = results.filter((r) => r.replays.length || r.demoReplays.length);
  if (replays.length) {
    const same = (x: ReplayResult, all: readonly ReplayResult[]): string => {
      const reference = all.find((y) => y.lookahead === 1);
      return x === reference ? '(reference)' : reference ? (sameAnswers(x, reference) ? 'identical' : '**differ**') : '–';
    };
    out.push(
      '### Replay throughput (`seqvpr replay --rate max` library path: bag reading, CDR decoding, every frame)',
      '',
      'mode: one frame at a time (decode, encode, match, then the next frame), or the next frames decoded and encoded ' +
        'ahead while the current one is matched (what `seqvpr replay` and `seqvpr eval` do). answers: whether every ' +
        "query's ranked candidates, answer and confidence equal the one-at-a-time run's exactly. process p50 / p95: " +
        "the frame's own work (encoding included; encodings ahead overlap, so time in recogniser can pass 100%). " +
        'CPU ms/frame: CPU time of all the process\'s threads per frame (wall time moves with whatever else runs on the machine; this does much less).',
      '',
      table(
        ['bag', 'map', 'frontend', 'mode', 'frames', 'bag rate Hz', 'frames/s', 'x real time', 'CPU ms/frame', 'process p50 / p95 ms', 'time in recogniser', 'R@1', 'answers'],
        replays.flatMap((r) => [
          ...r.replays.map((x) => ['nordland64 winter, PNG 64x32 (MCAP)', `${opts.rows} rows (above)`, r.label, x, r.replays] as const),
          ...r.demoReplays.map((x) => ['demo query drive, JPEG 160x96 (MCAP)', `demo map, ${x.mapRows} rows`, r.label, x, r.demoReplays] as const),
        ]).map(([bag, map, label, x, all]) => [
          bag, map, label, replayMode(x, label), x.frames, fixed(x.bagHz, 1), fixed(x.framesPerSecond, 1), `**${fixed(x.realTime, 1)}**`, ms(x.cpuMsPerFrame),
          `${ms(x.processP50)} / ${ms(x.processP95)}`, `${fixed(100 * x.processShare, 0)}%`, fixed(x.recallAt1, 3), same(x, all),
        ]),
      ),
      '',
    );
  }

  const cnn = results.find((r) => r.name === 'cnn');
  const pn = results.find((r) => r.name === 'patchnorm');
  const cnn10 = cnn?.live.find((l) => l.rateHz === 10);
  const targets: string[][] = [];
  if (cnn10) {
    targets.push([`p95 end to end < 50 ms at 10 Hz, CNN, ${opts.rows}-row map`, `${ms(cnn10.endToEnd.p95)} ms (${cnn10.dropped} dropped)`, cnn10.endToEnd.p95 < 50 ? 'met' : '**missed**']);
  }
  // Replay targets are for the path `seqvpr replay` takes (the fastest mode measured).
  const fastest = (r: FrontendResult | undefined): ReplayResult | undefined => r?.replays.reduce<ReplayResult | undefined>((a, b) => (a && a.realTime >= b.realTime ? a : b), undefined);
  for (const [r, target] of [[cnn, 15], [pn, 30]] as const) {
    const x = fastest(r);
    if (!r || !x) continue;
    targets.push([`bag replay >= ${target}x real time, ${r.label}, ${opts.rows}-row map`, `${fixed(x.realTime, 1)}x (${replayMode(x, r.label)})`, x.realTime >= target ? 'met' : '**missed**']);
  }
  if (targets.length) out.push('### Targets', '', table(['target', 'measured', ''], targets), '');
  out.push(`Peak RSS of the bench process: ${gib(process.resourceUsage().maxRSS / 1024)} GiB.`, '');
  return out.join('\n');
}

async function main(): Promise<void> {
  nordlandSeasons(args.data!);
  const started = Date.now();
  const results: FrontendResult[] = [];
  for (const name of args.frontends!.split(',')) {
    if (!FRONTENDS[name]) throw new Error(`unknown frontend ${name} (cnn, patchnorm)`);
    results.push(await runFrontend(name));
    global.gc?.();
  }
  const md = report(results) + `\nBench wall time: ${((Date.now() - started) / 1000).toFixed(0)} s.\n`;
  console.log(md);
  if (args.markdown) {
    await mkdir(path.dirname(path.resolve(args.markdown)), { recursive: true });
    await writeFile(args.markdown, md);
    log(`wrote ${args.markdown}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
