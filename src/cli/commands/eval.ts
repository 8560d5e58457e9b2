// `seqvpr eval` (image folders; `seqvpr replay`, replay.ts, runs it on bags): localise a query run
// against a map and measure it (metrics.json, matches.csv, report.html). The queries stream one
// frame at a time through the recogniser the live node uses; the sinks are in src/sinks.
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../core/atomic-write.js';
import type { Pose } from '../../core/types.js';
import { addUnanswered, evaluate } from '../../eval/evaluate.js';
import { groundTruthFromSpec } from '../../eval/ground-truth.js';
import { computeMetrics, type EvalMetrics } from '../../eval/metrics.js';
import { loadMap } from '../../map/load-map.js';
import { MAP_FILES } from '../../map/map-files.js';
import type { PlaceMap } from '../../map/place-map.js';
import { createFrontend, createRecognizer, type Frontend } from '../../pipeline/assemble.js';
import { loadPipelineConfig } from '../../pipeline/config.js';
import { writeMatchesCsv } from '../../sinks/matches-csv.js';
import { REPORT_FILE, renderReportHtml, writeMetricsJson } from '../../sinks/report/report.js';
import { exampleThumbnails } from '../../sinks/report/thumbnails.js';
import { ResultsRecorder } from '../../sinks/results-recorder.js';
import { openFrameSource, type FrameSourceArgs } from '../../sources/open-source.js';
import { progressBar } from '../progress.js';
import { runCommand, warn } from '../run-command.js';
import { buildMapFromSource } from './map-build.js';

/** Largest difference matrix (map frames x queries) kept for the report's heatmap. */
const MAX_HEATMAP_CELLS = 40_000_000;

export interface EvalOptions {
  /** A saved map directory, or an image folder (map built on the fly). */
  map: string;
  query: FrameSourceArgs;
  gt: string;
  out: string;
  config?: string;
  /** Replay speed-up on the recorded clock (live drop policy); undefined = as fast as possible. */
  rate?: number;
  /** Also write every place match as seqvpr/msg/PlaceMatch into an MCAP bag here. */
  resultsBag?: string;
}

/** A saved map directory, or an image folder turned into a map on the fly. */
export async function openOrBuildMap(mapArg: string, frontend: Frontend): Promise<PlaceMap> {
  if (existsSync(path.join(mapArg, MAP_FILES.manifest))) return loadMap(mapArg, { onWarning: warn });
  return buildMapFromSource({ images: mapArg }, frontend);
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('localise query images against a map and write metrics.json, matches.csv and report.html')
    .requiredOption('--map <dir>', 'a saved map directory, or an image folder (map built on the fly)')
    .requiredOption('--query <dir>', 'folder of query images, in file-name order')
    .requiredOption('--gt <spec>', 'ground truth: aligned:TOL (query i matches map i±TOL) or a CSV file (query,positives or query,ref_positives)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--config <file>', 'pipeline config YAML (default: config/default.yaml)')
    .addHelpText(
      'after',
      '\nExample:\n  seqvpr eval --map ../shared/data/nordland64/summer --query ../shared/data/nordland64/winter --gt aligned:1 --out out/nordland',
    )
    .action(
      runCommand(async (a: { map: string; query: string; gt: string; out: string; config?: string }) =>
        printSummary(await runEval({ ...a, query: { images: a.query } }), a.out),
      ),
    );
}

