// The two ways frames reach the recogniser. Live sources (a camera topic) push: the newest frame
// wins and drops are counted, and one frame is in flight at most. Recorded sources (folders, bags)
// are pulled, so nothing is ever dropped; a bounded number of frames is read and encoded ahead.
import type { Observable } from 'rxjs';
import type { Frame } from '../core/types.js';
import { processNewest, type DropCounter } from './overload.js';
import { pullAhead } from './pull-ahead.js';
import type { EncodedFrame, FrameResult } from './recognizer.js';

/** What the live policy runs on each frame: a recogniser, or the ROS node's live session. */
export interface FrameProcessor<F, R> {
  process(frame: F): Promise<R>;
}

/**
 * Live: frames arriving faster than they are processed replace the waiting one (counted). The
 * processor is the recogniser for replays and benches; the node passes its live session, so both
 * run through this one operator.
 */
export function recognizeLive<F = Frame, R = FrameResult>(
  frames$: Observable<F>,
  recognizer: FrameProcessor<F, R>,
  drops: DropCounter = { dropped: 0 },
  onDrop?: (frame: F) => void,
): Observable<R> {
  return frames$.pipe(processNewest((frame: F) => recognizer.process(frame), drops, onDrop));
}

/**
 * What a recorded run drives: the stateless half (encodeFrame: depends on the frame alone, so it
 * may run ahead) and the stateful half (processEncoded: in frame order). The recogniser, or the
 * live mapper of `seqvpr loops`.
 */
export interface RecordedProcessor<R> {
  encodeFrame(frame: Frame): Promise<EncodedFrame>;
  processEncoded(frame: Frame, encoded: EncodedFrame): Promise<R>;
}

/** Frames a recorded run encodes ahead: enough to keep sharp's pool and the encoder busy. */
export const RECORDED_LOOKAHEAD = 4;

/**
 * Recorded: every frame is processed, in order. With `lookahead` 1 the next frame is read only when
 * the last is done; above 1, the next frames are read and encoded ahead while the current one is
 * matched (pull-ahead.ts), which gives the same results on both cores.
 */
export function recognizeRecorded<R = FrameResult>(frames: AsyncIterable<Frame>, recognizer: RecordedProcessor<R>, lookahead = 1): Observable<R> {
  return pullAhead(frames, (frame) => recognizer.encodeFrame(frame), (frame, encoded) => recognizer.processEncoded(frame, encoded), lookahead);
}
