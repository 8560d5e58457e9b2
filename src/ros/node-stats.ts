// What /diagnostics reports: totals since configure plus rates and latency over the last period.
// Fixed-size state only (counters, log-spaced histograms), whatever the running time.
import type { DiagnosticLevel } from './message-types.js';
import type { DropCounter } from '../pipeline/overload.js';
import { LatencyHistogram, STAGES, StageTimer, type StageTimes } from '../pipeline/timing.js';
import { BAD_INPUT_REASONS, type BadInputReason } from './input.js';
import { RELATIVE_POSE_FAILURES, type RelativePoseFailure } from '../relpose/estimate.js';

export interface DiagnosticContext {
  mode: string;
  imageTopic: string;
  mapId: string;
  mapSize: number;
  model: string;
  executionProvider: string;
  matcher: string;
}

export interface DiagnosticReport {
  level: DiagnosticLevel;
  message: string;
  values: Record<string, string | number>;
}

export class NodeStats {
  received = 0;
  processed = 0;
  notKeyframes = 0;
  /** Images whose odometry had not come within odometry_wait_s: their pose was carried on. */
  odometryLate = 0;
  placeMatches = 0;
  /** Place matches the motion gate held (the camera had not moved a map spacing): the last answer again. */
  heldMatches = 0;
  poses = 0;
  loopClosures = 0;
  /** Loop closures published with a metric relative pose; those without, by reason. */
  loopRelativePoses = 0;
  readonly loopsWithoutRelativePose = new Map<RelativePoseFailure, number>();
  /** Filled by the overload policy (processNewest). */
  readonly drops: DropCounter = { dropped: 0 };
  private readonly bad = new Map<BadInputReason, number>();
  private readonly totalLatency = new LatencyHistogram();
  private period: {
    startNs: bigint;
    latency: LatencyHistogram;
    /** Per pipeline stage (timing.ts names: encode, retrieve, match, patches, rerank, ...). */
    stages: StageTimer;
    received: number;
    processed: number;
    dropped: number;
    bad: number;
    delayMs: number;
    delays: number;
    odometryWaitMs: number;
    odometryWaits: number;
    odometryLate: number;
  };

  constructor(nowNs: bigint) {
    this.period = this.newPeriod(nowNs);
  }

  badInput(reason: BadInputReason): void {
    this.bad.set(reason, (this.bad.get(reason) ?? 0) + 1);
    this.period.bad++;
  }

  badInputCount(reason: BadInputReason): number {
    return this.bad.get(reason) ?? 0;
  }

  /** An image arrived; `delayMs` = node clock minus its header stamp. */
  arrived(delayMs: number): void {
    this.received++;
    this.period.received++;
    if (Number.isFinite(delayMs)) {
      this.period.delayMs += delayMs;
      this.period.delays++;
    }
  }

  /** An image waited `waitMs` for the odometry after its stamp; `late` = it did not come (pose carried on). */
  odometryWaited(waitMs: number, late: boolean): void {
    this.period.odometryWaitMs += waitMs;
    this.period.odometryWaits++;
    if (late) {
      this.odometryLate++;
      this.period.odometryLate++;
    }
  }

  /** A frame went through the pipeline: its stage times (`total` is its latency). */
  processedFrame(times: StageTimes): void {
    this.processed++;
    this.period.processed++;
    if (times.total !== undefined) {
      this.totalLatency.add(times.total);
      this.period.latency.add(times.total);
    }
    this.period.stages.record(times);
  }

  /** The status for the period that ends now; a new period starts. */
  report(nowNs: bigint, context: DiagnosticContext): DiagnosticReport {
    const p = this.period;
    const seconds = Number(nowNs - p.startNs) / 1e9;
    const rate = (n: number) => (seconds > 0 ? n / seconds : 0);
    const dropped = this.drops.dropped - p.dropped;
    const values: Record<string, string | number> = {
      mode: context.mode,
      'image topic': context.imageTopic,
      map: context.mapId,
      'map size': context.mapSize,
      model: context.model,
      'execution provider': context.executionProvider,
      matcher: context.matcher,
      'input rate (Hz)': rate(p.received),
      'processed rate (Hz)': rate(p.processed),
      'input delay (ms)': p.delays ? p.delayMs / p.delays : 0,
      'odometry wait (ms)': p.odometryWaits ? p.odometryWaitMs / p.odometryWaits : 0,
      'latency p50 (ms)': p.latency.quantile(0.5),
      'latency p95 (ms)': p.latency.quantile(0.95),
      'latency p95 since configure (ms)': this.totalLatency.quantile(0.95),
      'frames received': this.received,
      'frames processed': this.processed,
      'frames dropped (overload)': this.drops.dropped,
      'frames not keyframes': this.notKeyframes,
      'frames with odometry late (pose carried on)': this.odometryLate,
      'place matches': this.placeMatches,
      'place matches held (motion gate)': this.heldMatches,
      'poses published': this.poses,
      'loop closures': this.loopClosures,
      'loop closures with relative pose': this.loopRelativePoses,
    };
    // Where the time went, stage by stage (only the stages this pipeline ran in the period).
    const stages = p.stages.summary();
    for (const stage of STAGES) {
      if (stage === 'total' || !stages[stage]) continue;
      values[`stage ${stage} p50 (ms)`] = stages[stage].p50;
      values[`stage ${stage} p95 (ms)`] = stages[stage].p95;
    }
    for (const reason of RELATIVE_POSE_FAILURES) values[`loop closures without relative pose: ${reason}`] = this.loopsWithoutRelativePose.get(reason) ?? 0;
    for (const reason of BAD_INPUT_REASONS) values[`bad input: ${reason}`] = this.bad.get(reason) ?? 0;

    const problems: string[] = [];
    if (p.received === 0) problems.push(`no images on ${context.imageTopic}`);
    if (dropped > 0) problems.push(`${dropped} frames dropped (processing slower than the camera)`);
    if (p.bad > 0) problems.push(`${p.bad} bad inputs`);
    if (p.odometryLate > 0) problems.push(`${p.odometryLate} images without their odometry within odometry_wait_s (pose carried on)`);
    const message = problems.length
      ? problems.join('; ')
      : `${p.processed} frames processed at ${rate(p.processed).toFixed(1)} Hz, map of ${context.mapSize} frames`;
    this.period = this.newPeriod(nowNs, this.drops.dropped);
    return { level: problems.length ? 'warn' : 'ok', message, values };
  }

  private newPeriod(startNs: bigint, dropped = 0) {
    return { startNs, latency: new LatencyHistogram(), stages: new StageTimer(), received: 0, processed: 0, dropped, bad: 0, delayMs: 0, delays: 0, odometryWaitMs: 0, odometryWaits: 0, odometryLate: 0 };
  }
}
