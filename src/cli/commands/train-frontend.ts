// `seqvpr train frontend`: learn a projection of a pipeline's frame descriptors from two traversals of
// a route (descriptor files, or image folders extracted first), and write the frame model with the
// projection inside plus a pipeline.yaml to pass with --config.
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { extractImageFolder } from '../../train/extract.js';
import { FRONTEND_DEFAULTS, runFrontendTraining } from '../../train/frontend/run.js';
import { runCommand } from '../run-command.js';
import { nonNegativeInteger, numberListOption, positiveInteger, positiveNumber } from '../number-option.js';
import { splitOptions, validationSplit, type SplitArgs } from '../split-options.js';

interface TrainFrontendArgs extends SplitArgs {
  db?: string;
  query?: string;
  dbImages?: string;
  queryImages?: string;
  config?: string;
  out: string;
  pcaDims: number;
  outDims: number[];
  shrinkage: number[];
  cellDims: number[];
  gridCells?: number;
  epochs: number;
  lr: number;
  batch: number;
  seed: number;
  negExclusion: number;
}

export function registerTrainFrontend(train: Command): void {
  const command = train
    .command('frontend')
    .description('learn a discriminative projection of the frame descriptors (closed form, then triplet training) and write a frontend + pipeline.yaml')
    .option('--db <file.npy>', 'map-side descriptors (seqvpr extract with --config)')
    .option('--query <file.npy>', 'query-side descriptors of another traversal of the same route')
    .option('--db-images <dir>', 'instead of --db: an image folder, extracted first into OUT/descriptors/')
    .option('--query-images <dir>', 'instead of --query: an image folder');
  splitOptions(command, 'descriptors')
    .option('--config <file>', 'the pipeline the descriptors come from and whose frame model gets the projection (default: config/default.yaml)')
    .requiredOption('--out <dir>', 'folder for the composed frame model, pipeline.yaml, training.json and training.svg')
    .option('--pca-dims <n>', 'PCA dimension the projection is fitted in', positiveInteger, FRONTEND_DEFAULTS.pcaDims)
    .option('--out-dims <list>', 'candidate output dimensions, chosen on validation', numberListOption({ integer: true, min: 1 }), [...FRONTEND_DEFAULTS.outputDims])
    .option('--shrinkage <list>', 'candidate shrinkages of the within-place scatter (fraction of its mean eigenvalue)', numberListOption({ above: 0 }), [...FRONTEND_DEFAULTS.regularizations])
    .option('--cell-dims <list>', 'candidate output sizes per cell of a per-cell projection (grid descriptors only), chosen on validation with the global candidates', numberListOption({ integer: true, min: 1 }), [...FRONTEND_DEFAULTS.cellDims])
    .option('--grid-cells <n>', 'cells of an onnx frontend\'s descriptor (channel-major), for per-cell candidates; the built-in CNN\'s 8x4 grid is known', positiveInteger)
    .option('--epochs <n>', 'triplet-loss epochs after the closed form (0 = closed form only)', nonNegativeInteger, FRONTEND_DEFAULTS.epochs)
    .option('--lr <x>', 'Adam learning rate', positiveNumber, FRONTEND_DEFAULTS.lr)
    .option('--batch <n>', 'triplets per optimiser step', positiveInteger, 16)
    .option('--seed <n>', 'random seed', nonNegativeInteger, 123)
    .option('--neg-exclusion <frames>', 'map frames within this many frames of a positive are never negatives', nonNegativeInteger, FRONTEND_DEFAULTS.negativeExclusion)
    .addHelpText(
      'after',
      '\nExamples:\n  seqvpr train frontend --db-images runs/day1 --query-images runs/day2 --gt aligned:1 --out out/frontend\n' +
        '  seqvpr train frontend --db out/a.npy --query out/b.npy --gt pairs.csv --out out/frontend\n' +
        '  seqvpr eval --map MAP_DIR --query QUERY_DIR --gt aligned:1 --config out/frontend/pipeline.yaml --out out/eval',
    )
    .action(
      runCommand(async (o: TrainFrontendArgs) => {
        const started = performance.now();
        const side = async (file: string | undefined, images: string | undefined, name: string): Promise<string> => {
          if (Boolean(file) === Boolean(images)) throw new ConfigError(`give either --${name} <file.npy> or --${name}-images <dir>`);
          if (file) return file;
          const out = path.join(o.out, 'descriptors', `${name}.npy`);
          const r = await extractImageFolder(o.config, images!, out);
          process.stderr.write(`extracted ${r.rows} ${name} descriptors from ${images} into ${out}\n`);
          return out;
        };
        const db = await side(o.db, o.dbImages, 'db');
        const query = await side(o.query, o.queryImages, 'query');
        const result = await runFrontendTraining({
          ...validationSplit(o),
          db,
          query,
          config: o.config,
          out: o.out,
          pcaDims: o.pcaDims,
          outputDims: o.outDims,
          regularizations: o.shrinkage,
          cellDims: o.cellDims,
          gridCells: o.gridCells,
          epochs: o.epochs,
          lr: o.lr,
          batchSize: o.batch,
          seed: o.seed,
          negativeExclusion: o.negExclusion,
          log: (m) => process.stderr.write(`${m}\n`),
          onEpoch: (r, best) =>
            process.stderr.write(
              `epoch ${String(r.epoch).padStart(3)}: loss ${r.loss.toFixed(4)}, val R@1 ${r.val.r1.toFixed(3)} R@5 ${r.val.r5.toFixed(3)}${best ? '  (best)' : ''}\n`,
            ),
        });
        const start = result.history[0].val;
        const best = result.history.find((r) => r.epoch === result.bestEpoch)!.val;
        const { chosen } = result;
        const gradient =
          chosen.kind === 'per-cell'
            ? 'not trained further (per-cell)'
            : `after training ${best.r1.toFixed(3)} (best epoch ${result.bestEpoch}${result.bestEpoch === 0 ? ': gradient steps did not improve the closed form' : ''})`;
        const shape = chosen.kind === 'per-cell' ? `per cell ${chosen.cellDim}-d, ${chosen.outputDim}-d in all` : `${chosen.outputDim}-d`;
        process.stdout.write(
          `validation R@1 (frames): untrained ${result.baseline.r1.toFixed(3)}, closed form ${start.r1.toFixed(3)}, ${gradient}; ` +
            `${shape}, shrinkage ${chosen.regularization}; ${((performance.now() - started) / 1000).toFixed(0)} s\n` +
            `frontend: ${result.manifestPath}\nconfig: ${result.configPath} (use it with --config for map build, eval, replay and the node)\n`,
        );
      }),
    );
}
