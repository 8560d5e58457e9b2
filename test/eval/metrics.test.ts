import assert from 'node:assert/strict';
import { EvalError } from '../../src/core/errors.js';
import { alignedGroundTruth, groundTruthFromLists } from '../../src/eval/ground-truth.js';
import { computeMetrics, type QueryRecord } from '../../src/eval/metrics.js';

/** A record whose ranked list starts with the prediction. */
const rec = (queryIndex: number, predicted: number | null, confidence: number, rest: number[] = []): QueryRecord => ({
  queryIndex,
  ranked: predicted === null ? rest : [predicted, ...rest],
  predicted,
  confidence,
});

const close = (a: number | null, b: number, msg?: string): void => {
  assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${msg ?? ''} expected ${b}, got ${a}`);
};

describe('eval/metrics', () => {
  describe('precision-recall', () => {
    // Queries 0..5; query 3 has no true place. Query 5 gave no answer.
    //   q0 conf .9 correct | q1 .8 wrong | q2 .7 correct | q3 .6 answered, no truth | q4 .5 correct | q5 none
    const gt = groundTruthFromLists([[0], [1], [2], [], [4], [5]], 'hand');
    const records = [rec(0, 0, 0.9), rec(1, 7, 0.8), rec(2, 2, 0.7), rec(3, 9, 0.6), rec(4, 4, 0.5), rec(5, null, 0)];
    const m = computeMetrics(records, gt);

    it('walks thresholds in descending confidence with recall over queries with ground truth', () => {
      assert.equal(m.queriesWithGroundTruth, 5);
      const pts = m.precisionRecall.map((p) => [p.threshold, p.truePositives, p.falsePositives, p.recall, p.precision]);
      assert.deepEqual(pts, [
        [0.9, 1, 0, 0.2, 1],
        [0.8, 1, 1, 0.2, 0.5],
        [0.7, 2, 1, 0.4, 2 / 3],
        [0.6, 2, 2, 0.4, 0.5],
        [0.5, 3, 2, 0.6, 0.6],
      ]);
    });

    it('counts a confident wrong answer for a query WITHOUT ground truth as a false positive', () => {
      // Query 3 (no truth) is the only reason precision drops between 0.7 and 0.6.
      assert.equal(m.precisionRecall[3].falsePositives, 2);
      assert.equal(m.acceptAll.falsePositives, 2);
      assert.equal(m.acceptAll.falsePositivesWithoutGroundTruth, 1);
      close(m.acceptAll.precision, 3 / 5);
      close(m.acceptAll.precisionGroundTruthOnly, 3 / 4, 'CaseVPR drops it');
    });

    it('gives the non-interpolated AP and recall at 100% precision', () => {
      // AP = 0.2·1 + 0·0.5 + 0.2·(2/3) + 0·0.5 + 0.2·0.6
      close(m.averagePrecision, 0.2 + 0.2 * (2 / 3) + 0.12);
      assert.equal(m.recallAtPrecision100, 0.2);
      assert.equal(m.thresholdAtPrecision100, 0.9);
    });

    it('lets tied confidences enter together', () => {
      // Without tie handling the correct answer alone would give a 100%-precision point.
      const tied = computeMetrics([rec(0, 0, 0.7), rec(1, 5, 0.7), rec(2, 2, 0.3)], alignedGroundTruth(0, 3));
      assert.deepEqual(
        tied.precisionRecall.map((p) => [p.threshold, p.truePositives, p.falsePositives]),
        [[0.7, 1, 1], [0.3, 2, 1]],
      );
      assert.equal(tied.recallAtPrecision100, 0);
      assert.equal(tied.thresholdAtPrecision100, null);
      close(tied.averagePrecision, (1 / 3) * 0.5 + (1 / 3) * (2 / 3));
    });

    it('reaches AP 1 and full recall at 100% precision when every answer is right', () => {
      const all = computeMetrics([rec(0, 0, 0.2), rec(1, 1, 0.9), rec(2, 2, 0.5)], alignedGroundTruth(0, 3));
      close(all.averagePrecision, 1);
      assert.equal(all.recallAtPrecision100, 1);
      assert.equal(all.thresholdAtPrecision100, 0.2);
    });
  });

  describe('recall@N', () => {
    it('divides by queries with ground truth, and separately by all queries', () => {
      const gt = groundTruthFromLists([[0], [1], [], [3]], 'hand');
      const m = computeMetrics(
        [
          rec(0, 0, 0.9, [5, 6]), // hit @1
          rec(1, 8, 0.8, [7, 6, 5, 1]), // hit @5 (rank 5)
          rec(2, 2, 0.7), // no ground truth: excluded from `recall`
          rec(3, 9, 0.1, [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 3]), // hit @20 only (rank 12)
        ],
        gt,
      );
      assert.equal(m.queries, 4);
      assert.equal(m.queriesWithGroundTruth, 3);
      assert.deepEqual(m.recall, { '1': 1 / 3, '5': 2 / 3, '10': 2 / 3, '20': 1 });
      assert.deepEqual(m.recallAllQueries, { '1': 1 / 4, '5': 2 / 4, '10': 2 / 4, '20': 3 / 4 });
    });

    it('accepts other N and rejects N < 1', () => {
      const gt = alignedGroundTruth(0, 5);
      assert.deepEqual(computeMetrics([rec(0, 1, 1, [0])], gt, { recallAt: [1, 2] }).recall, { '1': 0, '2': 1 });
      assert.throws(() => computeMetrics([rec(0, 0, 1)], gt, { recallAt: [0] }), EvalError);
    });

    it('a query with no answer still counts in the recall denominator', () => {
      const m = computeMetrics([rec(0, 0, 1), rec(1, null, 0)], alignedGroundTruth(0, 2));
      assert.equal(m.recall['1'], 0.5);
      assert.equal(m.acceptAll.accepted, 1);
      assert.equal(m.recallAtPrecision100, 0.5);
    });

    it('reports undefined ratios as null when no query has ground truth', () => {
      const m = computeMetrics([rec(0, 3, 0.9)], groundTruthFromLists([[]], 'none'));
      assert.equal(m.recall['1'], null);
      assert.equal(m.recallAllQueries['1'], 0);
      assert.equal(m.averagePrecision, null);
      assert.equal(m.recallAtPrecision100, null);
      assert.equal(m.acceptAll.falsePositives, 1);
      assert.equal(m.precisionRecall[0].recall, null);
    });
  });

  describe('latency', () => {
    it('summarises by linear interpolation and derives frames per second', () => {
      const records = [4, 1, 3, 2].map((latencyMs, i) => ({ ...rec(i, i, 1), latencyMs }));
      const m = computeMetrics(records, alignedGroundTruth(0, 4));
      // h = (n − 1)·p: p95 → h = 2.85 → 3 + 0.85·(4 − 3); nearest rank would give 4.
      const lat = m.latencyMs!;
      assert.deepEqual([lat.p50, lat.mean, lat.max], [2.5, 2.5, 4]);
      close(lat.p95, 3.85);
      close(lat.p99, 3.97);
      assert.equal(m.framesPerSecond, 400, '1000 / mean latency without a wall time');
      assert.equal(computeMetrics(records, alignedGroundTruth(0, 4), { wallTimeMs: 2000 }).framesPerSecond, 2);
    });

    it('is null when nothing was timed', () => {
      const m = computeMetrics([rec(0, 0, 1)], alignedGroundTruth(0, 1));
      assert.equal(m.latencyMs, null);
      assert.equal(m.framesPerSecond, null);
    });
  });

  it('has the metrics.json shape', () => {
    const m = computeMetrics([{ ...rec(0, 0, 1), latencyMs: 1 }], alignedGroundTruth(0, 1));
    const json = JSON.parse(JSON.stringify(m)) as Record<string, unknown>;
    for (const key of ['queries', 'queriesWithGroundTruth', 'recall', 'recallAllQueries', 'averagePrecision', 'recallAtPrecision100', 'precisionRecall', 'latencyMs', 'framesPerSecond']) {
      assert.ok(key in json, key);
    }
    assert.deepEqual(Object.keys(json.recall as object), ['1', '5', '10', '20']);
    assert.deepEqual(Object.keys(json.latencyMs as object).sort(), ['max', 'mean', 'p50', 'p95', 'p99']);
    assert.deepEqual(Object.keys((json.precisionRecall as object[])[0]).slice(0, 3), ['threshold', 'precision', 'recall']);
  });

  describe('rejects inconsistent input', () => {
    const gt = alignedGroundTruth(1, 10);
    const cases: [string, QueryRecord[], RegExp][] = [
      ['no records', [], /no query results/],
      ['a duplicate query', [rec(1, 1, 1), rec(1, 2, 1)], /query 1 has two results/],
      ['a fractional query index', [rec(1.5, 1, 1)], /non-negative integer/],
      ['a NaN confidence', [rec(0, 0, NaN)], /confidence must be a finite number/],
      ['a negative latency', [{ ...rec(0, 0, 1), latencyMs: -1 }], /latencyMs must be/],
    ];
    for (const [what, records, message] of cases) {
      it(what, () => assert.throws(() => computeMetrics(records, gt), (e: unknown) => e instanceof EvalError && message.test(e.message)));
    }

    it('a query outside a ground truth of known size', () => {
      const small = groundTruthFromLists([[0], [1]], 'two.csv', 2);
      assert.throws(() => computeMetrics([rec(2, 0, 1)], small), /outside the ground truth two\.csv \(2 queries\)/);
    });
  });
});
