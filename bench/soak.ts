// Soak test: replays a synthetic ROS 2 bag through the real pipeline for a long time (100k frames
// by default) with resident memory sampled along the way, and says whether memory plateaus.
//   npx tsx --expose-gc bench/soak.ts                                  # 100k frames, every mode
//   npx tsx --expose-gc bench/soak.ts --quick                          # smoke run, about a minute
//   npx tsx --expose-gc bench/soak.ts --frames 200000 --markdown /tmp/soak.md --svg /tmp/soak
// Other options: --modes, --map-frames, --control-frames (0: none), --overload-seconds, --every,
// --places, --bag-frames, --config, --machine (the text describing the machine in the markdown).
// Modes (--modes, comma-separated; default all three):
//   localize  the query bag, played in a loop, through the recogniser against a fixed map, every
//             frame processed in order (what `seqvpr replay --rate max` does). Nothing should grow.
//   map       live mapping with loop closures (what the node does in mode map): every frame is
//             matched, then appended to the map, so memory grows with the map by design. What a map
//             costs per frame is measured after the run (a copy of its frames is built and the RSS and
//             heap it adds are divided by its size); that expected growth is subtracted before
//             judging, and what is left must plateau. A control pair of shorter runs (mapping alone,
//             and mapping with two extra localisations of every frame) checks that memory follows
//             the map, not the work: a leak per processed frame would grow about 3x faster there.
//   overload  frames offered at 3x the rate the localize run sustained, through the live overload
//             policy (newest frame kept, the rest dropped and counted): memory must stay bounded.
// The front end is patchnorm (config/patchnorm.yaml), so the run measures the pipeline, not a CNN.
// --expose-gc makes every sample follow a full GC, so heapUsed shows live objects only.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Subject, lastValueFrom, tap } from 'rxjs';
import type { Frame } from '../src/core/types.js';
import { loopConfigSchema, LiveMapper } from '../src/loops/live-mapper.js';
import { PlaceMap } from '../src/map/place-map.js';
import { createFrontend, createRecognizer, type Frontend } from '../src/pipeline/assemble.js';
import { buildMap } from '../src/pipeline/build-map.js';
import { hnswParams, loadPipelineConfig } from '../src/pipeline/config.js';
import { recognizeLive, recognizeRecorded } from '../src/pipeline/stream.js';
import { collectsGarbage, memoryPlot, memoryTable, plateauVerdict, sampleMemory, type MemorySample, type Verdict } from './soak-report.js';
import { IMAGE_TOPIC, loopedBagFrames, mapRun, writeQueryBag } from './soak-world.js';

