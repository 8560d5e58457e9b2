// A camera at a fixed rate, simulated on the wall clock: query frames (compressed image bytes, as a
// ROS topic delivers them) are pushed when due through the live path of the node (pacedFrames ->
// recognizeLive, i.e. the processNewest overload policy), whether or not the last one is done.
// Per-stage times come from the recogniser; end to end is measured from the moment the frame was
// due (the camera published it) to its result, so time spent waiting behind the previous frame counts.
import { defer, lastValueFrom, tap } from 'rxjs';
import { performance } from 'node:perf_hooks';
import type { Frame } from '../../src/core/types.js';
import { pacedFrames } from '../../src/pipeline/pace.js';
import type { PlaceRecognizer } from '../../src/pipeline/recognizer.js';
import { recognizeLive } from '../../src/pipeline/stream.js';
import { LatencyHistogram, StageTimer } from '../../src/pipeline/timing.js';

export interface LiveRunOptions {
  rateHz: number;
  /** Frames processed unpaced first (JIT, onnxruntime first runs), then the window is reset. */
  warmup: number;
  /** The right map row for a query index, when known (recall sanity check). */
  truth?: (queryIndex: number) => number;
}

export interface LiveRunResult {
  rateHz: number;
  frames: number;
  answered: number;
  dropped: number;
  stages: ReturnType<StageTimer['summary']>;
  endToEnd: ReturnType<LatencyHistogram['summary']>;
  /** Share of answered frames matched within 1 map row of the truth (null without truth). */
  recallAt1: number | null;
  wallSeconds: number;
  /** Process CPU time (all threads: main, libuv/sharp, onnxruntime) per camera frame, ms. */
  cpuMsPerFrame: number;
}

/** Frames at `rateHz` carrying the given encoded images (PNG/JPEG bytes). */
export function cameraFrames(images: readonly Uint8Array[], rateHz: number, format = 'png'): Frame[] {
  const periodNs = BigInt(Math.round(1e9 / rateHz));
  return images.map((data, index) => ({
    index,
    stamp: BigInt(index) * periodNs,
    frameId: 'camera',
    image: { kind: 'compressed', format, data },
  }));
}

async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

export async function liveRun(images: readonly Uint8Array[], recognizer: PlaceRecognizer, options: LiveRunOptions): Promise<LiveRunResult> {
  const frames = cameraFrames(images, options.rateHz);
  for (const f of frames.slice(0, options.warmup)) await recognizer.process(f);
  recognizer.reset();

  const timer = new StageTimer();
  const endToEnd = new LatencyHistogram();
  const periodMs = 1000 / options.rateHz;
  const drops = { dropped: 0 };
  let firstDue = 0;
  let answered = 0;
  let correct = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  // pacedFrames starts its clock when subscribed: frame i is due periodMs * i after that.
  const paced$ = defer(() => {
    firstDue = performance.now();
    return pacedFrames(iterate(frames), 1);
  });
  const results$ = recognizeLive(paced$, recognizer, drops).pipe(
    tap((r) => {
      endToEnd.add(performance.now() - (firstDue + r.frame.index * periodMs));
      timer.record(r.times);
      if (r.kind !== 'match') return;
      answered++;
      if (options.truth && Math.abs(r.match.mapIndex - options.truth(r.frame.index)) <= 1) correct++;
    }),
  );
  await lastValueFrom(results$, { defaultValue: undefined });
  const cpu = process.cpuUsage(cpu0);
  return {
    rateHz: options.rateHz,
    frames: frames.length,
    answered,
    dropped: drops.dropped,
    stages: timer.summary(),
    endToEnd: endToEnd.summary(),
    recallAt1: options.truth && answered ? correct / answered : null,
    wallSeconds: (performance.now() - start) / 1000,
    cpuMsPerFrame: (cpu.user + cpu.system) / 1000 / frames.length,
  };
}
