// Replays recorded frames on their own clock (scaled by `rate`), pushing each when it is due
// whether or not the previous one was processed: what a live camera does to the pipeline. Frames
// are read from the source only as they fall due, so memory stays flat for any recording length.
import { Observable } from 'rxjs';
import type { Frame } from '../core/types.js';

export function pacedFrames(frames: AsyncIterable<Frame>, rate: number): Observable<Frame> {
  return new Observable<Frame>((subscriber) => {
    let cancelled = false;
    (async () => {
      let firstStamp: bigint | undefined;
      const start = performance.now();
      for await (const frame of frames) {
        if (cancelled) return;
        firstStamp ??= frame.stamp;
        const dueMs = Number(frame.stamp - firstStamp) / 1e6 / rate;
        const waitMs = start + dueMs - performance.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        if (cancelled) return;
        subscriber.next(frame);
      }
      subscriber.complete();
    })().catch((err) => subscriber.error(err));
    return () => {
      cancelled = true;
    };
  });
}
