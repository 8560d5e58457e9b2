// `seqvpr map build`: encode a traversal and save it as a map directory.
import path from 'node:path';
import type { Command } from 'commander';
import { saveMap } from '../../map/save-map.js';
import type { PlaceMap } from '../../map/place-map.js';
import { createFrontend, type Frontend } from '../../pipeline/assemble.js';
import { buildMap } from '../../pipeline/build-map.js';
import { loadPipelineConfig } from '../../pipeline/config.js';
import { imageFolderFrames, listImages } from '../../pipeline/sources/image-folder.js';
import { progressBar } from '../progress.js';
import { runCommand, warn } from '../run-command.js';

/** Builds a map from an image folder, with a progress bar and warnings for skipped frames. */
export async function buildMapFromFolder(dir: string, frontend: Frontend, label = 'building map'): Promise<PlaceMap> {
  const total = (await listImages(dir)).length;
  const bar = progressBar(label, total);
  try {
    const { map, skipped } = await buildMap(imageFolderFrames(dir), frontend, {
      source: path.resolve(dir),
      expectedFrames: total,
      onProgress: (n) => bar.update(n),
      onSkip: (frame, error) => warn(`skipped map frame ${frame.source ?? frame.index}: ${error.message}`),
    });
    if (skipped > 0) warn(`${skipped} of ${total} map frames could not be read and were skipped`);
    return map;
  } finally {
    bar.stop();
  }
}

export function registerMapBuild(program: Command): void {
  const map = program.command('map').description('build and inspect maps');
  map
    .command('build')
    .description('encode a traversal into a map directory')
    .requiredOption('--images <dir>', 'folder of PNG/JPEG frames, in file-name order')
    .requiredOption('--out <dir>', 'map directory to write (replaced atomically)')
    .option('--config <file>', 'pipeline config YAML (default: config/default.yaml)')
    .addHelpText('after', '\nExample:\n  seqvpr map build --images data/summer --out maps/summer')
    .action(
      runCommand(async (opts: { images: string; out: string; config?: string }) => {
        const loaded = await loadPipelineConfig(opts.config);
        const frontend = await createFrontend(loaded, { warn });
        try {
          const built = await buildMapFromFolder(opts.images, frontend);
          await saveMap(built, opts.out);
          process.stdout.write(
            `map: ${built.size} frames, ${built.sequenceCount} sequences, encoder ${frontend.identity.encoder.id}, saved to ${opts.out}\n`,
          );
        } finally {
          await frontend.close();
        }
      }),
    );
}
