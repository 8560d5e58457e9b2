// The `seqvpr` command line.
import { Command } from 'commander';
import { registerBag } from './commands/bag.js';
import { registerDemo } from './commands/demo.js';
import { registerEval } from './commands/eval.js';
import { registerReplay } from './commands/replay.js';
import { registerExport } from './commands/export.js';
import { registerExtract } from './commands/extract.js';
import { registerLoops } from './commands/loops.js';
import { registerMapBuild } from './commands/map-build.js';
import { registerMapMerge } from './commands/map-merge.js';
import { registerPca } from './commands/pca.js';
import { registerTrain } from './commands/train.js';
import { setDebug } from './run-command.js';

export function buildProgram(): Command {
  const program = new Command('seqvpr')
    .description('sequence-based visual place recognition for ROS 2: maps, evaluation, bags, loop closures')
    .option('--debug', 'print stack traces for errors')
    // Commander's own errors (a bad option value, a missing option) read like every seqvpr error;
    // the sub-commands registered below inherit this.
    .configureOutput({ outputError: (message, write) => write(`seqvpr: ${message.replace(/^error: /, '')}`) })
    .hook('preAction', (cmd) => setDebug(Boolean(cmd.opts().debug)));
  registerMapBuild(program);
  registerMapMerge(program);
  registerEval(program);
  registerReplay(program);
  registerLoops(program);
  registerBag(program);
  registerDemo(program);
  registerExtract(program);
  registerPca(program);
  registerTrain(program);
  registerExport(program);
  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  await buildProgram().parseAsync(argv);
  return Number(process.exitCode ?? 0);
}

// Allow `tsx src/cli/main.ts ...` during development.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await main(process.argv);
}
