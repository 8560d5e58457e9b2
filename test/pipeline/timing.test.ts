import assert from 'node:assert/strict';
import { LatencyHistogram, StageTimer } from '../../src/pipeline/timing.js';

/** Buckets are 5% apart and quantile() returns the bucket's upper edge: never below, < 5% above. */
function assertWithinBucket(actual: number, exact: number, what: string): void {
  assert.ok(actual >= exact * (1 - 1e-9) && actual <= exact * 1.05 * (1 + 1e-9), `${what}: ${actual} vs exact ${exact}`);
}

describe('LatencyHistogram', () => {
  it('gives quantiles of a uniform distribution within the bucket error', () => {
    const h = new LatencyHistogram();
    // 1..1000 ms shuffled (insertion order must not matter): nearest-rank p50 = 500, p95 = 950, p99 = 990.
    const values = Array.from({ length: 1000 }, (_, i) => ((i * 377) % 1000) + 1);
    for (const v of values) h.add(v);
    assertWithinBucket(h.quantile(0.5), 500, 'p50');
    assertWithinBucket(h.quantile(0.95), 950, 'p95');
    assertWithinBucket(h.quantile(0.99), 990, 'p99');
    assertWithinBucket(h.quantile(0.1), 100, 'p10');
    assertWithinBucket(h.quantile(0), 1, 'p0 (smallest)');
    assert.equal(h.quantile(1), 1000, 'the top quantile is capped at the maximum');
  });

  it('gives quantiles of a bimodal distribution within the bucket error', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 90; i++) h.add(2);
    for (let i = 0; i < 10; i++) h.add(250);
    assertWithinBucket(h.quantile(0.5), 2, 'p50');
    assertWithinBucket(h.quantile(0.9), 2, 'p90 (the 90th value is still 2 ms)');
    assertWithinBucket(h.quantile(0.91), 250, 'p91');
    assert.equal(h.quantile(0.99), 250);
  });

  it('is exact for a constant latency (capped at the maximum)', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 50; i++) h.add(3.7);
    const { mean, ...rest } = h.summary();
    assert.deepEqual(rest, { p50: 3.7, p95: 3.7, p99: 3.7, max: 3.7, count: 50 });
    assert.ok(Math.abs(mean - 3.7) < 1e-12);
  });

  it('handles sub-microsecond and zero latencies', () => {
    const h = new LatencyHistogram();
    h.add(0);
    h.add(0.0004);
    assert.equal(h.quantile(0.5), 0.0004, 'the smallest bucket, capped at the maximum');
    assert.equal(h.max, 0.0004);
  });

  it('summarises count, mean, max and the three percentiles', () => {
    const h = new LatencyHistogram();
    for (const v of [10, 20, 30, 40]) h.add(v);
    const s = h.summary();
    assert.equal(s.count, 4);
    assert.equal(s.mean, 25);
    assert.equal(s.max, 40);
    assertWithinBucket(s.p50, 20, 'p50 (2nd of 4)');
    assert.equal(s.p95, 40);
    assert.equal(s.p99, 40);
  });

  it('reports zeros when empty', () => {
    assert.deepEqual(new LatencyHistogram().summary(), { p50: 0, p95: 0, p99: 0, mean: 0, max: 0, count: 0 });
  });
});

describe('StageTimer', () => {
  it('keeps one histogram per stage and summarises the recorded stages in pipeline order', () => {
    const t = new StageTimer();
    t.record({ total: 5, encode: 2 });
    t.record({ match: 1, encode: 4, total: 6 });
    const s = t.summary();
    assert.deepEqual(Object.keys(s), ['encode', 'match', 'total']);
    assert.equal(s.encode.count, 2);
    assert.equal(s.encode.mean, 3);
    assert.equal(s.encode.max, 4);
    assert.equal(s.match.count, 1);
    assert.equal(s.match.p50, 1);
    assert.equal(s.total.mean, 5.5);
    assert.equal(t.histograms.get('total')?.count, 2);
    assert.equal(t.histograms.has('retrieve'), false);
  });

  it('summarises nothing before the first record', () => {
    assert.deepEqual(new StageTimer().summary(), {});
  });
});
