import assert from 'node:assert/strict';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { createRandom } from '../../src/core/random.js';
import { SEQNET_MARGIN, tripletLoss, type Triplet } from '../../src/train/seqnet/loss.js';
import { initSeqNet, seqnetBackward, seqnetForward, SeqNetWorkspace, windowFeatures, type SeqNetParams } from '../../src/train/seqnet/model.js';

/** Plain SeqNet: y_t = b + sum_k W[:, :, k] x_{t+k}, s = mean_t y_t, norm(s) (the reference, no folding). */
function referenceForward(p: SeqNetParams, window: Float32Array[]): Float64Array {
  const { inputDim: C, outputDim: D, kernel: w } = p;
  const T = window.length - w + 1;
  const s = new Float64Array(D);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < D; o++) {
      let y = p.bias[o];
      for (let k = 0; k < w; k++) for (let c = 0; c < C; c++) y += p.weight[(o * C + c) * w + k] * window[t + k][c];
      s[o] += y / T;
    }
  }
  const n = Math.hypot(...s);
  return s.map((v) => v / n);
}

describe('SeqNet forward and backward', () => {
  const rng = createRandom(5);
  const rand = (): number => rng.next() * 2 - 1;
  const C = 4;
  const D = 3;
  const w = 2;
  const L = 4;
  const frames = new DescriptorMatrix(9, C, Float32Array.from({ length: 9 * C }, rand));
  const ends = [3, 5, 8, 6, 4]; // rows: query 0, positive 1, negatives 2..4
  const params = initSeqNet(C, D, w, L, 'random', rand);
  const triplets: Triplet[] = [{ query: 0, positive: 1, negatives: [2, 3, 4] }];

  it('the folded im2col forward equals the plain temporal convolution', () => {
    const features = windowFeatures(frames, ends, L, w);
    const out = seqnetForward(params, features, ends.length, new SeqNetWorkspace());
    ends.forEach((e, i) => {
      const window = Array.from({ length: L }, (_, t) => frames.row(e - L + 1 + t));
      const ref = referenceForward(params, window);
      for (let o = 0; o < D; o++) assert.ok(Math.abs(out[i * D + o] - ref[o]) < 1e-5, `window ${i} output ${o}: ${out[i * D + o]} vs ${ref[o]}`);
    });
  });

  it('gradients of the triplet loss w.r.t. conv weight and bias match finite differences', () => {
    // A large margin keeps every hinge active, so the loss is smooth around the parameters.
    const margin = 2;
    const features = windowFeatures(frames, ends, L, w);
    const lossAt = (p: SeqNetParams): number => {
      // float64 reference path for the finite differences
      const f = new Float32Array(ends.length * D);
      ends.forEach((e, i) => f.set(referenceForward(p, Array.from({ length: L }, (_, t) => frames.row(e - L + 1 + t))), i * D));
      return tripletLoss(f, D, triplets, margin, new Float32Array(f.length)).loss;
    };
    const ws = new SeqNetWorkspace();
    const out = seqnetForward(params, features, ends.length, ws);
    const grad = new Float32Array(ends.length * D);
    const r = tripletLoss(out.subarray(0, ends.length * D), D, triplets, margin, grad);
    assert.equal(r.active, 3);
    const gw = new Float32Array(params.weight.length);
    const gb = new Float32Array(params.bias.length);
    seqnetBackward(params, features, ends.length, grad, ws, gw, gb);
    const h = 1e-3;
    const check = (values: Float32Array, analytic: Float32Array, name: string): void => {
      for (let i = 0; i < values.length; i++) {
        const keep = values[i];
        values[i] = keep + h;
        const up = lossAt(params);
        values[i] = keep - h;
        const down = lossAt(params);
        values[i] = keep;
        const numeric = (up - down) / (2 * h);
        assert.ok(Math.abs(numeric - analytic[i]) < 2e-3 * Math.max(1, Math.abs(numeric)), `${name}[${i}]: analytic ${analytic[i]} vs numeric ${numeric}`);
      }
    };
    check(params.weight, gw, 'weight');
    check(params.bias, gb, 'bias');
    // The gradient is not trivially zero.
    assert.ok(gw.some((g) => Math.abs(g) > 1e-3));
  });

  it('the loss follows the reference formula on a hand-made case', () => {
    // q = (1,0), p = (0,1), n = (-1,0): d(q,p) = sqrt(2), d(q,n) = 2; hinge = sqrt(2) - 2 + margin.
    const f = Float32Array.of(1, 0, 0, 1, -1, 0);
    const r = tripletLoss(f, 2, [{ query: 0, positive: 1, negatives: [2] }], SEQNET_MARGIN, new Float32Array(6));
    assert.equal(r.active, 0); // sqrt(2) - 2 + 0.316 < 0
    const r2 = tripletLoss(f, 2, [{ query: 0, positive: 1, negatives: [2] }], 1, new Float32Array(6));
    assert.ok(Math.abs(r2.loss - (Math.SQRT2 - 2 + 1)) < 1e-5);
  });
});
