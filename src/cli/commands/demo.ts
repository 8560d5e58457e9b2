// `seqvpr demo`: the whole product on a world it makes itself, for a fresh clone with no data.
// Two drives of one route under different appearance are rendered and recorded as ROS 2 bags;
// a map is built from the first, the second is replayed against it, and loop closures are
// detected within the second (it drives past its start again), and those closures, with their
// relative poses, correct a drifting odometry in a pose graph (src/slam).
import path from 'node:path';
import type { Command } from 'commander';
import { generateDemo, type DemoWorld } from '../../demo/generate.js';
import type { EvalMetrics } from '../../eval/metrics.js';
import type { LoopRun } from '../../loops/run-loops.js';
import { saveMap } from '../../map/save-map.js';
import { nonNegativeInteger } from '../number-option.js';
import { progressBar } from '../progress.js';
import { runCommand, warn } from '../run-command.js';
import { createFrontend } from '../../pipeline/assemble.js';
import { loadPipelineConfig } from '../../pipeline/config.js';
import { buildMapFromSource } from './map-build.js';
import { runEval } from './eval.js';
import { runLoopsCommand } from './loops.js';
import { runDemoSlam, type DemoSlam } from '../../slam/demo-slam.js';

export interface DemoArgs {
  out: string;
  config?: string;
  seed: number;
}

/** A match is correct within this distance of the query's true position (map frames are ~0.9 m apart). */
const DEMO_TOLERANCE_M = 3;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('make a small world, record two drives as ROS 2 bags, build a map, replay, detect loop closures, correct a drifting odometry with them')
    .option('--out <dir>', 'output folder', 'out/demo')
    .option('--config <file>', 'pipeline config YAML (default: config/default.yaml)')
    .option('--seed <n>', 'world seed', nonNegativeInteger, 7)
    .addHelpText('after', '\nExample:\n  seqvpr demo && xdg-open out/demo/replay/report.html')
    .action(
      runCommand(async (args: DemoArgs) => {
        await runDemo(args);
      }),
    );
}

export interface DemoResult {
  world: DemoWorld;
  replay: EvalMetrics;
  loops: LoopRun;
  /** null when the pose-graph optimiser is unavailable (Ceres not installed). */
  slam: DemoSlam | null;
}

export async function runDemo(args: DemoArgs): Promise<DemoResult> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const started = Date.now();
  say('1/5 making a world: one route driven twice (day, then winter; other speeds, a stop, lane offset)');
  const bar = progressBar('rendering', 1);
  const world = await generateDemo(path.join(args.out, 'bags'), {
    seed: args.seed,
    onProgress: (done, total) => bar.update(done, total),
  }).finally(() => bar.stop());
  say(
    `    ${world.routeLengthM.toFixed(0)} m route, ${world.landmarkCount} landmarks; map run ${world.frames.map} frames ` +
      `(${world.appearance.map}), query run ${world.frames.query} frames (${world.appearance.query}), ` +
      `${world.generationSeconds.toFixed(1)} s\n    bags: ${world.mapBag}, ${world.queryBag}`,
  );

  const source = { imageTopic: world.imageTopic, poseTopic: world.poseTopic };
  const mapDir = path.join(args.out, 'map');
  say('2/5 building the map from the first drive');
  const loaded = await loadPipelineConfig(args.config);
  const frontend = await createFrontend(loaded, { warn });
  try {
    const map = await buildMapFromSource({ bag: world.mapBag, ...source }, frontend);
    await saveMap(map, mapDir);
    say(`    ${map.size} frames, encoder ${frontend.identity.encoder.id}, saved to ${mapDir}`);
  } finally {
    await frontend.close();
  }

  say(`3/5 replaying the second drive against the map (correct = within ${DEMO_TOLERANCE_M} m of the true position)`);
  const replayOut = path.join(args.out, 'replay');
  const m = await runEval({
    map: mapDir,
    query: { bag: world.queryBag, ...source },
    gt: `pose2d:${DEMO_TOLERANCE_M}`,
    out: replayOut,
    config: args.config,
  });
  const f = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));
  say(
    `    recall@1 ${f(m.recall['1'])}, recall@5 ${f(m.recall['5'])}, average precision ${f(m.averagePrecision)}, ` +
      `recall at 100% precision ${f(m.recallAtPrecision100)}, latency p50 ${m.latencyMs?.p50.toFixed(1)} ms`,
  );

  say('4/5 detecting loop closures within the second drive (it passes its start again)');
  const loopsOut = path.join(args.out, 'loops');
  const loops = await runLoopsCommand({
    bag: world.queryBag,
    ...source,
    out: loopsOut,
    config: args.config,
    gtDistance: DEMO_TOLERANCE_M,
  });
  const s = loops.scores;
  say(
    `    ${loops.loops.length} loop closures` +
      (s ? `, ${s.correct} correct (precision ${f(s.precision)}), ${s.revisits} frames revisit an earlier place (recall ${f(s.recall)})` : '') +
      `; ${loops.held} frames held by the motion gate`,
  );
  const slam = await runDemoSlam(loops, path.join(args.out, 'slam'), DEMO_TOLERANCE_M, say);
  say(
    `done in ${((Date.now() - started) / 1000).toFixed(0)} s. Open ${path.join(replayOut, 'report.html')}, ` +
      `${path.join(loopsOut, 'loops.html')}${slam ? ` and ${slam.report}` : ''}.\n` +
      'This world is synthetic: it shows the pipeline end to end, not accuracy on real roads (see README for nordland64).',
  );
  return { world, replay: m, loops, slam };
}
