// `seqvpr loops`: single-session loop-closure detection over a recorded run (image folder or bag).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { saveMap } from '../../map/save-map.js';
import { loopConfigSchema } from '../../loops/live-mapper.js';
import { writeLoopsJson } from '../../loops/loop-files.js';
import { writeLoopsReport } from '../../loops/loops-report.js';
import { runLoops, type LoopRun } from '../../loops/run-loops.js';
import { parseConfig } from '../../core/parse-config.js';
import { createFrontend } from '../../pipeline/assemble.js';
import { loadPipelineConfig } from '../../pipeline/config.js';
import { progressBar } from '../progress.js';
import { runCommand, warn } from '../run-command.js';
import { openFrameSource, frameSourceOptions, type FrameSourceArgs } from '../frame-source.js';
import { nonNegativeNumber, numberOption } from '../number-option.js';

interface LoopsArgs extends FrameSourceArgs {
  out: string;
  config?: string;
  minConfidence?: number;
  excludeSeconds?: number;
  gtDistance: number;
  saveMap?: string;
}

export function registerLoops(program: Command): void {
  const command = program
    .command('loops')
    .description('detect loop closures in one recorded run (the map is built while the run is replayed)');
  frameSourceOptions(command)
    .requiredOption('--out <dir>', 'output folder (loops.json, loops.html)')
    .option('--config <file>', 'pipeline config YAML (default: config/default.yaml)')
    .option('--min-confidence <c>', 'confidence a loop closure needs (default 0.15)', numberOption({ min: 0, max: 1 }))
    .option('--exclude-seconds <s>', 'never match the last S seconds of the run (default 30)', nonNegativeNumber)
    .option('--gt-distance <m>', 'with poses: a loop closure is correct when its keyframes are this close (metres)', nonNegativeNumber, 5)
    .option('--save-map <dir>', 'also save the map built during the run')
    .addHelpText('after', '\nExample:\n  seqvpr loops --bag run1 --image-topic /camera/image_raw/compressed --pose-topic /odom --out out/loops')
    .action(runCommand(async (args: LoopsArgs) => printLoops(await runLoopsCommand(args))));
}

export async function runLoopsCommand(args: LoopsArgs): Promise<LoopRun> {
  const loopConfig = parseConfig(
    loopConfigSchema,
    {
      ...(args.minConfidence !== undefined && { minConfidence: args.minConfidence }),
      ...(args.excludeSeconds !== undefined && { excludeSeconds: args.excludeSeconds }),
    },
    'loop options',
  );
  const loaded = await loadPipelineConfig(args.config);
  const frontend = await createFrontend(loaded, { warn });
  try {
    const source = await openFrameSource(args, { warn });
    const bar = progressBar('mapping', source.count);
    const run = await runLoops(source.frames, frontend, loopConfig, {
      source: source.description,
      toleranceM: args.gtDistance,
      onFrame: (n) => bar.update(n),
      onSkip: (frame, error) => warn(`skipped frame ${frame.source ?? frame.index}: ${error.message}`),
    }).finally(() => bar.stop());
    await mkdir(args.out, { recursive: true });
    await writeLoopsJson(args.out, run.loops);
    const report = await writeLoopsReport(args.out, {
      title: `seqvpr loop closures: ${source.description}`,
      facts: {
        source: source.description,
        keyframes: run.map.size,
        'skipped frames': run.skipped,
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
  const s = run.scores;
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));
  process.stdout.write(
    `keyframes ${run.map.size}, loop closures ${run.loops.length}` +
      (s ? `, correct ${s.correct} (precision ${pct(s.precision)}, recall of ${s.revisits} revisits ${pct(s.recall)})` : '') +
      '\n',
  );
}
