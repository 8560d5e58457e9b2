// Worker-thread side of WorkerFrameEncoder: creates the frame encoder from its config (the same
// factory as the main thread, so the same model and preprocessing give the same descriptors) and
// encodes the images it is sent, one request after another. onnxruntime-node runs a model
// synchronously on the calling thread; here that thread is not the one matching frames.
import { parentPort, workerData } from 'node:worker_threads';
import { createFrameEncoder, type EncoderContext, type FrameEncoderConfig } from './factory.js';
import { yieldsPatches, type EncodeTiming, type FrameWithPatches } from './types.js';
import { serializeError, type WorkerReply, type WorkerRequest } from './worker-protocol.js';

const { config, baseDir, withPatches } = workerData as { config: FrameEncoderConfig; baseDir?: string; withPatches?: boolean };
const port = parentPort!;
const warnings: string[] = [];
const context: EncoderContext = { baseDir, warn: (m) => warnings.push(m), withPatches };
const send = (reply: WorkerReply): void => port.postMessage(reply);

try {
  const encoder = await createFrameEncoder(config, context);
  const patchModel = yieldsPatches(encoder) ? encoder.patchModel : undefined;
  send({ type: 'ready', id: encoder.id, hash: encoder.hash, dim: encoder.dim, provider: encoder.provider, warnings, patchModel });
  port.on('message', async (request: WorkerRequest) => {
    if (request.type === 'close') {
      await encoder.close();
      port.close();
      return;
    }
    const timing: EncodeTiming = {};
    try {
      let descriptors: Float32Array[];
      let patches: (Float32Array | null)[] | undefined;
      if (request.withPatches && yieldsPatches(encoder)) {
        const both: FrameWithPatches[] = await encoder.encodeWithPatches(request.images, timing);
        descriptors = both.map((b) => b.descriptor);
        patches = both.map((b) => b.patches ?? null);
      } else {
        descriptors = await encoder.encode(request.images, timing);
      }
      const buffers = [...descriptors, ...(patches ?? [])].flatMap((d) => (d ? [d.buffer as ArrayBuffer] : []));
      port.postMessage({ type: 'encoded', requestId: request.requestId, descriptors, patches, timing } satisfies WorkerReply, [...new Set(buffers)]);
    } catch (e) {
      send({ type: 'failed', requestId: request.requestId, error: serializeError(e), timing });
    }
  });
} catch (e) {
  send({ type: 'not-started', error: serializeError(e) });
  port.close();
}
