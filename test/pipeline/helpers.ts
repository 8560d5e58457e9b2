// Controllable promises and a microtask flush for the stream tests: the test decides when work
// finishes, so ordering is checked without timers.
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { Observable, Subscription } from 'rxjs';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (a macrotask comes after all queued microtasks). */
export async function settle(): Promise<void> {
  await nextMacrotask();
}

/** An async generator over `values` that logs each pull and whether it was closed early. */
export function loggingSource(values: number[], log: string[], gate?: (i: number) => Promise<void>): AsyncIterable<number> {
  return (async function* () {
    try {
      for (let i = 0; i < values.length; i++) {
        log.push(`pull ${values[i]}`);
        if (gate) await gate(i);
        yield values[i];
      }
    } finally {
      log.push('finally');
    }
  })();
}

/** A work function whose calls the test finishes one by one. */
export function controllableWork() {
  const calls: { value: number; done: Deferred<string> }[] = [];
  const work = (value: number): Promise<string> => {
    const done = deferred<string>();
    calls.push({ value, done });
    return done.promise;
  };
  return { calls, work };
}

/** Subscribes and records everything the stream says. */
export function record<T>(stream: Observable<T>) {
  const out = { values: [] as T[], errors: [] as unknown[], completed: false, subscription: undefined as unknown as Subscription };
  out.subscription = stream.subscribe({
    next: (v) => out.values.push(v),
    error: (e) => out.errors.push(e),
    complete: () => (out.completed = true),
  });
  return out;
}
