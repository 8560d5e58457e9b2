// `seqvpr export`: a trained SeqNet as an ONNX sequence encoder + manifest + example pipeline config.
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { exportSeqNet } from '../../train/seqnet/export.js';
import { positiveInteger } from '../number-option.js';
import { runCommand, warn } from '../run-command.js';
import { resolveFrameManifest } from './pca.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a trained SeqNet as an ONNX sequence encoder with its manifest and an example pipeline config')
    .requiredOption('--model <dir>', 'training folder (seqvpr train seqnet --out) or a model folder')
    .requiredOption('--out <dir>', 'output folder (<name>.onnx, <name>.yaml, pipeline.yaml)')
    .option('--seq-len <L>', 'window length of the exported model (default: the training length; any L >= kernel works)', positiveInteger)
    .option('--name <name>', 'model name (default seqnet-l<L>-w<w>-d<D>)')
    .option('--pca <dir>', 'the PCA the training descriptors were projected with: writes the composed frame model too')
    .option('--frame-manifest <file>', 'with --pca: the frame model the PCA was fitted on ("builtin" = the built-in CNN, the default)')
    .option('--matcher <seqslam|adaptseq-v2>', 'fine matcher of the example config', 'seqslam')
    .addHelpText(
      'after',
      '\nExample:\n  seqvpr export --model out/seqnet --pca out/pca256 --frame-manifest builtin --out out/seqnet-export\n' +
        '  seqvpr eval --map MAP_DIR --query QUERY_DIR --gt aligned:1 --config out/seqnet-export/pipeline.yaml --out out/eval',
    )
    .action(
      runCommand(async (o: { model: string; out: string; seqLen?: number; name?: string; pca?: string; frameManifest?: string; matcher: string }) => {
        if (o.matcher !== 'seqslam' && o.matcher !== 'adaptseq-v2') throw new ConfigError(`--matcher must be seqslam or adaptseq-v2, got "${o.matcher}"`);
        const result = await exportSeqNet({
          model: o.model,
          out: o.out,
          seqLength: o.seqLen,
          name: o.name,
          pca: o.pca,
          frameManifest: o.frameManifest === undefined ? (o.pca ? resolveFrameManifest('builtin') : undefined) : resolveFrameManifest(o.frameManifest),
          matcher: o.matcher,
          warn,
        });
        for (const note of result.notes) process.stderr.write(`${note}\n`);
        process.stdout.write(`sequence encoder: ${result.manifestPath}\nexample config: ${result.configPath}\n`);
      }),
    );
}
