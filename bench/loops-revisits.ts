// Loop closures on a keyframed run that passes its places more than once: the demo's mapping drive
// over 2.5 laps, so the last half lap is a third pass (two earlier visits of each place). Runs
// `seqvpr loops` with ranking rivals by place (the default) and by map row (samePlace.radiusM: 0,
// the old rule) and prints precision / recall of the closures, also for the third-pass keyframes.
// With --drift the mapper gets a drifting odometry (src/slam/drift.ts DEFAULT_DRIFT: 3 % scale,
// 0.07 deg/m heading bias) instead of the true poses; closures are still scored on the truth.
//   npx tsx bench/loops-revisits.ts [--out out/bench/loops-revisits] [--seed 7] [--laps 2.5] [--keyframe-distance 2] [--drift]
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { loopConfigSchema } from '../src/loops/live-mapper.js';
import { runLoops } from '../src/loops/run-loops.js';
import { createFrontend } from '../src/pipeline/assemble.js';
import { loadPipelineConfig } from '../src/pipeline/config.js';
import { openFrameSource } from '../src/sources/open-source.js';
import { driftOdometry } from '../src/slam/drift.js';
import { fromPose2, toPose2 } from '../src/slam/planar.js';
import type { Frame } from '../src/core/types.js';
import { writeFileAtomic } from '../src/core/atomic-write.js';
import type { Pose } from '../src/core/types.js';
import { generateDemo, DEMO_MAP_DIR } from '../src/demo/generate.js';
import { isCorrectLoop, scoreLoops } from '../src/loops/loop-eval.js';
import { packageRoot } from '../src/core/package-root.js';
import { DEMO_SOURCE } from './demo-runs.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const out = path.resolve(arg('--out', 'out/bench/loops-revisits'));
const seed = Number(arg('--seed', '7'));
const laps = Number(arg('--laps', '2.5'));
const keyframeDistance = Number(arg('--keyframe-distance', '2'));
const drift = process.argv.includes('--drift');
const TOLERANCE_M = 5; // the loops command's default --gt-distance

const bagDir = path.join(out, `demo-s${seed}-laps${laps}`);
if (!existsSync(path.join(bagDir, 'done'))) {
  process.stdout.write(`rendering the demo world (seed ${seed}, ${laps} laps)\n`);
  await generateDemo(bagDir, { seed, laps });
  await writeFile(path.join(bagDir, 'done'), '');
}
// The old rule as a config: the default pipeline with ranking by place off.
const defaultText = await readFile(path.join(packageRoot(), 'config/default.yaml'), 'utf8');
const byRow = YAML.parse(defaultText);
byRow.matcher.samePlace = { radiusM: 0 };
await mkdir(out, { recursive: true });
const byRowFile = path.join(out, 'by-row.yaml');
await writeFile(byRowFile, YAML.stringify(byRow));

const planar = (a: Pose, b: Pose) => Math.hypot(a.position.x - b.position.x, a.position.y - b.position.y);
// The keyframes once (images stay encoded), with the true poses kept for scoring.
const source = await openFrameSource({ bag: path.join(bagDir, DEMO_MAP_DIR), ...DEMO_SOURCE, keyframeDistance }, { warn: (m) => process.stderr.write(`warning: ${m}\n`) });
const keyframes: Frame[] = [];
for await (const f of source.frames) keyframes.push(f);
const truth = keyframes.map((f) => f.pose!);
if (drift) {
  const odometry = driftOdometry(truth.map(toPose2)).poses;
  keyframes.forEach((f, i) => (f.pose = fromPose2(odometry[i])));
}
// The CLI's exclusion window for keyframed runs: the last 10 keyframes and 30 s.
const loopConfig = loopConfigSchema.parse({ excludeFrames: 10, excludeSeconds: 30 });
const results: Record<string, unknown>[] = [];
for (const [label, config] of [['by map row (before)', byRowFile], ['by place (default)', undefined]] as const) {
  const frontend = await createFrontend(await loadPipelineConfig(config));
  async function* replay() {
    yield* keyframes;
  }
  const run = await runLoops(replay(), frontend, loopConfig, { source: source.description, toleranceM: TOLERANCE_M }).finally(() => frontend.close());
  // Scored on the true poses (the map holds the odometry the mapper was given).
  const frames = run.map.frames.map((f, i) => ({ ...f, pose: truth[i] }));
  const s = scoreLoops(run.loops, frames, run.searchableBefore, TOLERANCE_M);
  // Keyframes with at least two earlier visits of their place that they were allowed to match.
  const visitsBefore = frames.map((f, i) => {
    let visits = 0;
    let inVisit = false;
    for (let j = 0; j < run.searchableBefore[i]; j++) {
      const near = planar(f.pose!, frames[j].pose!) <= TOLERANCE_M;
      if (near && !inVisit) visits++;
      inVisit = near;
    }
    return visits;
  });
  const third = new Set(frames.filter((_, i) => visitsBefore[i] >= 2).map((f) => f.index));
  const thirdLoops = run.loops.filter((l) => third.has(l.queryIndex));
  const thirdCorrect = thirdLoops.filter((l) => isCorrectLoop(l, frames, TOLERANCE_M)).length;
  const meanConfidence = thirdLoops.reduce((sum, l) => sum + l.confidence, 0) / Math.max(1, thirdLoops.length);
  const row = {
    rivals: label,
    keyframes: frames.length,
    closures: s.loops,
    correct: s.correct,
    precision: s.precision,
    revisits: s.revisits,
    recall: s.recall,
    thirdPass: { keyframes: third.size, closures: thirdLoops.length, correct: thirdCorrect, recall: third.size ? thirdCorrect / third.size : null, meanConfidence },
  };
  results.push(row);
  process.stdout.write(
    `${label}: ${s.loops} closures, ${s.correct} correct (precision ${s.precision?.toFixed(3)}), recall of ${s.revisits} revisits ${s.recall?.toFixed(3)}; ` +
      `third pass: ${thirdLoops.length} closures, ${thirdCorrect} correct, recall of ${third.size} keyframes ${row.thirdPass.recall?.toFixed(3)}, ` +
      `mean confidence ${meanConfidence.toFixed(3)}\n`,
  );
}
await writeFileAtomic(path.join(out, 'loops-revisits.json'), JSON.stringify({ seed, laps, keyframeDistance, drift, toleranceM: TOLERANCE_M, results }, null, 1) + '\n');
