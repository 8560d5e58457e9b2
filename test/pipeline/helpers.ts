// Controllable promises and a microtask flush for the stream tests: the test decides when work
// finishes, so ordering is checked without timers.
import { setImmediate as nextMacrotask } from 'node:timers/promises';

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
