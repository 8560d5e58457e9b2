// `seqvpr train seqnet`: train a SeqNet sequence descriptor on extracted frame descriptors.
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { ConfigError } from '../../core/errors.js';
import { parseRange } from '../../train/extract.js';
import { runSeqNetTraining } from '../../train/seqnet/run.js';
import { DEFAULT_TRAIN_CONFIG } from '../../train/seqnet/trainer.js';
import type { SeqNetInit } from '../../train/seqnet/model.js';
import { nonNegativeInteger, nonNegativeNumber, positiveInteger, positiveNumber } from '../number-option.js';
import { runCommand } from '../run-command.js';
import { registerTrainFrontend } from './train-frontend.js';
import { registerTrainPatches } from './train-patches.js';

interface TrainArgs {
  db: string;
  query: string;
  gt: string;
  seqLen: number;
  kernel: number;
  outDims: number;
  out: string;
  epochs: number;
  seed: number;
  valFraction?: number;
  valDb?: string;
  valQuery?: string;
  valGt?: string;
  rows?: string;
  optimizer: string;
  lr?: number;
  momentum: number;
  weightDecay?: number;
  lrStep: number;
  lrGamma: number;
  batch: number;
  init: string;
  negExclusion?: number;
  pca?: string;
}

export function registerTrain(program: Command): void {
  const train = program.command('train').description('train models on extracted descriptors');
  train
    .command('seqnet')
    .description('train a SeqNet sequence descriptor (temporal conv + mean + L2) with triplet loss and hard-negative mining')
    .requiredOption('--db <file.npy>', 'map-side descriptors (seqvpr extract)')
    .requiredOption('--query <file.npy>', 'query-side descriptors of another traversal of the same route')
    .requiredOption('--gt <spec>', 'ground truth: aligned:TOL, pose:M / pose2d:M (poses from the sidecars) or a CSV (query,positives or query,ref_positives)')
    .requiredOption('--seq-len <L>', 'window length (trailing windows: frames e-L+1..e)', positiveInteger)
    .requiredOption('--kernel <w>', 'temporal kernel of the convolution (<= L)', positiveInteger)
    .requiredOption('--out-dims <D>', 'sequence descriptor dimension', positiveInteger)
    .requiredOption('--out <dir>', 'training folder: best/ (checkpoint), history.json, training.svg')
    .option('--epochs <n>', 'epochs', nonNegativeInteger, DEFAULT_TRAIN_CONFIG.epochs)
    .option('--seed <n>', 'random seed (initialisation, sampling, order)', nonNegativeInteger, DEFAULT_TRAIN_CONFIG.seed)
    .option('--val-fraction <f>', 'hold out the last F of the frames (after a one-window gap) for validation; default 0.2', positiveNumber)
    .option('--val-db <file.npy>', 'validation DB descriptors (instead of --val-fraction)')
    .option('--val-query <file.npy>', 'validation query descriptors')
    .option('--val-gt <spec>', 'ground truth of the validation files (default: --gt when it is aligned/pose)')
    .option('--rows <start:end>', 'train on frames start..end-1 only (e.g. skip black frames at the start)')
    .option('--optimizer <adam|sgd>', 'adam (default) or sgd (SeqNet\'s default: momentum 0.9, weight decay 1e-3, StepLR)', 'adam')
    .option('--lr <x>', 'learning rate (default 1e-4 for both)', positiveNumber)
    .option('--momentum <x>', 'SGD momentum', nonNegativeNumber, 0.9)
    .option('--weight-decay <x>', 'L2 weight decay (default 0 for adam, 1e-3 for sgd)', nonNegativeNumber)
    .option('--lr-step <n>', 'SGD: multiply the lr by --lr-gamma every N epochs', positiveInteger, 50)
    .option('--lr-gamma <x>', 'SGD: lr factor every --lr-step epochs', positiveNumber, 0.5)
    .option('--batch <n>', 'triplets per optimiser step', positiveInteger, DEFAULT_TRAIN_CONFIG.batchSize)
    .option('--init <kind>', 'initial weights: random (PyTorch default), smoothing / delta (those fixed descriptors; --out-dims = input dim), or whitened-delta (delta taps on frames whitened by their within-place scatter over the training pairs)', 'random')
    .option('--neg-exclusion <frames>', 'DB windows ending within this many frames of a positive are never negatives (default L-1: no shared frame)', nonNegativeInteger)
    .option('--pca <dir>', 'record the PCA folder the descriptors were projected with (export then reminds you that the frontend needs it)')
    .addHelpText(
      'after',
      '\nExample:\n  seqvpr train seqnet --db out/summer-train.npy --query out/winter-train.npy --gt aligned:1 \\\n' +
        '      --val-db out/summer-val.npy --val-query out/winter-val.npy --seq-len 10 --kernel 5 --out-dims 256 --out out/seqnet',
    )
    .action(
      runCommand(async (o: TrainArgs) => {
        if (!['adam', 'sgd'].includes(o.optimizer)) throw new ConfigError(`--optimizer must be adam or sgd, got "${o.optimizer}"`);
        if (!['random', 'smoothing', 'delta', 'whitened-delta'].includes(o.init)) throw new ConfigError(`--init must be random, smoothing, delta or whitened-delta, got "${o.init}"`);
        const kind = o.optimizer as 'adam' | 'sgd';
        const epochs = o.epochs;
        const bar = process.stderr.isTTY
          ? new cliProgress.SingleBar({ format: 'epoch {epoch} [{bar}] {value}/{total} batches | {eta_formatted} left', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
          : undefined;
        let barEpoch = -1;
        const started = performance.now();
        try {
          const result = await runSeqNetTraining({
            db: o.db,
            query: o.query,
            gt: o.gt,
            valDb: o.valDb,
            valQuery: o.valQuery,
            valGt: o.valGt,
            valFraction: o.valFraction,
            rows: o.rows ? parseRange(o.rows, '--rows') : undefined,
            seqLength: o.seqLen,
            kernel: o.kernel,
            outputDim: o.outDims,
            negativeExclusion: o.negExclusion,
            pca: o.pca,
            out: o.out,
            train: {
              epochs,
              seed: o.seed,
              batchSize: o.batch,
              init: o.init as SeqNetInit,
              lrStep: o.lrStep,
              lrGamma: o.lrGamma,
              optimizer: {
                kind,
                lr: o.lr ?? 1e-4,
                momentum: o.momentum,
                weightDecay: o.weightDecay ?? (kind === 'sgd' ? 1e-3 : 0),
              },
            },
            onBatch: (epoch, done, total) => {
              if (!bar) return;
              if (epoch !== barEpoch) {
                if (barEpoch >= 0) bar.stop();
                bar.start(total, 0, { epoch: `${epoch}/${epochs}` });
                barEpoch = epoch;
              }
              bar.update(done);
            },
            onEpoch: (r, best) => {
              if (bar && barEpoch >= 0) {
                bar.stop();
                barEpoch = -1;
              }
              const active = r.terms ? ((100 * r.activeTerms) / r.terms).toFixed(0) : '-';
              process.stderr.write(
                `epoch ${String(r.epoch).padStart(3)}/${epochs}: loss ${r.loss.toFixed(4)}, ${r.queriesUsed} queries mined (${active}% of terms active), ` +
                  `val R@1 ${r.val.r1.toFixed(3)} R@5 ${r.val.r5.toFixed(3)} R@10 ${r.val.r10.toFixed(3)}` +
                  `${r.epoch > 0 ? `, ${Math.round(r.termsPerSecond)} triplets/s` : ''}${best ? '  (best)' : ''}\n`,
              );
            },
          });
          const b = result.best;
          process.stdout.write(
            `best epoch ${b.epoch}: val R@1 ${b.record.val.r1.toFixed(3)} R@5 ${b.record.val.r5.toFixed(3)} (${b.record.val.queries} queries); ` +
              `${Math.round(result.throughput.termsPerSecond)} triplets/s, ${Math.round(result.throughput.queriesPerSecond)} queries/s; ` +
              `${((performance.now() - started) / 1000).toFixed(0)} s. Model: ${result.bestDir}; curves: ${result.outDir}/training.svg\n` +
              `next: seqvpr export --model ${o.out} --out DIR${o.pca ? ` --pca ${o.pca} --frame-manifest M` : ''}\n`,
          );
        } finally {
          bar?.stop();
        }
      }),
    );
  registerTrainFrontend(train);
  registerTrainPatches(train);
}
