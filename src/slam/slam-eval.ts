// Do the loop closures help SLAM? The keyframes of a run (with ground-truth poses) are given a
// drifting odometry; every loop closure gets its relative pose and covariance from that odometry
// and the matched sequences (src/relpose), exactly as a robot would compute them; odometry and
// closures go into the Ceres pose graph; the trajectory error before and after is measured against
// the ground truth. One false closure is then added to show what it does with and without a
// robust loss.
import type { MapFrameMeta } from '../core/types.js';
import type { DescriptorMatrix } from '../core/matrix.js';
import type { LoopClosure } from '../loops/live-mapper.js';
import { isCorrectLoop } from '../loops/loop-eval.js';
import { loopRelativePose } from '../loops/loop-pose.js';
import { upperMedian } from '../eval/percentile.js';
import { wrapAngle } from '../relpose/rigid.js';
import { ateRmse } from './ate.js';
import { DEFAULT_DRIFT, driftOdometry, type DriftModel } from './drift.js';
import { between, fromPose2, planarCovariance, toPose2 } from './planar.js';
import { optimizePoseGraph, type GraphEdge, type OptimizeOptions, type Pose2 } from './pose-graph.js';

export interface SlamEvalInput {
  /** Keyframes in driving order, every one with its ground-truth pose. */
  frames: readonly MapFrameMeta[];
  frameDescriptors: DescriptorMatrix;
  loops: readonly LoopClosure[];
  /** A closure is false when its keyframes are further apart than this (metres). */
  toleranceM: number;
  drift?: DriftModel;
}

export interface SlamMetrics {
  keyframes: number;
  drift: DriftModel;
  ate: { odometry: number; optimized: number; optimizedWithoutRobustLoss: number; ratio: number };
  closures: {
    detected: number;
    false: number;
    withRelativePose: number;
    /** Closures without a relative pose, by reason. */
    withoutRelativePose: Record<string, number>;
    /** Error of the estimated relative poses against the truth: median position (m) and heading (deg). */
    relativePoseError: { medianM: number; medianDeg: number; within3Sigma: number } | null;
  };
  falseClosure: {
    from: number;
    to: number;
    trueDistanceM: number;
    /** What the relative-pose estimator said about it. */
    estimator: string;
    ate: { robustLoss: number; noRobustLoss: number };
  } | null;
  optimizer: { iterations: number; converged: boolean; initialCost: number; finalCost: number; loss: string };
}

export interface SlamEvalResult {
  metrics: SlamMetrics;
  truth: Pose2[];
  odometry: Pose2[];
  optimized: Pose2[];
  /** Closures that went into the graph (query, match keyframe ids). */
  edges: { from: number; to: number }[];
}

