// Place-recognition metrics from per-query results: recall@N, the precision-recall curve of the
// top-1 decision, latency. This is what `metrics.json` holds.
//
// Denominators (kept distinct on purpose, see seed-algorithms.md §5):
// - `recall`            SeqNet: queries WITH ground truth only (a query with no true place cannot be
//                       retrieved correctly, so it is left out).
// - `recallAllQueries`  Patch-NetVLAD: all queries (those without ground truth count as misses).
// - precision-recall    LOOP-CLOSURE view: a query whose top-1 answer is ACCEPTED (confidence >= threshold)
//                       and wrong is a false positive EVEN WHEN THE QUERY HAS NO GROUND TRUTH, because a
//                       confident match at a place never seen before is exactly the false loop closure
//                       that corrupts a map. CaseVPR drops those instead; its number is kept apart as
//                       `acceptAll.precisionGroundTruthOnly`. Recall = TP / (queries with ground truth).
import { EvalError } from '../core/errors.js';
import type { GroundTruth } from './ground-truth.js';
import { summariseLatency, type LatencySummary } from './percentile.js';

/** What the evaluator records for one query frame. */
export interface QueryRecord {
  queryIndex: number;
  /** Map indices, best first (for recall@N). */
  ranked: readonly number[];
  /** The decision's top-1 map index; null when the system gave no answer (never accepted). */
  predicted: number | null;
  /** Higher = more certain; the precision-recall sweep thresholds it. */
  confidence: number;
  /** End-to-end latency of this query, when measured. */
  latencyMs?: number;
  /** The motion gate held this frame back: its answer is the last admitted frame's. */
  held?: boolean;
}

export interface PrecisionRecallPoint {
  /** Queries with confidence >= threshold are accepted. */
  threshold: number;
  precision: number;
  /** TP / (queries with ground truth); null when no query has ground truth. */
  recall: number | null;
  truePositives: number;
  falsePositives: number;
}

export interface AcceptAllCounts {
  /** Queries with a non-null prediction (all accepted: the lowest threshold). */
  accepted: number;
  truePositives: number;
  /** Includes wrong answers for queries without ground truth. */
  falsePositives: number;
  falsePositivesWithoutGroundTruth: number;
  /** TP / accepted; null when nothing was accepted. */
  precision: number | null;
  /** CaseVPR's "image-level precision": TP / (TP + FP among queries WITH ground truth). */
  precisionGroundTruthOnly: number | null;
}

export interface EvalMetrics {
  queries: number;
  queriesWithGroundTruth: number;
  groundTruth: string;
  /** Recall@N over queries with ground truth (SeqNet); values null when no query has ground truth. */
  recall: Record<string, number | null>;
  /** Recall@N over all queries (Patch-NetVLAD). */
  recallAllQueries: Record<string, number>;
  /** Non-interpolated AP: Σ_k (R_k − R_{k−1})·P_k over the thresholds, descending. */
  averagePrecision: number | null;
  /** Highest recall reached with zero false positives (0 when the most confident answer is wrong). */
  recallAtPrecision100: number | null;
  /** Lowest threshold that still has zero false positives; null when none does. */
  thresholdAtPrecision100: number | null;
  /** One point per distinct confidence, thresholds descending. */
  precisionRecall: PrecisionRecallPoint[];
  acceptAll: AcceptAllCounts;
  /** Linear-interpolation percentiles (see percentile.ts); null when no record has a latency. */
  latencyMs: LatencySummary | null;
  /** queries / wall time when given, else 1000 / mean latency (sequential throughput); null when neither. */
  framesPerSecond: number | null;
}

export interface MetricsOptions {
  /** N values for recall@N. Default [1, 5, 10, 20]. */
  recallAt?: readonly number[];
  /** Wall-clock time of the whole run, for framesPerSecond. */
  wallTimeMs?: number;
}

export const DEFAULT_RECALL_AT: readonly number[] = [1, 5, 10, 20];

export function computeMetrics(
  records: readonly QueryRecord[],
  groundTruth: GroundTruth,
  options: MetricsOptions = {},
): EvalMetrics {
  validateRecords(records, groundTruth);
  const recallAt = options.recallAt ?? DEFAULT_RECALL_AT;
  const withGt = records.filter((r) => groundTruth.hasPositives(r.queryIndex));
  const nGt = withGt.length;

  const recall: Record<string, number | null> = {};
  const recallAllQueries: Record<string, number> = {};
  for (const n of recallAt) {
    if (!Number.isInteger(n) || n < 1) throw new EvalError(`recall@N needs whole N >= 1, got ${n}`);
    const hits = withGt.filter((r) => topNHit(r, n, groundTruth)).length;
    recall[String(n)] = nGt > 0 ? hits / nGt : null;
    recallAllQueries[String(n)] = hits / records.length;
  }

  const pr = precisionRecallCurve(records, groundTruth);
  const latencies = records.flatMap((r) => (r.latencyMs === undefined ? [] : [r.latencyMs]));
  const latencyMs = summariseLatency(latencies);
  let framesPerSecond: number | null = null;
  if (options.wallTimeMs !== undefined && options.wallTimeMs > 0) framesPerSecond = records.length / (options.wallTimeMs / 1000);
  else if (latencyMs !== null && latencyMs.mean > 0) framesPerSecond = 1000 / latencyMs.mean;

  return {
    queries: records.length,
    queriesWithGroundTruth: nGt,
    groundTruth: groundTruth.description,
    recall,
    recallAllQueries,
    ...pr,
    acceptAll: acceptAllCounts(records, groundTruth),
    latencyMs,
    framesPerSecond,
  };
}

