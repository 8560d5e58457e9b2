import assert from 'node:assert/strict';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { SEQNET_MARGIN } from '../../src/train/seqnet/loss.js';
import { mineQuery } from '../../src/train/seqnet/mining.js';
import { buildSequenceSet, isPotentialNegative } from '../../src/train/seqnet/sequences.js';

describe('SeqNet hard-negative mining', () => {
  // Query at (1, 0); DB row i sits at distance dist[i] from it along x.
  const dist = [0.2, 0.5, 9, 0.3, 0.1, 0.6, 1.5, 0.4];
  const db = Float32Array.from(dist.flatMap((d) => [1 + d, 0]));
  const base = { query: Float32Array.of(1, 0), db, dim: 2, positives: [0, 1], margin: SEQNET_MARGIN };

  it('takes the nearest positive and the hardest margin violators among samples ∪ last hard negatives', () => {
    const mined = mineQuery({ ...base, sampled: [3, 4, 4, 5, 6], previousHard: [7], nNeg: 10 });
    assert.ok(mined);
    assert.equal(mined.positive, 0);
    assert.ok(Math.abs(mined.positiveDistance - 0.2) < 1e-6);
    // d⁺ + margin = 0.516: rows 4 (0.1), 3 (0.3), 7 (0.4) violate it; 5 (0.6) and 6 (1.5) do not.
    assert.deepEqual(mined.negatives, [4, 3, 7]);
  });

  it('keeps at most nNeg, hardest first; skips the query when nothing violates the margin', () => {
    assert.deepEqual(mineQuery({ ...base, sampled: [3, 4, 5], previousHard: [7], nNeg: 2 })?.negatives, [4, 3]);
    assert.equal(mineQuery({ ...base, sampled: [5, 6], previousHard: [], nNeg: 10 }), null);
    // The positive changes the threshold: with only row 1 (0.5) as positive, row 5 (0.6) violates too.
    assert.deepEqual(mineQuery({ ...base, positives: [1], sampled: [5, 6], previousHard: [], nNeg: 10 })?.negatives, [5]);
  });

  it('samples drawn twice count once; equal distances go to the lower row', () => {
    const tied = Float32Array.from([0.2, 0.3, 0.3, 0.3].flatMap((d) => [1 + d, 0]));
    const mined = mineQuery({ query: Float32Array.of(1, 0), db: tied, dim: 2, positives: [0], margin: SEQNET_MARGIN, sampled: [3, 3, 2, 1, 3], previousHard: [2], nNeg: 2 });
    assert.deepEqual(mined?.negatives, [1, 2]);
  });

  it('potential negatives are farther than the exclusion from every positive frame', () => {
    const frames = new DescriptorMatrix(30, 2, new Float32Array(60));
    const set = buildSequenceSet(
      { db: frames, query: frames, dbRows: { start: 0, end: 30 }, queryRows: { start: 0, end: 30 }, positives: (q) => [q - 1, q, q + 1] },
      3,
      2,
      4,
    );
    // Query window ending at frame 10 (row 8): positives 9..11; exclusion 4 -> DB ends 5..15 are not negatives.
    const q = 8;
    assert.equal(set.queryEnds[q], 10);
    assert.deepEqual(Array.from(set.positives[q], (r) => set.dbEnds[r]), [9, 10, 11]);
    const negatives = Array.from(set.dbEnds).filter((_, r) => isPotentialNegative(set, q, r));
    assert.deepEqual(negatives, [2, 3, 4, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
  });
});
