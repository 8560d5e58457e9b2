// Every sub-command runs through here: expected failures (typed SeqvprError) print one line and
// exit 1; anything else is a bug and prints its stack. --debug prints stacks always.
import { SeqvprError } from '../core/errors.js';

export let debugMode = false;

export function setDebug(on: boolean): void {
  debugMode = on;
}

export function runCommand<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (e) {
      process.exitCode = 1;
      if (e instanceof SeqvprError && !debugMode) {
        process.stderr.write(`seqvpr: ${e.message}\n`);
        return;
      }
      process.stderr.write(`seqvpr: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    }
  };
}

/** A warning line on stderr (used for provider fallbacks and skipped frames). */
export function warn(message: string): void {
  process.stderr.write(`seqvpr: warning: ${message}\n`);
}
