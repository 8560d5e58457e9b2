import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/core/errors.js';
import { createSequenceEncoder } from '../../../src/encoders/sequence/factory.js';

describe('createSequenceEncoder', () => {
  it('builds each weight-free kind', async () => {
    assert.equal((await createSequenceEncoder({ kind: 'single' }, { frameDim: 8 })).length, 1);
    const smooth = await createSequenceEncoder({ kind: 'smoothing', length: 5 }, { frameDim: 8 });
    assert.deepEqual([smooth.id, smooth.length, smooth.inputDim, smooth.outputDim], ['smoothing-l5', 5, 8, 8]);
    assert.equal((await createSequenceEncoder({ kind: 'delta', length: 10 }, { frameDim: 8 })).id, 'delta-l10');
  });

  it('names the offending key of a bad config', async () => {
    await assert.rejects(createSequenceEncoder({ kind: 'delta', length: 1 }, { frameDim: 8 }), (e: Error) =>
      e instanceof ConfigError && /^sequence encoder config: length: /.test(e.message));
    await assert.rejects(createSequenceEncoder({ kind: 'nope' } as never, { frameDim: 8 }), ConfigError);
  });
});
