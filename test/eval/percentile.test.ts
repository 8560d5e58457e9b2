import assert from 'node:assert/strict';
import { EvalError } from '../../src/core/errors.js';
import { percentileSorted, summariseLatency } from '../../src/eval/percentile.js';

describe('eval/percentile', () => {
  it('interpolates linearly between closest ranks (numpy default)', () => {
    const xs = [10, 20, 30, 40, 50];
    assert.equal(percentileSorted(xs, 0), 10);
    assert.equal(percentileSorted(xs, 50), 30);
    assert.equal(percentileSorted(xs, 100), 50);
    assert.equal(percentileSorted(xs, 25), 20);
    assert.equal(percentileSorted(xs, 90), 46); // h = 3.6 → 40 + 0.6·10
    assert.equal(percentileSorted([7], 99), 7);
  });

  it('rejects an empty list and p outside [0, 100]', () => {
    assert.throws(() => percentileSorted([], 50), EvalError);
    assert.throws(() => percentileSorted([1], 101), EvalError);
    assert.throws(() => percentileSorted([1], NaN), EvalError);
  });

  it('summarises unsorted values; null when empty', () => {
    assert.deepEqual(summariseLatency([3, 1, 2]), { p50: 2, p95: 2.9, p99: 2.98, mean: 2, max: 3 });
    assert.equal(summariseLatency([]), null);
  });
});
