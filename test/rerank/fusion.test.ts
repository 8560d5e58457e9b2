import assert from 'node:assert/strict';
import { fusedConfidence, fuseScores } from '../../src/rerank/fusion.js';

describe('fusion of sequence and patch scores', () => {
  it('discounts the sequence distance by w x patch score', () => {
    assert.equal(fuseScores(0.4, 0, 0.5), 0.4);
    assert.ok(Math.abs(fuseScores(0.4, 0.5, 0.5) - 0.3) < 1e-12);
    assert.ok(Math.abs(fuseScores(0.4, 1, 0.5) - 0.2) < 1e-12);
  });

  it('clamps the patch score to [0, 1] and ignores it with weight 0', () => {
    assert.equal(fuseScores(0.4, 2, 0.5), fuseScores(0.4, 1, 0.5));
    assert.equal(fuseScores(0.4, -1, 0.5), 0.4);
    assert.equal(fuseScores(0.4, Number.NaN, 0.5), 0.4);
    assert.equal(fuseScores(0.4, 0.9, 0), 0.4);
  });

  it('is scale-free: scaling every sequence score keeps the order and the ratios', () => {
    const a = fuseScores(0.3, 0.1, 0.6);
    const b = fuseScores(0.35, 0.5, 0.6);
    const a10 = fuseScores(3, 0.1, 0.6);
    const b10 = fuseScores(3.5, 0.5, 0.6);
    assert.ok(b < a && b10 < a10, 'patch evidence overturns a small sequence margin');
    assert.ok(Math.abs(b / a - b10 / a10) < 1e-12);
  });

  it('a strong sequence margin survives equal patch evidence', () => {
    assert.ok(fuseScores(0.2, 0.3, 0.6) < fuseScores(0.4, 0.3, 0.6));
  });

  it('confidence: uniqueness of the fused winner over the rival, capped by sharpness', () => {
    assert.ok(Math.abs(fusedConfidence(0.2, 0.4, 1) - 0.5) < 1e-12);
    assert.equal(fusedConfidence(0.2, 0.4, 0.1), 0.1);
    assert.equal(fusedConfidence(0.2, Number.NaN, 1), 0, 'no rival: uniqueness cannot be vouched for');
    assert.equal(fusedConfidence(0.4, 0.4, 1), 0, 'a rival as good as the winner');
    assert.equal(fusedConfidence(0.2, 0.4, 1, 0.3), 0.3, 'never above the sequence-only confidence');
    assert.equal(fusedConfidence(0.2, 0.4, 1, 0), 0, 'an answer the sequence did not choose is not trusted');
  });
});
