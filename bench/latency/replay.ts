// Replay throughput: a bag streamed through the library path of `seqvpr replay --rate max` (bag
// reader -> CDR decoding -> recogniser, every frame, evaluate()), timed from the first frame read
// to the last result; map and model loading are not included. `lookahead` 1 is the one-frame-at-a-
// time run; above 1, the next frames are encoded ahead (as `seqvpr replay` does).
import { isDeepStrictEqual } from 'node:util';
import type { Frame } from '../../src/core/types.js';
import { evaluate, type EvaluationRun } from '../../src/eval/evaluate.js';
import type { PlaceRecognizer } from '../../src/pipeline/recognizer.js';
import { bagFrames } from '../../src/sources/bag.js';

export interface ReplayResult {
  frames: number;
  /** Recorded rate of the image topic, from its stamps. */
  bagHz: number;
  wallSeconds: number;
  framesPerSecond: number;
  /** framesPerSecond / bagHz: how many times faster than the recording. */
  realTime: number;
  /** p50 / p95 of the recogniser's own time per frame, ms. */
  processP50: number;
  processP95: number;
  /** Share of the wall time spent inside the recogniser (the rest: bag reading, decoding CDR, the stream). */
  processShare: number;
  /**
   * CPU time of the whole process (every thread: main, encoder worker, sharp's pool) per frame, ms.
   * What the cores must supply per frame, whatever else shares the machine; 2000 / this is the most
   * frames per second two cores can give.
   */
  cpuMsPerFrame: number;
  /** The kernel's part of cpuMsPerFrame (system time: page faults, thread wake-ups, memory mapping), ms. */
  systemCpuMsPerFrame: number;
  recallAt1: number | null;
  lookahead: number;
  /** Per query: ranked candidates, answer and confidence (to check that modes agree exactly). */
  answers: unknown[];
}

/** True when two replays of the same bag gave exactly the same answers and confidences. */
export function sameAnswers(a: ReplayResult, b: ReplayResult): boolean {
  return isDeepStrictEqual(a.answers, b.answers);
}

async function* firstFrames(frames: AsyncIterable<Frame>, n: number, stamps: bigint[]): AsyncGenerator<Frame> {
  for await (const f of frames) {
    if (stamps.length >= n) return;
    stamps.push(f.stamp);
    yield f;
  }
}

export async function replayThroughput(
  bag: string,
  imageTopic: string,
  recognizer: PlaceRecognizer,
  options: {
    limit: number;
    /** Frames encoded ahead (1: one frame at a time). */
    lookahead: number;
    poseTopic?: string;
    /** Whether the answer for a query is right (recall sanity check). */
    isCorrect?: (queryIndex: number, mapIndex: number, run: EvaluationRun) => boolean;
  },
): Promise<ReplayResult> {
  const stamps: bigint[] = [];
  const frames = firstFrames(bagFrames(bag, { imageTopic, poseTopic: options.poseTopic, warn: () => {} }), options.limit, stamps);
  const cpuBefore = process.cpuUsage();
  const run = await evaluate(frames, recognizer, { keepColumns: false, lookahead: options.lookahead });
  const cpu = process.cpuUsage(cpuBefore);
  const n = run.records.length;
  const bagHz = (stamps.length - 1) / (Number(stamps.at(-1)! - stamps[0]) / 1e9);
  const wallSeconds = run.wallTimeMs / 1000;
  const total = run.stageTimer.histograms.get('total')!;
  const answered = run.records.filter((r) => r.predicted !== null);
  const correct = options.isCorrect ? answered.filter((r) => options.isCorrect!(r.queryIndex, r.predicted!, run)).length : 0;
  return {
    frames: n,
    bagHz,
    wallSeconds,
    framesPerSecond: n / wallSeconds,
    realTime: n / wallSeconds / bagHz,
    processP50: total.quantile(0.5),
    processP95: total.quantile(0.95),
    processShare: total.sum / run.wallTimeMs,
    cpuMsPerFrame: (cpu.user + cpu.system) / 1000 / n,
    systemCpuMsPerFrame: cpu.system / 1000 / n,
    recallAt1: options.isCorrect && answered.length ? correct / answered.length : null,
    lookahead: options.lookahead,
    answers: run.records.map(({ latencyMs: _, ...answer }) => answer),
  };
}
