// Back-pressure for recorded sources that keeps both cores busy. A recorded source (folder, bag)
// already holds its next frames, so the stateless first half of the work (`prepare`: decode and
// encode, whose native work runs off the JS thread in sharp's pool or the encoder worker) starts
// for up to `lookahead` frames ahead, while the stateful second half (`finish`: matching) runs on
// the current frame. `finish` sees the values strictly in source order, one at a time, so the
// results do not depend on `lookahead`; only the timing does (with lookahead 1 the next value is
// read only when the last is finished). Memory stays bounded: at most `lookahead` values are read
// and not yet finished.
import { Observable } from 'rxjs';
import { ConfigError } from '../core/errors.js';

type Entry<T, P> =
  | { value: T; prepared: Promise<{ ok: true; value: P } | { ok: false; error: unknown }> }
  /** The source failed after the values before it: the error comes in its place in the order. */
  | { sourceError: unknown };

export function pullAhead<T, P, R>(
  source: AsyncIterable<T>,
  prepare: (value: T) => Promise<P>,
  finish: (value: T, prepared: P) => Promise<R>,
  lookahead: number,
): Observable<R> {
  if (!Number.isInteger(lookahead) || lookahead < 1) throw new ConfigError(`lookahead must be a whole number >= 1, got ${lookahead}`);
  return new Observable<R>((subscriber) => {
    let cancelled = false;
    const iterator = source[Symbol.asyncIterator]();
    const queue: Entry<T, P>[] = [];
    let sourceDone = false;
    /** Values read and not finished yet (queued, or the one being finished). */
    let unfinished = 0;
    let reading: Promise<void> | null = null;

    // Reads until `lookahead` values are queued. Runs beside `finish`; one reader at a time.
    const readLoop = async (): Promise<void> => {
      while (!sourceDone && !cancelled && unfinished < lookahead) {
        let step: IteratorResult<T>;
        try {
          step = await iterator.next();
        } catch (sourceError) {
          queue.push({ sourceError });
          sourceDone = true;
          return;
        }
        if (step.done) {
          sourceDone = true;
          return;
        }
        // Settled at once, so a value that fails ahead of its turn is no unhandled rejection.
        const prepared = new Promise<P>((resolve) => resolve(prepare(step.value))).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        unfinished++;
        queue.push({ value: step.value, prepared });
      }
    };
    const read = (): Promise<void> => (reading ??= readLoop().finally(() => (reading = null)));

    (async () => {
      try {
        while (!cancelled) {
          if (queue.length === 0) {
            if (sourceDone) break;
            await read();
            continue;
          }
          const head = queue.shift()!;
          if ('sourceError' in head) throw head.sourceError;
          const prepared = await head.prepared;
          if (cancelled) break; // nobody listens any more: no new work
          if (!prepared.ok) throw prepared.error;
          const result = await finish(head.value, prepared.value);
          unfinished--;
          void read(); // a slot is free: read the next value while this result is delivered
          if (cancelled) break;
          subscriber.next(result);
        }
        if (!cancelled) subscriber.complete();
      } catch (err) {
        subscriber.error(err);
      } finally {
        if (cancelled) {
          await reading;
          await iterator.return?.();
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  });
}
