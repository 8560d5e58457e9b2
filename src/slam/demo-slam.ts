// Step 5 of `seqvpr demo`: the loop closures of the demo's second drive correct a drifting
// odometry in the Ceres pose graph; writes OUT/slam/metrics.json and report.html. Without Ceres the
// step says in one line how to get it, and the rest of the demo is unaffected.
import type { LoopRun } from '../loops/run-loops.js';
import { ensurePoseGraphTool, PoseGraphError } from './pose-graph.js';
import { evaluateSlam, type SlamMetrics } from './slam-eval.js';
import { writeSlamOutputs } from './slam-report.js';

export interface DemoSlam {
  metrics: SlamMetrics;
  report: string;
  metricsFile: string;
}

export async function runDemoSlam(loops: LoopRun, outDir: string, toleranceM: number, say: (line: string) => void): Promise<DemoSlam | null> {
  say('5/5 pose-graph SLAM: a drifting odometry of the second drive plus its loop closures (relative poses, covariances), optimised with Ceres');
  try {
    await ensurePoseGraphTool(say);
  } catch (e) {
    if (!(e instanceof PoseGraphError)) throw e;
    say(`    skipped: ${e.message}`);
    return null;
  }
  const result = await evaluateSlam({ frames: loops.map.frames, frameDescriptors: loops.map.frameDescriptors, loops: loops.loops, toleranceM });
  const files = await writeSlamOutputs(outDir, result, 'seqvpr demo: loop closures in a pose graph');
  const m = result.metrics;
  const f = (v: number) => v.toFixed(2);
  say(
    `    ATE odometry ${f(m.ate.odometry)} m -> optimised ${f(m.ate.optimized)} m (${f(m.ate.ratio)}x), ` +
      `${m.closures.withRelativePose} of ${m.closures.detected} closures with a relative pose, ${m.closures.false} false`,
  );
  if (m.falseClosure) {
    say(`    one false closure added: ATE ${f(m.falseClosure.ate.robustLoss)} m with the robust loss, ${f(m.falseClosure.ate.noRobustLoss)} m without`);
  }
  return { metrics: m, report: files.report, metricsFile: files.metrics };
}
