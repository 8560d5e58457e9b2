// `seqvpr map build`: encode a traversal (image folder or bag) and save it as a map directory.
import type { Command } from 'commander';
import { SeqvprError } from '../../core/errors.js';
import { saveMap } from '../../map/save-map.js';
import type { PlaceMap } from '../../map/place-map.js';
import { createFrontend, type Frontend } from '../../pipeline/assemble.js';
import { buildMap } from '../../pipeline/build-map.js';
import { loadPipelineConfig } from '../../pipeline/config.js';
import { openFrameSource, type FrameSourceArgs } from '../../sources/open-source.js';
import { frameSourceOptions } from '../source-options.js';
import { progressBar } from '../progress.js';
import { runCommand, warn } from '../run-command.js';

/** Builds a map from a frame source, with a progress bar and warnings for skipped frames. */
export async function buildMapFromSource(args: FrameSourceArgs, frontend: Frontend, label = 'building map'): Promise<PlaceMap> {
  // Messages a bag cannot turn into frames are skipped by the source; frames that cannot be encoded, by buildMap.
  let unreadable = 0;
  const source = await openFrameSource(args, { warn, onSkip: () => unreadable++ });
  const bar = progressBar(label, source.count);
  try {
    const { map, skipped } = await buildMap(source.frames, frontend, {
      source: source.description,
      expectedFrames: source.count,
      onProgress: (n) => bar.update(n),
      onSkip: (frame, error) => warn(`skipped map frame ${frame.source ?? frame.index}: ${error.message}`),
    });
    const lost = skipped + unreadable;
    if (map.size === 0) {
      // An empty map localises nothing; saving one would only hide the problem until it is used.
      throw new SeqvprError(
        lost > 0
          ? `none of the ${lost} frames of ${source.description} could be read (see the warnings above); no map built`
          : `${source.description} holds no frames; no map built`,
      );
    }
    if (lost > 0) warn(`${lost} map frames could not be read and were skipped`);
    return map;
  } finally {
    bar.stop();
  }
}

export function registerMapBuild(program: Command): void {
  const map = program.command('map').description('build and inspect maps');
  const build = map.command('build').description('encode a traversal into a map directory');
  frameSourceOptions(build)
    .requiredOption('--out <dir>', 'map directory to write (replaced atomically)')
    .option('--config <file>', 'pipeline config YAML (default: config/default.yaml)')
    .addHelpText(
      'after',
      '\nExamples:\n  seqvpr map build --images data/summer --out maps/summer\n' +
        '  seqvpr map build --bag run1 --image-topic /camera/image_raw/compressed --pose-topic /odom --keyframe-distance 1 --out maps/run1',
    )
    .action(
      runCommand(async (opts: FrameSourceArgs & { out: string; config?: string }) => {
        const loaded = await loadPipelineConfig(opts.config);
        const frontend = await createFrontend(loaded, { warn });
        try {
          const built = await buildMapFromSource(opts, frontend);
          await saveMap(built, opts.out);
          process.stdout.write(
            `map: ${built.size} frames${built.hasPoses ? ' with poses' : ''}, ${built.sequenceCount} sequences, ` +
              `encoder ${frontend.identity.encoder.id}, saved to ${opts.out}\n`,
          );
        } finally {
          await frontend.close();
        }
      }),
    );
}