export async function runEval(opts: EvalOptions): Promise<EvalMetrics> {
  const loaded = await loadPipelineConfig(opts.config);
  // As fast as possible: the CNN runs in a worker thread, encoding the next frames on the other core.
  const frontend = await createFrontend(loaded, { warn, encoderThread: opts.rate === undefined ? 'worker' : 'main' });
  try {
    const map = await openOrBuildMap(opts.map, frontend);
    const recognizer = createRecognizer(frontend, map, `the map ${opts.map}`, { warn });
    // A mistyped --gt (or a missing CSV) fails now, not after the whole run.
    await groundTruthFromSpec(opts.gt, { mapSize: map.size, queryPoses: [], mapPoses: map.frames.map((f) => f.pose) });
    // Bag messages that cannot become frames (malformed, unknown encoding) never reach the
    // recogniser; they count as skipped, unanswered queries like frames it cannot decode.
    const unreadable: { queryIndex: number; reason: string; message: string }[] = [];
    const query = await openFrameSource(opts.query, {
      warn,
      onSkip: (s) => unreadable.push({ queryIndex: s.index, reason: s.error.name, message: s.error.message }),
    });
    const bar = progressBar('localising', query.count);
    const results = opts.resultsBag ? await ResultsRecorder.create(opts.resultsBag, map) : undefined;
    // Everything is computed before anything is written, and the results bag is moved into place
    // only together with the other outputs: a failure on the way leaves no partial results behind.
    let resultsPlaced = false;
    try {
      let done = 0;
      const run = await evaluate(query.frames, recognizer, {
        keepColumns: map.size * query.count <= MAX_HEATMAP_CELLS,
        rate: opts.rate,
        onResult: (result) => {
          bar.update(++done);
          results?.record(result);
        },
      }).finally(() => bar.stop());
      for (const s of run.skipped) warn(`skipped query ${s.queryIndex}: ${s.message}`);
      addUnanswered(run, unreadable);
      if (run.dropped > 0) warn(`${run.dropped} query frames were dropped by the overload policy (they count as unanswered)`);

      const queryCount = run.records.length ? Math.max(...run.records.map((r) => r.queryIndex)) + 1 : 0;
      const groundTruth = await groundTruthFromSpec(opts.gt, {
        mapSize: map.size,
        queryPoses: Array.from({ length: queryCount }, (_, i): Pose | undefined => run.queryPoses.get(i)),
        mapPoses: map.frames.map((f) => f.pose),
      });
      const metrics = computeMetrics(run.records, groundTruth, { wallTimeMs: run.wallTimeMs });
      const thumbnails = await exampleThumbnails(run.records, groundTruth, map, opts.query, run.queryImages, { good: EXAMPLES, bad: EXAMPLES }, warn);
      const html = await renderReportHtml({
        title: `seqvpr eval: ${loaded.config.name}`,
        facts: {
          map: `${opts.map} (${map.size} frames)`,
          queries: `${query.description} (${run.records.length} frames)`,
          'frame encoder': `${frontend.identity.encoder.id} (${frontend.frameEncoder.provider})`,
          'sequence encoder': frontend.identity.sequence?.id ?? 'none',
          matcher: loaded.config.matcher.kind,
          'skipped queries': run.skipped.length,
          'dropped queries': run.dropped,
          // Answered with the window's last answer: the camera had not moved a map spacing (motionGate).
          'held queries (motion gate)': run.records.filter((r) => r.held).length,
          replay: opts.rate === undefined ? 'every frame, as fast as possible' : `${opts.rate}x recorded speed, live drop policy`,
        },
        metrics,
        records: run.records,
        groundTruth,
        differenceMatrix: run.columns.some((c) => c) ? { matrix: { rows: map.size, columns: run.columns } } : undefined,
        thumbnails: { source: thumbnails, good: EXAMPLES, bad: EXAMPLES },
        stageTimings: run.stageTimer.summary(),
        configYaml: loaded.text,
      });
      await results?.close();
      resultsPlaced = results !== undefined;
      await mkdir(opts.out, { recursive: true });
      await writeMetricsJson(opts.out, metrics);
      await writeMatchesCsv(opts.out, run.records, groundTruth, map);
      const reportPath = path.join(opts.out, REPORT_FILE);
      await writeFileAtomic(reportPath, html);
      process.stderr.write(`report: ${reportPath}\n`);
      return metrics;
    } catch (e) {
      await results?.abort();
      // The bag was created by this run (the writer refuses an existing folder), so it can go.
      if (resultsPlaced && opts.resultsBag) await rm(opts.resultsBag, { recursive: true, force: true });
      throw e;
    }
  } finally {
    await frontend.close();
  }
}

const EXAMPLES = 6;

export function printSummary(m: EvalMetrics, out: string): void {
  const f = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? 'n/a' : v.toFixed(digits));
  const r = m.recall;
  process.stdout.write(
    [
      `queries ${m.queries} (with ground truth ${m.queriesWithGroundTruth})`,
      `recall@1 ${f(r['1'])}  @5 ${f(r['5'])}  @10 ${f(r['10'])}  @20 ${f(r['20'])}`,
      `average precision ${f(m.averagePrecision)}  recall@100%precision ${f(m.recallAtPrecision100)}`,
      `latency ms p50 ${f(m.latencyMs?.p50, 1)}  p95 ${f(m.latencyMs?.p95, 1)}  p99 ${f(m.latencyMs?.p99, 1)}  fps ${f(m.framesPerSecond, 1)}`,
      `wrote ${path.join(out, 'metrics.json')}, ${path.join(out, 'matches.csv')} and ${path.join(out, 'report.html')}`,
    ].join('\n') + '\n',
  );
}