const { values: args } = parseArgs({
  options: {
    frames: { type: 'string' },
    quick: { type: 'boolean', default: false },
    modes: { type: 'string', default: 'localize,map,overload' },
    'map-frames': { type: 'string' },
    'overload-seconds': { type: 'string' },
    'control-frames': { type: 'string' },
    every: { type: 'string' },
    places: { type: 'string', default: '1000' },
    'bag-frames': { type: 'string', default: '2000' },
    config: { type: 'string', default: 'config/patchnorm.yaml' },
    markdown: { type: 'string' },
    svg: { type: 'string' },
    machine: { type: 'string', default: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}` },
  },
});

const int = (v: string | undefined, fallback: number, name: string): number => {
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${v}"`);
  return n;
};
const FRAMES = int(args.frames, args.quick ? 6000 : 100_000, 'frames');
const MAP_FRAMES = int(args['map-frames'], args.quick ? 3000 : 30_000, 'map-frames');
/** Frames of each of the two control mapping runs (0: no control). */
const CONTROL_FRAMES = args['control-frames'] === '0' ? 0 : int(args['control-frames'], args.quick ? 1500 : 10_000, 'control-frames');
const OVERLOAD_SECONDS = int(args['overload-seconds'], args.quick ? 8 : 60, 'overload-seconds');
const PLACES = int(args.places, 1000, 'places');
const BAG_FRAMES = int(args['bag-frames'], 2000, 'bag-frames');
const MODES = new Set(args.modes.split(',').map((m) => m.trim()).filter(Boolean));
for (const m of MODES) if (!['localize', 'map', 'overload'].includes(m)) throw new Error(`unknown mode "${m}" (localize, map, overload)`);
/** About 100 samples per run. */
const everyFor = (frames: number) => int(args.every, Math.max(50, Math.round(frames / 100)), 'every');

interface ModeResult {
  mode: string;
  title: string;
  summary: string[];
  samples: MemorySample[];
  verdict: Verdict;
}

const log = (m: string) => process.stderr.write(`soak: ${m}\n`);

/** Places within `tolerance` along the (circular) route count as the right place. */
const nearPlace = (a: number, b: number, tolerance = 2) => {
  const d = Math.abs(a - b) % PLACES;
  return Math.min(d, PLACES - d) <= tolerance;
};

async function localize(frontend: Frontend, bag: string): Promise<ModeResult & { fps: number }> {
  const map = (await buildMap(mapRun(PLACES), frontend, { source: 'soak map' })).map;
  const recognizer = createRecognizer(frontend, map, 'the soak map');
  const every = everyFor(FRAMES);
  const start = performance.now();
  const samples = [sampleMemory(0, start)];
  let done = 0;
  let correct = 0;
  let matched = 0;
  let skipped = 0;
  const places = new Map<number, number>();
  const frames = (async function* () {
    for await (const f of loopedBagFrames(bag, BAG_FRAMES, FRAMES)) {
      places.set(f.index, f.bagIndex % PLACES);
      const { bagIndex: _b, ...frame } = f;
      yield frame as Frame;
    }
  })();
  await lastValueFrom(
    recognizeRecorded(frames, recognizer).pipe(
      tap((r) => {
        const truth = places.get(r.frame.index)!;
        places.delete(r.frame.index);
        if (r.kind === 'match') {
          matched++;
          if (nearPlace(r.match.mapIndex, truth)) correct++;
        } else if (r.kind === 'skipped') skipped++;
        if (++done % every === 0) {
          samples.push(sampleMemory(done, start));
          if (done % (every * 10) === 0) log(`localize ${done}/${FRAMES} frames, ${(samples.at(-1)!.rss / 2 ** 20).toFixed(0)} MiB RSS`);
        }
      }),
    ),
  );
  if (samples.at(-1)!.frames !== done) samples.push(sampleMemory(done, start));
  const seconds = (performance.now() - start) / 1000;
  const fps = done / seconds;
  return {
    mode: 'localize',
    title: `localize: ${done} frames of a ${BAG_FRAMES}-frame bag played in a loop, map of ${PLACES} places`,
    summary: [
      `${done} frames in ${seconds.toFixed(0)} s (${fps.toFixed(0)} frames/s, ${((1000 * seconds) / done).toFixed(2)} ms/frame), ${skipped} skipped`,
      `within 2 places of the truth: ${((100 * correct) / Math.max(1, matched)).toFixed(1)}% of ${matched} matches (a check that the pipeline does real work)`,
    ],
    samples,
    verdict: plateauVerdict(samples),
    fps,
  };
}

/**
 * What holding a map costs per frame, measured rather than guessed: a copy of the first frames of
 * `map` (fresh metadata objects, the same descriptors, its own HNSW index) is built on top of
 * everything else and the RSS and heapUsed it adds are divided by its size.
 */
function measureMapCost(map: PlaceMap, frames: number): { rss: number; heap: number; frames: number } {
  const n = Math.min(frames, map.size);
  const before = sampleMemory(0, 0);
  const copy = PlaceMap.create({ encoder: map.info.encoder, sequence: map.info.sequence, hnsw: map.info.hnsw, source: 'soak calibration' });
  const descriptors = map.frameDescriptors;
  for (let i = 0; i < n; i++) {
    const meta = map.frames[i];
    // New stamp and source objects, built as the live frames built theirs (a source string made
    // by two concatenations is a rope of several heap objects, not one flat string).
    const source = `${`${IMAGE_TOPIC}#${i % BAG_FRAMES}`}@${Math.floor(i / BAG_FRAMES)}`;
    copy.add({ stamp: meta.stamp + 0n, source }, descriptors.row(i).slice());
  }
  const after = sampleMemory(0, 0);
  if (copy.size !== n) throw new Error('calibration map incomplete');
  return { rss: (after.rss - before.rss) / n, heap: (after.heapUsed - before.heapUsed) / n, frames: n };
}

interface MappingRun {
  map: PlaceMap;
  samples: MemorySample[];
  seconds: number;
  loops: number;
  correctLoops: number;
}

/**
 * Live mapping of `frames` frames: each is matched against the map so far, then appended. With
 * `extraQueries` > 0 every frame is also localised that many more times against the growing map
 * (the control run: more work per map frame, the same map).
 */
async function mappingRun(frontend: Frontend, bag: string, hnsw: ReturnType<typeof hnswParams>, frames: number, extraQueries = 0): Promise<MappingRun> {
  const map = PlaceMap.create({ encoder: frontend.identity.encoder, sequence: frontend.identity.sequence, hnsw, source: 'soak live map' });
  const mapper = new LiveMapper(frontend, map, loopConfigSchema.parse({}));
  const extra = Array.from({ length: extraQueries }, () => createRecognizer(frontend, map, 'the soak live map'));
  const every = everyFor(frames);
  const start = performance.now();
  const samples = [sampleMemory(0, start, map.size)];
  let loops = 0;
  let correctLoops = 0;
  let done = 0;
  for await (const f of loopedBagFrames(bag, BAG_FRAMES, frames)) {
    const { bagIndex, ...frame } = f;
    for (const recognizer of extra) await recognizer.process({ ...frame, index: done });
    const step = await mapper.process({ ...frame, index: map.size });
    if (step.loop) {
      loops++;
      // Map frame j holds bag frame j % BAG_FRAMES (nothing is skipped), so its place is known.
      if (nearPlace((step.loop.matchIndex % BAG_FRAMES) % PLACES, bagIndex % PLACES)) correctLoops++;
    }
    if (++done % every === 0) {
      samples.push(sampleMemory(done, start, map.size));
      if (done % (every * 10) === 0) log(`map${extraQueries ? ` (+${extraQueries} queries per frame)` : ''} ${done}/${frames} frames, ${(samples.at(-1)!.rss / 2 ** 20).toFixed(0)} MiB RSS`);
    }
  }
  if (samples.at(-1)!.frames !== done) samples.push(sampleMemory(done, start, map.size));
  return { map, samples, seconds: (performance.now() - start) / 1000, loops, correctLoops };
}

/** Growth per map frame over the second half of a mapping run (the first half is warm-up). */
function secondHalfGrowth(samples: readonly MemorySample[]): { rss: number; heap: number } {
  const last = samples.at(-1)!;
  const middle = samples.reduce((a, b) => (Math.abs(b.frames - last.frames / 2) < Math.abs(a.frames - last.frames / 2) ? b : a));
  const frames = Math.max(1, last.mapFrames - middle.mapFrames);
  return { rss: (last.rss - middle.rss) / frames, heap: (last.heapUsed - middle.heapUsed) / frames };
}

async function liveMapping(frontend: Frontend, bag: string, hnsw: ReturnType<typeof hnswParams>, windowLength: number): Promise<ModeResult> {
  const run = await mappingRun(frontend, bag, hnsw, MAP_FRAMES);
  const { map, samples } = run;
  const cost = measureMapCost(map, map.size);
  // The query window's difference-matrix columns also span the map: windowLength float32 per map
  // frame, up to twice that while its capacity doubles.
  const windowBytes = 2 * windowLength * 4;
  for (const s of samples) {
    s.expected = s.mapFrames * (cost.rss + windowBytes);
    s.expectedHeap = s.mapFrames * cost.heap;
  }
  const grew = secondHalfGrowth(samples);
  const verdict = plateauVerdict(samples);
  const summary = [
    `${MAP_FRAMES} frames in ${run.seconds.toFixed(0)} s (${(MAP_FRAMES / run.seconds).toFixed(0)} frames/s over the whole run), map of ${map.size} frames at the end`,
    `${run.loops} loop closures, ${run.correctLoops} of them at the right place`,
    `expected growth, measured after the run by building a copy of its ${cost.frames} frames: ${(cost.rss / 1024).toFixed(2)} KiB RSS and ${cost.heap.toFixed(0)} B heapUsed per map frame, ` +
      `plus ${windowBytes} B for the query window's difference-matrix columns`,
    `over its second half the run grew ${(grew.rss / 1024).toFixed(2)} KiB RSS and ${grew.heap.toFixed(0)} B heapUsed per map frame`,
  ];
  if (CONTROL_FRAMES > 0) {
    // Control: the same mapping with three times the work per map frame. Memory that follows the
    // map grows alike in both; a leak per processed frame would grow about three times as fast.
    const plain = secondHalfGrowth((await mappingRun(frontend, bag, hnsw, CONTROL_FRAMES)).samples);
    const busy = secondHalfGrowth((await mappingRun(frontend, bag, hnsw, CONTROL_FRAMES, 2)).samples);
    const followsMap = busy.rss <= 1.5 * Math.max(plain.rss, 0) + 512 && busy.heap <= 1.5 * Math.max(plain.heap, 0) + 64;
    summary.push(
      `control (${CONTROL_FRAMES} frames each, second half): mapping alone grew ${(plain.rss / 1024).toFixed(2)} KiB RSS / ${plain.heap.toFixed(0)} B heap per map frame, ` +
        `mapping with 2 extra localisations of every frame ${(busy.rss / 1024).toFixed(2)} KiB / ${busy.heap.toFixed(0)} B: ` +
        (followsMap ? 'growth follows the map, not the work done' : 'MORE WORK GROWS MEMORY FASTER: a leak per processed frame'),
    );
    if (!followsMap) {
      verdict.plateau = false;
      verdict.text = verdict.text.replace(/^PLATEAU/, 'GROWING (control)');
    }
  }
  return { mode: 'map', title: `map (live mapping): ${MAP_FRAMES} frames, each appended to the map`, summary, samples, verdict };
}

async function overload(frontend: Frontend, bag: string, sustainedFps: number): Promise<ModeResult> {
  const map = (await buildMap(mapRun(PLACES), frontend, { source: 'soak map' })).map;
  const recognizer = createRecognizer(frontend, map, 'the soak map');
  // The camera's frames, decoded from the bag once, then offered again and again with new stamps.
  const pool: Frame[] = [];
  for await (const f of loopedBagFrames(bag, BAG_FRAMES, BAG_FRAMES)) {
    const { bagIndex: _b, ...frame } = f;
    pool.push(frame);
  }
  const offeredFps = 3 * sustainedFps;
  const input = new Subject<Frame>();
  const drops = { dropped: 0 };
  let processed = 0;
  let offered = 0;
  const start = performance.now();
  const samples = [sampleMemory(0, start)];
  const done = lastValueFrom(recognizeLive(input, recognizer, drops).pipe(tap(() => processed++)), { defaultValue: undefined });
  await new Promise<void>((resolve) => {
    let lastSample = start;
    const timer = setInterval(() => {
      const now = performance.now();
      const elapsed = (now - start) / 1000;
      // Whatever the timer's jitter, the camera has published elapsed * rate frames by now.
      const due = Math.min(Math.floor(elapsed * offeredFps), Math.ceil(OVERLOAD_SECONDS * offeredFps));
      for (; offered < due; offered++) {
        const f = pool[offered % pool.length];
        input.next({ ...f, index: offered, stamp: f.stamp + BigInt(offered) * 1_000_000n });
      }
      if (now - lastSample >= (OVERLOAD_SECONDS * 1000) / 100) {
        lastSample = now;
        samples.push(sampleMemory(offered, start));
      }
      if (elapsed >= OVERLOAD_SECONDS) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  input.complete();
  await done;
  samples.push(sampleMemory(offered, start));
  const seconds = (performance.now() - start) / 1000;
  return {
    mode: 'overload',
    title: `overload: frames offered at 3x the sustained rate for ${OVERLOAD_SECONDS} s`,
    summary: [
      `${offered} frames offered at ${offeredFps.toFixed(0)} frames/s (3 x ${sustainedFps.toFixed(0)}), ${processed} processed (${(processed / seconds).toFixed(0)} frames/s), ${drops.dropped} dropped and counted`,
      `every offered frame accounted for: ${processed + drops.dropped === offered ? 'yes' : `NO (${offered - processed - drops.dropped} missing)`}`,
    ],
    samples,
    verdict: plateauVerdict(samples),
  };
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-soak-'));
  const results: ModeResult[] = [];
  const started = new Date();
  try {
    const bag = path.join(tmp, 'query-bag');
    await writeQueryBag(bag, BAG_FRAMES, PLACES);
    const loaded = await loadPipelineConfig(args.config);
    const frontend = await createFrontend(loaded);
    try {
      let fps: number | undefined;
      if (MODES.has('localize')) {
        const r = await localize(frontend, bag);
        fps = r.fps;
        results.push(r);
        report(r);
      }
      if (MODES.has('map')) {
        const r = await liveMapping(frontend, bag, hnswParams(loaded.config), loaded.config.windowLength);
        results.push(r);
        report(r);
      }
      if (MODES.has('overload')) {
        if (fps === undefined) {
          // Calibrate: the rate a short localize run sustains.
          const t0 = performance.now();
          const map = (await buildMap(mapRun(PLACES), frontend, { source: 'soak map' })).map;
          const recognizer = createRecognizer(frontend, map);
          const t1 = performance.now();
          let n = 0;
          for await (const f of loopedBagFrames(bag, BAG_FRAMES, 500)) {
            await recognizer.process(f);
            n++;
          }
          fps = n / ((performance.now() - t1) / 1000);
          log(`calibration: ${fps.toFixed(0)} frames/s (map built in ${((t1 - t0) / 1000).toFixed(1)} s)`);
        }
        const r = await overload(frontend, bag, fps);
        results.push(r);
        report(r);
      }
    } finally {
      await frontend.close();
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const markdown = renderMarkdown(results, started, args.config);
  if (args.markdown) await writeFile(args.markdown, markdown);
  if (args.svg) for (const r of results) await writeFile(`${args.svg}-${r.mode}.svg`, memoryPlot(r.samples, r.title));
  process.stdout.write(markdown);
  if (results.some((r) => !r.verdict.plateau)) process.exitCode = 2;
}

function report(r: ModeResult): void {
  log(`${r.mode}: ${r.summary.join('; ')}`);
  log(`${r.mode}: ${r.verdict.text}`);
}

function renderMarkdown(results: ModeResult[], started: Date, config: string): string {
  const quote = (a: string) => (/^[\w./:=,-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
  const command = `npx tsx${collectsGarbage ? ' --expose-gc' : ''} bench/soak.ts ${process.argv.slice(2).map(quote).join(' ')}`.trim();
  const out = [
    '## Soak: memory over a long replay (`bench/soak.ts`)',
    '',
    `\`${command}\`, ${started.toISOString().slice(0, 10)}, ${args.machine}; front end and pipeline from ${config} ` +
      `(patchnorm 32x16, frame-votes retrieval over HNSW, SeqSLAM over a 10-frame window); query frames are raw mono8 ` +
      `\`sensor_msgs/Image\` read from a ${BAG_FRAMES}-frame MCAP bag played in a loop; map of ${PLACES} places. ` +
      `Memory is sampled ${collectsGarbage ? 'after a full GC ' : ''}about 100 times per run (process.memoryUsage()).`,
    '',
  ];
  for (const r of results) {
    out.push(`### ${r.title}`, '', ...r.summary.map((s) => `- ${s}`), `- **${r.verdict.text}**`, '', memoryTable(r.samples), '');
  }
  return out.join('\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`soak: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