/** True when the prediction is one of the query's positives. False for queries without ground truth. */
export function isCorrect(record: QueryRecord, groundTruth: GroundTruth): boolean {
  return record.predicted !== null && groundTruth.positives(record.queryIndex).includes(record.predicted);
}

function topNHit(r: QueryRecord, n: number, gt: GroundTruth): boolean {
  const pos = gt.positives(r.queryIndex);
  return r.ranked.slice(0, n).some((m) => pos.includes(m));
}

type CurveFields = Pick<
  EvalMetrics,
  'averagePrecision' | 'recallAtPrecision100' | 'thresholdAtPrecision100' | 'precisionRecall'
>;

/** Sweeps the threshold over every distinct confidence, descending; ties enter together. */
function precisionRecallCurve(records: readonly QueryRecord[], gt: GroundTruth): CurveFields {
  const nGt = records.filter((r) => gt.hasPositives(r.queryIndex)).length;
  const answered = records
    .filter((r) => r.predicted !== null)
    .map((r) => ({ confidence: r.confidence, correct: isCorrect(r, gt) }))
    .sort((a, b) => b.confidence - a.confidence);
  const points: PrecisionRecallPoint[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < answered.length; ) {
    const threshold = answered[i].confidence;
    for (; i < answered.length && answered[i].confidence === threshold; i++) {
      if (answered[i].correct) tp++;
      else fp++;
    }
    points.push({ threshold, precision: tp / (tp + fp), recall: nGt > 0 ? tp / nGt : null, truePositives: tp, falsePositives: fp });
  }
  if (nGt === 0) {
    return { averagePrecision: null, recallAtPrecision100: null, thresholdAtPrecision100: null, precisionRecall: points };
  }
  let ap = 0;
  let prevRecall = 0;
  let recallAtPrecision100 = 0;
  let thresholdAtPrecision100: number | null = null;
  for (const p of points) {
    const r = p.recall as number;
    ap += (r - prevRecall) * p.precision;
    prevRecall = r;
    if (p.falsePositives === 0) {
      recallAtPrecision100 = r;
      thresholdAtPrecision100 = p.threshold;
    }
  }
  return { averagePrecision: ap, recallAtPrecision100, thresholdAtPrecision100, precisionRecall: points };
}

function acceptAllCounts(records: readonly QueryRecord[], gt: GroundTruth): AcceptAllCounts {
  let accepted = 0;
  let tp = 0;
  let fp = 0;
  let fpNoGt = 0;
  for (const r of records) {
    if (r.predicted === null) continue;
    accepted++;
    if (isCorrect(r, gt)) tp++;
    else {
      fp++;
      if (!gt.hasPositives(r.queryIndex)) fpNoGt++;
    }
  }
  const fpWithGt = fp - fpNoGt;
  return {
    accepted,
    truePositives: tp,
    falsePositives: fp,
    falsePositivesWithoutGroundTruth: fpNoGt,
    precision: accepted > 0 ? tp / accepted : null,
    precisionGroundTruthOnly: tp + fpWithGt > 0 ? tp / (tp + fpWithGt) : null,
  };
}

function validateRecords(records: readonly QueryRecord[], gt: GroundTruth): void {
  if (records.length === 0) throw new EvalError('no query results to evaluate; run at least one query');
  const seen = new Set<number>();
  for (const r of records) {
    const q = r.queryIndex;
    if (!Number.isInteger(q) || q < 0) throw new EvalError(`query index must be a non-negative integer, got ${q}`);
    if (seen.has(q)) throw new EvalError(`query ${q} has two results; each query must be evaluated once`);
    seen.add(q);
    if (gt.queryCount !== undefined && q >= gt.queryCount) {
      throw new EvalError(
        `query ${q} is outside the ground truth ${gt.description} (${gt.queryCount} queries); check that the ground truth belongs to this query set`,
      );
    }
    if (r.predicted !== null && !Number.isFinite(r.confidence)) {
      throw new EvalError(`query ${q}: confidence must be a finite number, got ${r.confidence}`);
    }
    if (r.latencyMs !== undefined && !(r.latencyMs >= 0 && Number.isFinite(r.latencyMs))) {
      throw new EvalError(`query ${q}: latencyMs must be a finite number >= 0, got ${r.latencyMs}`);
    }
  }
}
