// A frame encoder that runs in a worker thread. onnxruntime-node runs a model synchronously on the
// thread that calls it, so on the main thread the CNN blocks matching for its whole run; in a
// worker it runs on the second core while the main thread matches the previous frame (recorded
// runs encode ahead, see pipeline/pull-ahead.ts). The worker builds the encoder from the same
// config with the same factory, so the descriptors are the same; requests are answered in order.
import { Worker } from 'node:worker_threads';
import { ModelError } from '../core/errors.js';
import type { ImageSource } from '../core/types.js';
import type { EncoderContext, FrameEncoderConfig } from './factory.js';
import { addTime, type EncodeTiming, type FrameEncoder, type FrameWithPatches, type PatchModelIdentity } from './types.js';
import { deserializeError, detachedImage, type WorkerReply, type WorkerRequest } from './worker-protocol.js';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
/** The worker's entry file next to this one (.ts when run from source through tsx, .js once built). */
const WORKER_FILE = new URL(`./frame-encoder-worker${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url);

/**
 * The worker. Run from source (tests, benches through tsx), its TypeScript entry is loaded through
 * tsx's API: Node 20 does not apply the main thread's `--import tsx` loader hooks to workers.
 */
function spawnWorker(workerData: unknown): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_FILE, { workerData });
  const boot = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(WORKER_FILE.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { eval: true, workerData });
}

interface Pending {
  resolve(encoded: FrameWithPatches[]): void;
  reject(error: Error): void;
  timing?: EncodeTiming;
}

/**
 * When the worker's encoder gives patch grids too (createFrameEncoder with `withPatches`), so does
 * this one (`patchModel` set, encodeWithPatches): the main thread then only searches, matches and
 * re-ranks.
 */
export class WorkerFrameEncoder implements FrameEncoder {
  private readonly pending = new Map<number, Pending>();
  private nextRequest = 0;
  private stopped: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly id: string,
    readonly hash: string,
    readonly dim: number,
    readonly provider: string,
    /** The patch model the worker's grids reproduce; undefined when it gives none. */
    readonly patchModel: PatchModelIdentity | undefined,
  ) {
    worker.on('message', (reply: WorkerReply) => this.answer(reply));
    worker.on('error', (e) => this.stop(new ModelError(`frame encoder worker failed: ${e.message}`)));
    worker.on('exit', (code) => this.stop(new ModelError(`frame encoder worker exited (code ${code})`)));
    worker.unref(); // only pending requests keep the process alive (see encode)
  }

  /** Starts a worker and creates the encoder `config` describes in it (as createFrameEncoder would). */
  static async start(config: FrameEncoderConfig, context: EncoderContext = {}): Promise<WorkerFrameEncoder> {
    const worker = spawnWorker({ config, baseDir: context.baseDir, withPatches: context.withPatches });
    let onMessage!: (reply: WorkerReply) => void;
    let onError!: (e: Error) => void;
    let onExit!: (code: number) => void;
    const ready = await new Promise<WorkerReply>((resolve, reject) => {
      onMessage = resolve;
      onError = reject;
      onExit = (code) => reject(new ModelError(`frame encoder worker exited (code ${code}) before it was ready`));
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    }).finally(() => {
      // Only these: removeAllListeners would also drop the worker's own port referencing.
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    });
    if (ready.type !== 'ready') {
      await worker.terminate();
      throw ready.type === 'not-started' ? deserializeError(ready.error) : new ModelError(`frame encoder worker said ${ready.type} first`);
    }
    for (const w of ready.warnings) (context.warn ?? console.warn)(w);
    return new WorkerFrameEncoder(worker, ready.id, ready.hash, ready.dim, ready.provider, ready.patchModel);
  }

  async encode(images: readonly ImageSource[], timing?: EncodeTiming): Promise<Float32Array[]> {
    return (await this.request(images, false, timing)).map((r) => r.descriptor);
  }

  /** Descriptors and patch grids from one run in the worker (only when `patchModel` is set). */
  encodeWithPatches(images: readonly ImageSource[], timing?: EncodeTiming): Promise<FrameWithPatches[]> {
    if (!this.patchModel) return Promise.reject(new ModelError('internal: this worker\'s encoder gives no patch grids'));
    return this.request(images, true, timing);
  }

  private request(images: readonly ImageSource[], withPatches: boolean, timing?: EncodeTiming): Promise<FrameWithPatches[]> {
    if (this.stopped) return Promise.reject(this.stopped);
    const requestId = this.nextRequest++;
    const detached = images.map(detachedImage);
    const request: WorkerRequest = { type: 'encode', requestId, images: detached, withPatches };
    // The copies are ours alone: move them to the worker instead of cloning them once more.
    const transfer = detached.flatMap((image) => (image.kind === 'file' ? [] : [image.data.buffer as ArrayBuffer]));
    return new Promise<FrameWithPatches[]>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject, timing });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage(request, transfer);
    });
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
    this.worker.ref();
    await exited;
  }

  private answer(reply: WorkerReply): void {
    if (reply.type !== 'encoded' && reply.type !== 'failed') return;
    const request = this.pending.get(reply.requestId);
    if (!request) return;
    this.settled(reply.requestId);
    for (const key of ['decode', 'preprocess'] as const) {
      if (reply.timing[key] !== undefined) addTime(request.timing, key, reply.timing[key]!);
    }
    if (reply.type === 'encoded') request.resolve(reply.descriptors.map((descriptor, i) => ({ descriptor, patches: reply.patches?.[i] ?? undefined })));
    else request.reject(deserializeError(reply.error));
  }

  private settled(requestId: number): void {
    this.pending.delete(requestId);
    if (this.pending.size === 0) this.worker.unref();
  }

  /** The worker is gone (closed, crashed): every waiting request fails, and later ones too. */
  private stop(error: ModelError): void {
    this.stopped ??= error;
    for (const [requestId, request] of this.pending) {
      this.settled(requestId);
      request.reject(error);
    }
  }
}
