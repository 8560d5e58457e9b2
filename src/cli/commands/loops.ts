// `seqvpr loops`: single-session loop-closure detection over a recorded run (image folder or bag).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadMap } from '../../map/load-map.js';
import { saveMap } from '../../map/save-map.js';
import { loopConfigSchema } from '../../loops/live-mapper.js';
import { writeLoopsJson } from '../../loops/loop-files.js';
import { writeLoopsReport } from '../../sinks/report/loops-report.js';
import { nothingSearched, runLoops, type LoopRun } from '../../loops/run-loops.js';
import { parseConfig } from '../../core/parse-config.js';
import { createFrontend } from '../../pipeline/assemble.js';
import { loadPipelineConfig } from '../../pipeline/config.js';
import { progressBar } from '../progress.js';
import { runCommand, warn } from '../run-command.js';
import { openFrameSource, type FrameSourceArgs } from '../../sources/open-source.js';
import { frameSourceOptions } from '../source-options.js';
import { nonNegativeNumber, numberOption } from '../number-option.js';

/**
 * Keyframes never matched by default: a keyframed run (one frame every metre or so) revisits a
 * place after far fewer than the live node's 50; dense recordings are covered by the 30 s window.
 */
const CLI_EXCLUDE_FRAMES = 10;

interface LoopsArgs extends FrameSourceArgs {
  out: string;
  config?: string;
  minConfidence?: number;
  excludeSeconds?: number;
  excludeFrames?: number;
  gtDistance: number;
  saveMap?: string;
  map?: string;
}

export function registerLoops(program: Command): void {
  const command = program
    .command('loops')
    .description('detect loop closures in one recorded run (the map is built while the run is replayed)');
  frameSourceOptions(command)
    .requiredOption('--out <dir>', 'output folder (loops.json, loops.html)')
    .option('--config <file>', 'pipeline config YAML (default: config/default.yaml)')
    .option('--min-confidence <c>', 'confidence a loop closure needs (default 0.2)', numberOption({ min: 0, max: 1 }))
    .option('--exclude-seconds <s>', 'never match the last S seconds of the run (default 30; image folders without --frame-rate: 0, they carry no clock)', nonNegativeNumber)
    .option('--exclude-frames <n>', `nor its last N keyframes (default ${CLI_EXCLUDE_FRAMES}, suits keyframed runs)`, numberOption({ integer: true, min: 0 }))
    .option('--frame-rate <hz>', 'image folders: the rate their frames were taken at, for --exclude-seconds (default 10)', numberOption({ above: 0, max: 1000 }))
    .option('--gt-distance <m>', 'with poses: a loop closure is correct when its keyframes are this close (metres)', nonNegativeNumber, 5)
    .option('--save-map <dir>', 'also save the map built during the run')
    .option('--map <dir>', 'continue this saved map: the run becomes a new session, closing loops with the map and itself')
    .addHelpText(
      'after',
      '\nExamples:\n  seqvpr loops --bag run1 --image-topic /camera/image_raw/compressed --pose-topic /odom --out out/loops\n' +
        '  seqvpr loops --images keyframes/ --out out/loops              # a keyframed run: last 10 keyframes excluded',
    )
    .action(runCommand(async (args: LoopsArgs) => printLoops(await runLoopsCommand(args))));
}

export async function runLoopsCommand(args: LoopsArgs): Promise<LoopRun> {
  const loopConfig = parseConfig(
    loopConfigSchema,
    {
      ...(args.minConfidence !== undefined && { minConfidence: args.minConfidence }),
      excludeSeconds: args.excludeSeconds ?? (args.images && args.frameRate === undefined ? 0 : 30),
      excludeFrames: args.excludeFrames ?? CLI_EXCLUDE_FRAMES,
    },
    'loop options',
  );
  const loaded = await loadPipelineConfig(args.config);
  const frontend = await createFrontend(loaded, { warn });
  try {
    const source = await openFrameSource(args, { warn });
    const bar = progressBar('mapping', source.count);
    const map = args.map ? await loadMap(args.map, { onWarning: warn }) : undefined;
    const run = await runLoops(source.frames, frontend, loopConfig, {
      map,
      source: source.description,
      toleranceM: args.gtDistance,
      onFrame: (n) => bar.update(n),
      onSkip: (frame, error) => warn(`skipped frame ${frame.source ?? frame.index}: ${error.message}`),
    }).finally(() => bar.stop());
    await mkdir(args.out, { recursive: true });
    await writeLoopsJson(args.out, run.loops, run.relativePoses);
    const report = await writeLoopsReport(args.out, {
      title: `seqvpr loop closures: ${source.description}`,
      facts: {
        source: source.description,
        keyframes: run.map.size,
        'skipped frames': run.skipped,
        'held frames (motion gate)': run.held,
        'frame encoder': frontend.identity.encoder.id,
        matcher: loaded.config.matcher.kind,
        'min confidence': loopConfig.minConfidence,
        'exclusion window': `${loopConfig.excludeSeconds} s / ${loopConfig.excludeFrames} frames`,
        'latency p50 / p95 (ms)': (() => {
          const t = run.stageTimer.summary().total;
          return t ? `${t.p50.toFixed(1)} / ${t.p95.toFixed(1)}` : 'n/a';
        })(),
      },
      loops: run.loops,
      frames: run.map.frames,
      scores: run.scores,
    });
    if (args.saveMap) await saveMap(run.map, args.saveMap);
    process.stderr.write(`report: ${report}\n`);
    process.stdout.write(`wrote ${path.join(args.out, 'loops.json')} and ${report}\n`);
    return run;
  } finally {
    await frontend.close();
  }
}

function printLoops(run: LoopRun): void {
  const nothing = nothingSearched(run);
  if (nothing) process.stdout.write(`${nothing}\n`);
  const s = run.scores;
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));
  process.stdout.write(
    `keyframes ${run.map.size}${run.map.sessionStarts.length > 1 ? ` in ${run.map.sessionStarts.length} sessions` : ''}, loop closures ${run.loops.length}` +
      (s ? `, correct ${s.correct} (precision ${pct(s.precision)}, recall of ${s.revisits} revisits ${pct(s.recall)})` : '') +
      `, held by the motion gate ${run.held}\n`,
  );
}
