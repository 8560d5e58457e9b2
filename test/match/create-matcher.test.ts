import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import { matcherConfigSchema } from '../../src/match/config.js';
import { createMatcher } from '../../src/match/create-matcher.js';
import { background, diagonal, drawPath } from './helpers.js';

describe('createMatcher and the matcher config schema', () => {
  it('builds every kind, with defaults filled in', () => {
    for (const kind of ['seqmatch', 'seqslam', 'adaptseq-v2', 'single'] as const) {
      assert.equal(createMatcher({ kind }).name, kind);
    }
    const parsed = matcherConfigSchema.parse({ kind: 'seqslam' });
    assert.deepEqual(parsed, {
      kind: 'seqslam',
      maxCandidates: 5,
      rivalScope: 'map',
      contrastRadiusRows: 0,
      localizationRows: 2,
      samePlace: { maxHeadingDeg: 45, acrossSessions: false },
      coarseRadiusRows: 5,
      vMin: 0.8,
      vMax: 1.25,
      vSteps: 10,
      pathVMin: 0.95,
      pathVMax: 1.05,
      pathVSteps: 5,
    });
    const adapt = matcherConfigSchema.parse({ kind: 'adaptseq-v2' });
    assert.equal(adapt.kind === 'adaptseq-v2' && adapt.stepWindow, 4);
  });

  it('wraps the matcher in contrast normalisation when contrastRadiusRows > 0', () => {
    const m = createMatcher({ kind: 'seqmatch', contrastRadiusRows: 5 });
    assert.equal(m.name, 'seqmatch+contrast');
    const D = drawPath(background(40, 5), diagonal(20, 5));
    assert.equal(m.match({ D }).mapIndex, 20);
  });

  it('passes options through to the matcher', () => {
    const D = drawPath(background(40, 5), [22, 24, 26, 28, 30]);
    const out = createMatcher({ kind: 'seqslam', vMin: 1, vMax: 2, vSteps: 5 }).match({ D });
    assert.deepEqual(out.path, [22, 24, 26, 28, 30]);
  });

  it('rejects unknown kinds, unknown keys, out-of-range and inconsistent values with a ConfigError', () => {
    const bad: unknown[] = [
      { kind: 'hmm' },
      { kind: 'seqmatch', vMin: 1 },
      { kind: 'seqslam', vSteps: 0 },
      { kind: 'seqslam', vMin: 1.3, vMax: 1.2 },
      { kind: 'adaptseq-v2', stepWindow: 1.5 },
      { kind: 'single', rivalScope: 'nearby' },
    ];
    for (const config of bad) {
      assert.throws(() => createMatcher(config as never), ConfigError, JSON.stringify(config));
    }
    assert.throws(() => createMatcher({ kind: 'seqmatch', vMin: 1 } as never), /vMin/);
  });
});
