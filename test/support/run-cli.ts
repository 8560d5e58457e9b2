// The seqvpr command line run in-process, as bin/seqvpr.js runs it, with stdout and stderr captured
// and the exit code reset afterwards (so one failing run does not fail the test process).
import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stderr lines that are not warnings or the report path (the error, when the command failed). */
  errorLines: string[];
}

/** Runs `seqvpr ...args`. */
export async function runSeqvpr(...args: string[]): Promise<CliRun> {
  const program = buildProgram();
  // Sub-commands do not inherit an override set after they were added: set it on every command, so
  // commander's own exits (bad option values) become a CommanderError here instead of process.exit.
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  const out = { stdout: '', stderr: '' };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (key: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array) => {
      out[key] += chunk.toString();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    await program.parseAsync(['node', 'seqvpr', ...args]);
  } catch (e) {
    // exitOverride turns commander's own exits (bad option values, --help) into this error.
    if (!(e instanceof CommanderError)) throw e;
    process.exitCode = e.exitCode;
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  const errorLines = out.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('seqvpr: warning: ') && !l.startsWith('report: '));
  return { code, ...out, errorLines };
}
