// One live-mapping run over recorded frames: the map grows frame by frame, loop closures are
// collected, and (with poses) scored against ground truth.
import type { SeqvprError } from '../core/errors.js';
import type { Frame } from '../core/types.js';
import { PlaceMap } from '../map/place-map.js';
import type { Frontend } from '../pipeline/assemble.js';
import { hnswParams } from '../pipeline/config.js';
import { StageTimer } from '../pipeline/timing.js';
import { LiveMapper, type LoopClosure, type LoopConfig } from './live-mapper.js';
import { scoreLoops, type LoopScores } from './loop-eval.js';

export interface LoopRun {
  map: PlaceMap;
  loops: LoopClosure[];
  /** Per keyframe, how many earlier keyframes it could match. */
  searchableBefore: number[];
  skipped: number;
  stageTimer: StageTimer;
  /** With poses on every keyframe: precision / recall against them. */
  scores: LoopScores | null;
}

export interface RunLoopsOptions {
  source: string;
  /** Ground-truth distance for scoring (metres); scoring needs poses. */
  toleranceM: number;
  onFrame?: (done: number) => void;
  onSkip?: (frame: Frame, error: SeqvprError) => void;
}

export async function runLoops(frames: AsyncIterable<Frame>, frontend: Frontend, config: LoopConfig, options: RunLoopsOptions): Promise<LoopRun> {
  const map = PlaceMap.create({
    encoder: frontend.identity.encoder,
    sequence: frontend.identity.sequence,
    hnsw: hnswParams(frontend.config),
    source: options.source,
    patches: frontend.identity.patches ?? undefined,
  });
  const mapper = new LiveMapper(frontend, map, config);
  const run: LoopRun = { map, loops: [], searchableBefore: [], skipped: 0, stageTimer: new StageTimer(), scores: null };
  let done = 0;
  for await (const frame of frames) {
    const step = await mapper.process(frame);
    run.stageTimer.record(step.result.times);
    if (step.result.kind === 'skipped') {
      run.skipped++;
      options.onSkip?.(frame, step.result.error);
    } else {
      run.searchableBefore.push(step.searchable);
    }
    if (step.loop) run.loops.push(step.loop);
    options.onFrame?.(++done);
  }
  if (map.hasPoses) run.scores = scoreLoops(run.loops, map.frames, run.searchableBefore, options.toleranceM);
  return run;
}
