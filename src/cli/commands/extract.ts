// `seqvpr extract`: per-frame descriptors of a traversal, as a map built with the config stores them
// (frame encoder + appearance centring), written as float32 .npy + JSON sidecar for the training
// tools. Restartable: encoded frames are kept in FILE.npy.partial/ until the output is complete, and
// a rerun of the same command encodes only what is missing.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { createFrameEncoder } from '../../encoders/factory.js';
import { createFrontend } from '../../pipeline/assemble.js';
import { loadPipelineConfig } from '../../pipeline/config.js';
import { extractDescriptors, frameRange, parseRange } from '../../train/extract.js';
import { ResumableFrameEncoder } from '../../train/resumable-encoder.js';
import { openFrameSource, type FrameSourceArgs } from '../../sources/open-source.js';
import { frameSourceOptions } from '../source-options.js';
import { progressBar } from '../progress.js';
import { runCommand, warn } from '../run-command.js';

interface ExtractArgs extends FrameSourceArgs {
  out: string;
  config?: string;
  range?: string;
  fresh?: boolean;
}

export function registerExtract(program: Command): void {
  const extract = program.command('extract').description('write per-frame descriptors (after appearance centring, as a map stores them) to a .npy file');
  frameSourceOptions(extract)
    .requiredOption('--out <file.npy>', 'output .npy (float32 [frames, dim]); a sidecar FILE.json lists encoder, frames, stamps, poses')
    .option('--config <file>', 'pipeline config YAML whose frontend and centring to use (default: config/default.yaml)')
    .option('--range <start:end>', 'only source frames start..end-1 (indices before keyframing), e.g. 0:1200')
    .option('--fresh', 'ignore descriptors kept from an interrupted run of the same command')
    .addHelpText(
      'after',
      '\nExamples:\n  seqvpr extract --images ../shared/data/nordland64/summer --range 17:1200 --out out/desc/summer-train.npy\n' +
        '  seqvpr extract --bag run1 --image-topic /camera/image_raw/compressed --pose-topic /odom --config my.yaml --out out/run1.npy\n' +
        'An interrupted run keeps its work in FILE.npy.partial/; run the same command again to resume.',
    )
    .action(
      runCommand(async (opts: ExtractArgs) => {
        const loaded = await loadPipelineConfig(opts.config);
        const workDir = `${opts.out}.partial`;
        const inner = await createFrameEncoder(loaded.config.frontend, { baseDir: path.dirname(loaded.file), warn });
        if (opts.fresh) await rm(workDir, { recursive: true, force: true });
        const encoder = await ResumableFrameEncoder.open(inner, workDir, { warn });
        if (encoder.resumed > 0) process.stderr.write(`resuming: ${encoder.resumed} frames already encoded in ${workDir}\n`);
        const frontend = await createFrontend(loaded, { warn, frameEncoder: encoder });
        // Ctrl-C: keep what was encoded since the last chunk, then stop.
        const onSigint = (): void => {
          void encoder.flush().finally(() => process.exit(130));
        };
        process.once('SIGINT', onSigint);
        try {
          const source = await openFrameSource(opts, { warn });
          const range = opts.range ? parseRange(opts.range) : undefined;
          const frames = range ? frameRange(source.frames, range.start, range.end) : source.frames;
          const total = range ? Math.max(0, Math.min(source.count, range.end) - range.start) : source.count;
          const bar = progressBar('extracting', total);
          let result;
          try {
            result = await extractDescriptors(frames, frontend, opts.out, {
              source: source.description + (opts.range ? ` frames ${opts.range}` : ''),
              configFile: loaded.file,
              onProgress: (n) => bar.update(n),
              onSkip: (frame, error) => warn(`skipped frame ${frame.source ?? frame.index}: ${error.message}`),
            });
          } catch (e) {
            await encoder.flush().catch(() => {});
            warn(`the frames encoded so far are kept in ${workDir}; run the same command again to resume`);
            throw e;
          } finally {
            bar.stop();
          }
          await encoder.discard();
          if (result.skipped > 0) warn(`${result.skipped} frames could not be read and were skipped`);
          process.stdout.write(
            `${result.rows} descriptors of ${result.dim} values (${frontend.identity.encoder.id}) written to ${result.npyPath}, sidecar ${result.sidecarPath}\n`,
          );
        } finally {
          process.removeListener('SIGINT', onSigint);
          await frontend.close();
        }
      }),
    );
}
