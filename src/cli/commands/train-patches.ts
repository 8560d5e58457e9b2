// `seqvpr train patches`: learn the projection inside the built-in patch model (the re-ranker's
// local features) from two traversals of a route, and write that patch model plus a pipeline.yaml
// with re-ranking that uses it.
import type { Command } from 'commander';
import { PATCH_TRAIN_DEFAULTS, runPatchTraining } from '../../train/patches.js';
import { runCommand } from '../run-command.js';
import { nonNegativeInteger, numberListOption } from '../number-option.js';
import { splitOptions, validationSplit, type SplitArgs } from '../split-options.js';

interface TrainPatchesArgs extends SplitArgs {
  db: string;
  query: string;
  config?: string;
  out: string;
  cellDims: number[];
  shrinkage: number[];
  seed: number;
}

export function registerTrainPatches(train: Command): void {
  const command = train
    .command('patches')
    .description("learn the re-ranker's patch projection (closed form, per cell) from two traversals and write a patch model + pipeline.yaml")
    .requiredOption('--db <file.npy>', 'map-side patch cells (seqvpr extract --config config/patch-cells.yaml)')
    .requiredOption('--query <file.npy>', 'query-side patch cells of another traversal of the same route');
  splitOptions(command, 'patch cells')
    .option('--config <file>', 'the pipeline with re-ranking that gets the learned patch model (default: config/default.yaml)')
    .requiredOption('--out <dir>', 'folder for the patch model, pipeline.yaml and training.json')
    .option('--cell-dims <list>', 'candidate output sizes per cell, chosen on validation', numberListOption({ integer: true, min: 1 }), [...PATCH_TRAIN_DEFAULTS.cellDims])
    .option('--shrinkage <list>', 'candidate shrinkages of the within-place scatter (fraction of its mean eigenvalue)', numberListOption({ above: 0 }), [...PATCH_TRAIN_DEFAULTS.regularizations])
    .option('--seed <n>', 'random seed', nonNegativeInteger, 123)
    .addHelpText(
      'after',
      '\nExample (a day map and a night run of one route, with odometry):\n' +
        '  seqvpr extract --bag day --config config/patch-cells.yaml --out out/cells/day.npy\n' +
        '  seqvpr extract --bag night --config config/patch-cells.yaml --out out/cells/night.npy\n' +
        '  seqvpr train patches --db out/cells/day.npy --query out/cells/night.npy --gt pose2d:3 --out out/patches\n' +
        '  seqvpr map build --bag day --config out/patches/pipeline.yaml --out MAP_DIR',
    )
    .action(
      runCommand(async (o: TrainPatchesArgs) => {
        const started = performance.now();
        const result = await runPatchTraining({
          ...validationSplit(o),
          db: o.db,
          query: o.query,
          config: o.config,
          out: o.out,
          cellDims: o.cellDims,
          regularizations: o.shrinkage,
          seed: o.seed,
          log: (m) => process.stderr.write(`${m}\n`),
        });
        const { chosen } = result;
        process.stdout.write(
          `validation R@1 (frames, patch grids): fixed projection ${result.baseline.r1.toFixed(3)}, learned ${chosen.val.r1.toFixed(3)} ` +
            `(${chosen.cellDim} per cell, shrinkage ${chosen.regularization}); ${((performance.now() - started) / 1000).toFixed(0)} s\n` +
            `patch model: ${result.manifestPath}\nconfig: ${result.configPath} (build maps with it; use it with --config for eval, replay and the node)\n`,
        );
      }),
    );
}
