// Runs query frames through the live recogniser (frames matched one at a time, in order, exactly
// as the node does; recorded runs encode the next frames ahead) and collects what the metrics and
// the report need.
import { lastValueFrom, tap } from 'rxjs';
import { performance } from 'node:perf_hooks';
import type { Frame, Pose } from '../core/types.js';
import { dot } from '../core/vector.js';
import type { DescriptorMatrix } from '../core/matrix.js';
import { pacedFrames } from '../pipeline/pace.js';
import { RECORDED_LOOKAHEAD, recognizeLive, recognizeRecorded } from '../pipeline/stream.js';
import type { FrameResult, PlaceRecognizer } from '../pipeline/recognizer.js';
import { StageTimer } from '../pipeline/timing.js';
import type { QueryRecord } from './metrics.js';

export interface EvaluationRun {
  records: QueryRecord[];
  /** Per query, the full column of distances to the map (for the report), when kept. */
  columns: (Float32Array | null)[];
  stageTimer: StageTimer;
  skipped: { queryIndex: number; reason: string; message: string }[];
  /** Frames dropped by the overload policy (rate-paced replays only). */
  dropped: number;
  /** Query index -> pose, for pose ground truth. */
  queryPoses: Map<number, Pose>;
  /** Query index -> image path, for thumbnails. */
  queryImages: Map<number, string>;
  wallTimeMs: number;
}

export interface EvaluateOptions {
  /** Keep full distance columns for the report's difference matrix (memory: map size x queries floats). */
  keepColumns: boolean;
  /**
   * Replay on the recorded clock at this speed-up, with the live overload policy (frames that
   * arrive while one is processed may be dropped; a dropped query counts as unanswered).
   * Undefined: every frame is processed, as fast as possible.
   */
  rate?: number;
  onResult?: (result: FrameResult) => void;
  /**
   * Recorded runs (no `rate`): frames read and encoded ahead of the one being matched (1 = one
   * frame at a time; the results are the same either way). Default RECORDED_LOOKAHEAD.
   */
  lookahead?: number;
}

export async function evaluate(
  frames: AsyncIterable<Frame>,
  recognizer: PlaceRecognizer,
  options: EvaluateOptions,
): Promise<EvaluationRun> {
  const run: EvaluationRun = {
    records: [],
    columns: [],
    stageTimer: new StageTimer(),
    skipped: [],
    dropped: 0,
    queryPoses: new Map(),
    queryImages: new Map(),
    wallTimeMs: 0,
  };
  const mapDescriptors = recognizer.map.frameDescriptors;
  const start = performance.now();
  const noted = rememberFrames(frames, run);
  const drops = { dropped: 0 };
  const unanswered = (frame: Frame) => {
    run.records.push({ queryIndex: frame.index, ranked: [], predicted: null, confidence: 0 });
    run.columns.push(null);
  };
  const results =
    options.rate === undefined
      ? recognizeRecorded(noted, recognizer, options.lookahead ?? RECORDED_LOOKAHEAD)
      : recognizeLive(pacedFrames(noted, options.rate), recognizer, drops, unanswered);
  const results$ = results.pipe(
    tap((result) => {
      run.stageTimer.record(result.times);
      if (result.kind !== 'match') {
        if (result.kind === 'skipped') {
          run.skipped.push({ queryIndex: result.frame.index, reason: result.reason, message: result.error.message });
        }
        run.records.push({ queryIndex: result.frame.index, ranked: [], predicted: null, confidence: 0 });
        run.columns.push(null);
      } else {
        const { match } = result;
        run.records.push({
          queryIndex: match.queryIndex,
          ranked: match.candidates.map((c) => c.mapIndex),
          predicted: match.mapIndex,
          confidence: match.confidence,
          latencyMs: result.times.total,
          ...(match.held && { held: true }),
        });
        // Outside the timed stages: the report's full column is not part of the pipeline's work.
        run.columns.push(options.keepColumns ? distanceColumn(mapDescriptors, result.descriptor) : null);
      }
      options.onResult?.(result);
    }),
  );
  await lastValueFrom(results$, { defaultValue: undefined });
  run.wallTimeMs = performance.now() - start;
  run.dropped = drops.dropped;
  return run;
}

/** Passes frames through, noting image files (report thumbnails) and poses (pose ground truth). */
async function* rememberFrames(frames: AsyncIterable<Frame>, run: EvaluationRun): AsyncGenerator<Frame> {
  for await (const frame of frames) {
    if (frame.image.kind === 'file') run.queryImages.set(frame.index, frame.image.path);
    if (frame.pose) run.queryPoses.set(frame.index, frame.pose);
    yield frame;
  }
}

function distanceColumn(map: DescriptorMatrix, query: Float32Array): Float32Array {
  const column = new Float32Array(map.rows);
  for (let r = 0; r < map.rows; r++) column[r] = 1 - dot(map.data, query, map.dim, r * map.dim, 0);
  return column;
}

/** Adds queries the source skipped as unanswered records, keeping records in query order. */
export function addUnanswered(run: EvaluationRun, skipped: readonly EvaluationRun['skipped'][number][]): void {
  if (skipped.length === 0) return;
  run.skipped.push(...skipped);
  run.skipped.sort((a, b) => a.queryIndex - b.queryIndex);
  const rows = run.records.map((record, i) => ({ record, column: run.columns[i] ?? null }));
  for (const s of skipped) rows.push({ record: { queryIndex: s.queryIndex, ranked: [], predicted: null, confidence: 0 }, column: null });
  rows.sort((a, b) => a.record.queryIndex - b.record.queryIndex);
  run.records = rows.map((r) => r.record);
  run.columns = rows.map((r) => r.column);
}
