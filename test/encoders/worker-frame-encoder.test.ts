// The worker-thread frame encoder fails the way the main-thread one does: same error class and
// message when the model cannot be loaded, and a typed error (no hang) once it is closed.
import assert from 'node:assert/strict';
import { createFrameEncoder } from '../../src/encoders/factory.js';
import { WorkerFrameEncoder } from '../../src/encoders/worker-frame-encoder.js';
import { ModelError } from '../../src/core/errors.js';

describe('WorkerFrameEncoder', function () {
  this.timeout(60_000);

  it('a model that cannot be loaded fails with the error the main thread gives', async () => {
    const config = { kind: 'onnx' as const, manifest: 'no-such-model.yaml' };
    const onMain = await createFrameEncoder(config).then(() => assert.fail('loaded'), (e: Error) => e);
    const inWorker = await WorkerFrameEncoder.start(config).then(() => assert.fail('loaded'), (e: Error) => e);
    assert.equal(inWorker.constructor, onMain.constructor);
    assert.equal(inWorker.message, onMain.message);
  });

  it('identity as on the main thread; after close, encode fails with a ModelError', async () => {
    const onMain = await createFrameEncoder({ kind: 'builtin-cnn' });
    const worker = await createFrameEncoder({ kind: 'builtin-cnn' }, { thread: 'worker' });
    try {
      assert.ok(worker instanceof WorkerFrameEncoder);
      assert.deepEqual([worker.id, worker.hash, worker.dim, worker.provider], [onMain.id, onMain.hash, onMain.dim, onMain.provider]);
    } finally {
      await Promise.all([onMain.close(), worker.close()]);
    }
    await assert.rejects(worker.encode([{ kind: 'file', path: 'x.png' }]), (e: unknown) => e instanceof ModelError && /worker exited/.test(e.message));
  });
});
