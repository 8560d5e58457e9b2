// `seqvpr replay`: a recorded query run (bag or folder) streamed through the live pipeline against
// a saved map, measured like `seqvpr eval` (which it runs with a source, a rate and a results bag).
import type { Command } from 'commander';
import type { FrameSourceArgs } from '../../sources/open-source.js';
import { numberOrWordOption } from '../number-option.js';
import { runCommand } from '../run-command.js';
import { frameSourceOptions } from '../source-options.js';
import { printSummary, runEval } from './eval.js';

export function registerReplay(program: Command): void {
  const replay = program
    .command('replay')
    .description('stream a recorded query run (bag or folder) through the live pipeline against a saved map, and measure it');
  frameSourceOptions(replay)
    .requiredOption('--map <dir>', 'a saved map directory (seqvpr map build), or an image folder')
    .requiredOption('--gt <spec>', 'ground truth: pose:METRES (from the bags\' poses), aligned:TOL or a CSV file')
    .requiredOption('--out <dir>', 'output folder')
    .option('--config <file>', 'pipeline config YAML (default: config/default.yaml)')
    .option('--rate <x>', 'replay at X times the recorded speed with the live drop policy, or "max" (every frame, as fast as possible)', numberOrWordOption('max', { above: 0 }), 'max' as const)
    .option('--results-bag <dir>', 'also write the place matches as seqvpr/msg/PlaceMatch messages into an MCAP bag')
    .addHelpText(
      'after',
      '\nExample:\n  seqvpr replay --map maps/run1 --bag run2 --image-topic /camera/image_raw/compressed --pose-topic /odom --gt pose:5 --out out/run2',
    )
    .action(
      runCommand(async (a: FrameSourceArgs & { map: string; gt: string; out: string; config?: string; rate: number | 'max'; resultsBag?: string }) => {
        const rate = a.rate === 'max' ? undefined : a.rate;
        printSummary(await runEval({ map: a.map, query: a, gt: a.gt, out: a.out, config: a.config, rate, resultsBag: a.resultsBag }), a.out);
      }),
    );
}
