// Every sub-command runs through here: expected failures (typed SeqvprError, and operating-system
// errors such as a missing permission or a full disk) print one line and exit 1; anything else is a
// bug and prints its stack. --debug prints stacks always.
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
      if ((e instanceof SeqvprError || isSystemError(e)) && !debugMode) {
        process.stderr.write(`seqvpr: ${oneLine(e.message)}\n`);
        return;
      }
      process.stderr.write(`seqvpr: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    }
  };
}

/**
 * An error the operating system reported for a file or socket call (EACCES, ENOSPC, EEXIST,
 * ENOTDIR, ...): the user's environment, not a bug. Node's message already names the code, the
 * call and the path, e.g. "EACCES: permission denied, mkdir '/maps/x'".
 */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException & { message: string } {
  if (!(e instanceof Error)) return false;
  const { code, syscall } = e as NodeJS.ErrnoException;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && typeof syscall === 'string';
}

/** Messages are printed as one line: a multi-line message (e.g. from a library) is joined. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/** A warning line on stderr (used for provider fallbacks and skipped frames). */
export function warn(message: string): void {
  process.stderr.write(`seqvpr: warning: ${oneLine(message)}\n`);
}
