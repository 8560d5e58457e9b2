// `seqvpr pca fit | apply | compose`: PCA (optionally whitened) of frame descriptors, applied to
// .npy files or appended in-graph to a frame model.
import path from 'node:path';
import type { Command } from 'commander';
import { frameManifestPath } from '../../encoders/factory.js';
import { composeFrontend } from '../../train/compose.js';
import { parseRange } from '../../train/extract.js';
import { applyPcaFile, fitPcaFiles } from '../../train/pca-run.js';
import { nonNegativeInteger, positiveInteger } from '../number-option.js';
import { runCommand } from '../run-command.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** "builtin" names the built-in CNN's manifest; anything else is a path. */
export function resolveFrameManifest(arg: string): string {
  return arg === 'builtin' ? frameManifestPath({ kind: 'builtin-cnn' })! : path.resolve(arg);
}

export function registerPca(program: Command): void {
  const pca = program.command('pca').description('fit, apply and compose PCA projections of frame descriptors');

  pca
    .command('fit')
    .description('fit PCA (optionally whitened) on descriptor files; writes pca.onnx + pca.yaml into DIR')
    .requiredOption('--in <file.npy>', 'descriptor file from "seqvpr extract" (repeat for several)', collect)
    .requiredOption('--dims <d>', 'output dimension', positiveInteger)
    .option('--whiten', 'scale each component by 1/sqrt(eigenvalue + 1e-9) (WPCA)')
    .option('--rows <start:end>', 'fit on rows start..end-1 of every input (e.g. the training stretch only)')
    .option('--seed <n>', 'seed of the iterative eigen-solver start basis', nonNegativeInteger, 123)
    .requiredOption('--out <dir>', 'PCA folder to write (replaced atomically)')
    .addHelpText('after', '\nExample:\n  seqvpr pca fit --in out/summer.npy --in out/winter.npy --rows 17:1200 --dims 256 --whiten --out out/pca256')
    .action(
      runCommand(async (o: { in: string[]; dims: number; whiten?: boolean; rows?: string; seed: number; out: string }) => {
        const started = performance.now();
        const { fit, manifestPath, rows } = await fitPcaFiles({
          inputs: o.in,
          dims: o.dims,
          whiten: Boolean(o.whiten),
          rows: o.rows ? parseRange(o.rows, '--rows') : undefined,
          seed: o.seed,
          out: o.out,
        });
        const kept = fit.eigenvalues.reduce((a, b) => a + b, 0) / fit.totalVariance;
        process.stdout.write(
          `PCA ${fit.inputDim} -> ${fit.outputDim}${fit.whiten ? ' (whitened)' : ''} from ${rows} descriptors: ` +
            `${(100 * kept).toFixed(1)}% of the variance kept; ${fit.solver.method} on the ${fit.solver.on} ` +
            `(${fit.solver.iterations} iterations, residual ${fit.solver.residual.toExponential(1)}), ` +
            `${((performance.now() - started) / 1000).toFixed(1)} s; written to ${manifestPath}\n`,
        );
      }),
    );

  pca
    .command('apply')
    .description('project a descriptor file with a fitted PCA (then L2-normalise)')
    .requiredOption('--pca <dir>', 'folder written by "seqvpr pca fit"')
    .requiredOption('--in <file.npy>', 'descriptor file')
    .requiredOption('--out <file.npy>', 'projected descriptors (+ sidecar)')
    .addHelpText(
      'after',
      '\nExample:\n  seqvpr pca apply --pca out/pca256 --in out/summer.npy --out out/summer-pca256.npy\n' +
        'Note: this projects descriptors that were centred BEFORE projection; a pipeline whose frontend is the\n' +
        'composed model (seqvpr pca compose) centres AFTER it. For training data identical to what such a pipeline\n' +
        'stores, extract with the composed frontend instead (seqvpr extract --config <compose out>/pipeline.yaml).',
    )
    .action(
      runCommand(async (o: { pca: string; in: string; out: string }) => {
        const { rows, dim } = await applyPcaFile(o.pca, o.in, o.out);
        process.stdout.write(`${rows} descriptors projected to ${dim} values, written to ${o.out}\n`);
      }),
    );

  pca
    .command('compose')
    .description('write a frame model = an ONNX frame model followed by the PCA, with its manifest and a config that uses it')
    .requiredOption('--pca <dir>', 'folder written by "seqvpr pca fit"')
    .option('--frame-manifest <file>', 'manifest of the frame model the PCA was fitted on ("builtin" = the built-in CNN)', 'builtin')
    .requiredOption('--out <dir>', 'folder for <name>.onnx, <name>.yaml and pipeline.yaml')
    .addHelpText('after', '\nExample:\n  seqvpr pca compose --pca out/pca256 --out out/frontend-pca256\n  seqvpr extract --images DIR --config out/frontend-pca256/pipeline.yaml --out out/run-pca256.npy')
    .action(
      runCommand(async (o: { pca: string; frameManifest: string; out: string }) => {
        const composed = await composeFrontend(resolveFrameManifest(o.frameManifest), o.pca, o.out);
        const configPath = composed.configPath;
        process.stdout.write(`composed frame model ${composed.manifest.name} (${composed.manifest.output.dim}-d): ${composed.manifestPath}\nconfig: ${configPath}\n`);
      }),
    );
}
