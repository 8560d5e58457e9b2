// The two ways frames reach the recogniser. Live sources (a camera topic) push: the newest frame
// wins and drops are counted. Recorded sources (folders, bags) are pulled one frame at a time, so
// nothing is ever dropped and nothing queues up. Either way, one frame is in flight at most.
import type { Observable } from 'rxjs';
import type { Frame } from '../core/types.js';
import { processNewest, pullThrough, type DropCounter } from './overload.js';
import type { FrameResult, PlaceRecognizer } from './recognizer.js';

/** Live: frames arriving faster than they are processed replace the waiting one (counted). */
export function recognizeLive(
  frames$: Observable<Frame>,
  recognizer: PlaceRecognizer,
  drops: DropCounter = { dropped: 0 },
  onDrop?: (frame: Frame) => void,
): Observable<FrameResult> {
  return frames$.pipe(processNewest((frame: Frame) => recognizer.process(frame), drops, onDrop));
}

/** Recorded: every frame is processed, in order, reading the next only when the last is done. */
export function recognizeRecorded(frames: AsyncIterable<Frame>, recognizer: PlaceRecognizer): Observable<FrameResult> {
  return pullThrough(frames, (frame) => recognizer.process(frame));
}
