// One live-mapping run over recorded frames: the map grows frame by frame, loop closures are
// collected, and (with poses) scored against ground truth.
import { lastValueFrom, tap } from 'rxjs';
import type { SeqvprError } from '../core/errors.js';
import type { Frame } from '../core/types.js';
import { PlaceMap } from '../map/place-map.js';
import type { Frontend } from '../pipeline/assemble.js';
import { hnswParams } from '../pipeline/config.js';
import type { FrameInfo } from '../pipeline/recognizer.js';
import { RECORDED_LOOKAHEAD, recognizeRecorded } from '../pipeline/stream.js';
import { StageTimer } from '../pipeline/timing.js';
import { LiveMapper, type LoopClosure, type LoopConfig } from './live-mapper.js';
import { scoreLoops, type LoopScores } from './loop-eval.js';
import { loopRelativePose } from './loop-pose.js';
import type { RelativePoseResult } from '../relpose/estimate.js';

export interface LoopRun {
  map: PlaceMap;
  loops: LoopClosure[];
  /** Per loop closure (same order): its relative pose and covariance from the run's odometry, or why there is none. */
  relativePoses: RelativePoseResult[];
  /** Per keyframe, how many earlier keyframes it could match. */
  searchableBefore: number[];
  skipped: number;
  /** Keyframes the motion gate kept out of the query window (answered with the window's last answer). */
  held: number;
  stageTimer: StageTimer;
  /** With poses on every keyframe: precision / recall against them. */
  scores: LoopScores | null;
  /** The exclusion window used. */
  config: LoopConfig;
}

export interface RunLoopsOptions {
  source: string;
  /** Ground-truth distance for scoring (metres); scoring needs poses. */
  toleranceM: number;
  onFrame?: (done: number) => void;
  onSkip?: (frame: FrameInfo, error: SeqvprError) => void;
  /** Frames encoded ahead of the one being matched (default RECORDED_LOOKAHEAD); results do not depend on it. */
  lookahead?: number;
  /** A saved map to continue: the run becomes a new session of it and closes loops with it too. */
  map?: PlaceMap;
}

export async function runLoops(frames: AsyncIterable<Frame>, frontend: Frontend, config: LoopConfig, options: RunLoopsOptions): Promise<LoopRun> {
  const map =
    options.map ??
    PlaceMap.create({
      encoder: frontend.identity.encoder,
      sequence: frontend.identity.sequence,
      hnsw: hnswParams(frontend.config),
      source: options.source,
      patches: frontend.identity.patches ?? undefined,
    });
  const loaded = map.size;
  const mapper = new LiveMapper(frontend, map, config, { sessionStart: loaded });
  // Loaded keyframes were never queries: nothing was searchable for them.
  const run: LoopRun = { map, loops: [], relativePoses: [], searchableBefore: new Array<number>(loaded).fill(0), skipped: 0, held: 0, stageTimer: new StageTimer(), scores: null, config };
  let done = 0;
  // The recorded-run operator eval uses: the next frames are encoded ahead, matched in order.
  const steps$ = recognizeRecorded(frames, mapper, options.lookahead ?? RECORDED_LOOKAHEAD).pipe(
    tap((step) => {
      run.stageTimer.record(step.result.times);
      if (step.result.kind === 'skipped') {
        run.skipped++;
        options.onSkip?.(step.result.frame, step.result.error);
      } else {
        run.searchableBefore.push(step.searchable);
        if (step.result.kind === 'match' && step.result.match.held) run.held++;
      }
      if (step.loop) run.loops.push(step.loop);
      options.onFrame?.(++done);
    }),
  );
  await lastValueFrom(steps$, { defaultValue: undefined });
  run.relativePoses = run.loops.map((loop) => loopRelativePose(map, loop));
  if (map.hasPoses) run.scores = scoreLoops(run.loops, map.frames, run.searchableBefore, options.toleranceM);
  return run;
}

/**
 * One line when no keyframe could be matched against anything (every earlier keyframe was inside
 * the exclusion window): 0 closures then says nothing about the run. null otherwise.
 */
export function nothingSearched(run: LoopRun): string | null {
  if (run.searchableBefore.length === 0 || run.searchableBefore.some((n) => n > 0) || run.map.sessionStarts.length > 1) return null;
  const { excludeFrames, excludeSeconds } = run.config;
  return (
    `nothing could be searched: for all ${run.searchableBefore.length} keyframes every earlier one was inside the exclusion window ` +
    `(last ${excludeFrames} keyframes / ${excludeSeconds} s); lower --exclude-frames or --exclude-seconds`
  );
}
