// The command-line options of the training commands that learn from two traversals: the ground
// truth and how the validation frames are held out (src/train/seqnet/run.ts, splitTrainVal).
import type { Command } from 'commander';
import { parseRange } from '../train/extract.js';
import type { ValidationSplitOptions } from '../train/seqnet/run.js';
import { numberOption } from './number-option.js';

export interface SplitArgs {
  gt: string;
  valFraction?: number;
  valDb?: string;
  valQuery?: string;
  valGt?: string;
  rows?: string;
}

/** Adds --gt and the validation options; `what` names the files (descriptors, patch cells). */
export function splitOptions(command: Command, what: string): Command {
  return command
    .requiredOption('--gt <spec>', 'ground truth: aligned:TOL, pose:M / pose2d:M (poses from the sidecars) or a CSV (query,positives)')
    .option('--val-fraction <f>', 'hold out the last F of the frames for validation (default 0.2)', numberOption({ above: 0, max: 0.9 }))
    .option('--val-db <file.npy>', `validation map-side ${what} (instead of --val-fraction)`)
    .option('--val-query <file.npy>', `validation query ${what}`)
    .option('--val-gt <spec>', 'ground truth of the validation files (default: --gt when it is aligned/pose)')
    .option('--rows <start:end>', 'use only frames start..end-1 (training and held-out validation)');
}

/** The parsed options as the trainers take them. */
export function validationSplit(o: SplitArgs): ValidationSplitOptions {
  return { gt: o.gt, valFraction: o.valFraction, valDb: o.valDb, valQuery: o.valQuery, valGt: o.valGt, rows: o.rows ? parseRange(o.rows, '--rows') : undefined };
}
