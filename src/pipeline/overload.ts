// Overload policy for live input: while a frame is being processed, newer frames wait in a single
// slot; a frame that arrives while the slot is taken replaces it and the replaced one is counted
// as dropped. So the pipeline always works on the newest frame and never holds more than one
// waiting frame, however fast the camera publishes.
import { Observable, type OperatorFunction } from 'rxjs';

export interface DropCounter {
  dropped: number;
}

/**
 * Like `concatMap(work)` but with a queue of one that keeps the newest value.
 * `counter.dropped` counts replaced values; `onDrop` sees each one (for logging or metrics).
 */
export function processNewest<T, R>(
  work: (value: T) => Promise<R>,
  counter: DropCounter = { dropped: 0 },
  onDrop?: (value: T) => void,
): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let busy = false;
      let pending: { value: T } | null = null;
      let sourceDone = false;

      const run = (value: T): void => {
        busy = true;
        work(value).then(
          (result) => {
            subscriber.next(result);
            busy = false;
            if (pending) {
              const next = pending.value;
              pending = null;
              run(next);
            } else if (sourceDone) {
              subscriber.complete();
            }
          },
          (err) => subscriber.error(err),
        );
      };

      const subscription = source.subscribe({
        next: (value) => {
          if (!busy) return run(value);
          if (pending) {
            counter.dropped++;
            onDrop?.(pending.value);
          }
          pending = { value };
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          if (!busy && !pending) subscriber.complete();
        },
      });
      return () => {
        pending = null; // nobody listens any more: the waiting value must not start new work
        subscription.unsubscribe();
      };
    });
}