export async function evaluateSlam(input: SlamEvalInput, options: OptimizeOptions = { loss: 'cauchy', lossScale: 1 }): Promise<SlamEvalResult> {
  const truth = input.frames.map((f, i) => {
    if (!f.pose) throw new RangeError(`keyframe ${i} has no ground-truth pose`);
    return toPose2(f.pose);
  });
  const drift = input.drift ?? DEFAULT_DRIFT;
  const odo = driftOdometry(truth, drift);
  const odomPose = (i: number) => (odo.poses[i] ? fromPose2(odo.poses[i]) : undefined);
  const source = { frames: input.frames, frameDescriptors: input.frameDescriptors };

  const odomEdges: GraphEdge[] = odo.increments.map((inc, k) => ({ kind: 'odom', from: k, to: k + 1, delta: inc.delta, covariance: inc.covariance }));
  const loopEdges: GraphEdge[] = [];
  const without: Record<string, number> = {};
  const posErr: number[] = [];
  const yawErr: number[] = [];
  let within = 0;
  let falseCount = 0;
  for (const loop of input.loops) {
    if (isCorrectLoop(loop, input.frames, input.toleranceM) === false) falseCount++;
    const r = loopRelativePose(source, loop, { poseOf: odomPose });
    if (!r.ok) {
      without[r.reason] = (without[r.reason] ?? 0) + 1;
      continue;
    }
    const delta = toPose2(r.pose);
    const covariance = planarCovariance(r.covariance);
    loopEdges.push({ kind: 'loop', from: loop.matchIndex, to: loop.queryIndex, delta, covariance });
    const t = between(truth[loop.matchIndex], truth[loop.queryIndex]);
    posErr.push(Math.hypot(delta.x - t.x, delta.y - t.y));
    yawErr.push(Math.abs(wrapAngle(delta.yaw - t.yaw)) * (180 / Math.PI));
    if (Math.abs(delta.x - t.x) <= 3 * Math.sqrt(covariance[0]) && Math.abs(delta.y - t.y) <= 3 * Math.sqrt(covariance[4])) within++;
  }

  const initial = new Map(odo.poses.map((p, i) => [i, p]));
  const solve = (edges: GraphEdge[], o: OptimizeOptions) => optimizePoseGraph({ poses: initial, edges: [...odomEdges, ...edges] }, o);
  const robust = await solve(loopEdges, options);
  const plain = await solve(loopEdges, { ...options, loss: 'none' });
  const optimized = odo.poses.map((_, i) => robust.poses.get(i)!);
  const plainPoses = odo.poses.map((_, i) => plain.poses.get(i)!);

  const falseClosure = await injectFalseClosure(input, truth, odomPose, loopEdges, solve, options);
  const ateOdometry = ateRmse(odo.poses, truth);
  const ateOptimized = ateRmse(optimized, truth);
  return {
    truth,
    odometry: odo.poses,
    optimized,
    edges: loopEdges.map((e) => ({ from: e.from, to: e.to })),
    metrics: {
      keyframes: truth.length,
      drift,
      ate: { odometry: ateOdometry, optimized: ateOptimized, optimizedWithoutRobustLoss: ateRmse(plainPoses, truth), ratio: ateOptimized / ateOdometry },
      closures: {
        detected: input.loops.length,
        false: falseCount,
        withRelativePose: loopEdges.length,
        withoutRelativePose: without,
        relativePoseError: posErr.length ? { medianM: upperMedian(posErr), medianDeg: upperMedian(yawErr), within3Sigma: within / posErr.length } : null,
      },
      falseClosure,
      optimizer: { iterations: robust.iterations, converged: robust.converged, initialCost: robust.initialCost, finalCost: robust.finalCost, loss: options.loss ?? 'cauchy' },
    },
  };
}

/**
 * One false closure: a keyframe 60% into the run "recognised" as the keyframe 25% in, with a
 * 10-frame matched sequence, as a confident appearance mistake would report it. It is passed
 * through the relative-pose estimator (whose geometric check may already reject it) and then
 * added to the graph regardless, with the covariance of a typical true closure.
 */
async function injectFalseClosure(
  input: SlamEvalInput,
  truth: Pose2[],
  odomPose: (i: number) => ReturnType<typeof fromPose2> | undefined,
  loopEdges: GraphEdge[],
  solve: (edges: GraphEdge[], o: OptimizeOptions) => Promise<{ poses: Map<number, Pose2> }>,
  options: OptimizeOptions,
): Promise<SlamMetrics['falseClosure']> {
  const n = truth.length;
  const to = Math.floor(0.6 * n);
  const from = Math.floor(0.25 * n);
  if (from < 10 || loopEdges.length === 0) return null;
  const correspondences = Array.from({ length: 10 }, (_, k) => ({ queryIndex: to - 9 + k, mapIndex: from - 9 + k, distance: 0 }));
  const loop: LoopClosure = { queryIndex: to, queryStamp: input.frames[to].stamp, matchIndex: from, matchStamp: input.frames[from].stamp, confidence: 1, correspondences };
  const r = loopRelativePose({ frames: input.frames, frameDescriptors: input.frameDescriptors }, loop, { poseOf: odomPose });
  const typical = [...loopEdges].sort((a, b) => a.covariance[0] - b.covariance[0])[Math.floor(loopEdges.length / 2)].covariance;
  const edge: GraphEdge = { kind: 'loop', from, to, delta: r.ok ? toPose2(r.pose) : { x: 0, y: 0, yaw: 0 }, covariance: r.ok ? planarCovariance(r.covariance) : typical };
  const withLoss = await solve([...loopEdges, edge], options);
  const noLoss = await solve([...loopEdges, edge], { ...options, loss: 'none' });
  const order = (m: Map<number, Pose2>) => truth.map((_, i) => m.get(i)!);
  const t = between(truth[from], truth[to]);
  return {
    from,
    to,
    trueDistanceM: Math.hypot(t.x, t.y),
    estimator: r.ok ? `accepted (residual ${r.residualRmsM.toFixed(2)} m RMS)` : `rejected: ${r.reason} (${r.detail}); added as "same place" anyway`,
    ate: { robustLoss: ateRmse(order(withLoss.poses), truth), noRobustLoss: ateRmse(order(noLoss.poses), truth) },
  };
}
