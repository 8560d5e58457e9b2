// `seqvpr map merge --out C A B...`: one map from several of the same front end, as sessions.
import type { Command } from 'commander';
import { loadMap } from '../../map/load-map.js';
import { mergeMaps } from '../../map/merge-maps.js';
import { saveMap } from '../../map/save-map.js';
import { runCommand } from '../run-command.js';

export function registerMapMerge(program: Command): void {
  const map = program.commands.find((c) => c.name() === 'map') ?? program.command('map').description('build and inspect maps');
  map
    .command('merge')
    .description('join maps built with the same encoder into one map (each stays a session; all are searched)')
    .requiredOption('--out <dir>', 'map directory to write (replaced atomically)')
    .argument('<maps...>', 'two or more map directories')
    .addHelpText('after', '\nExample:\n  seqvpr map merge --out maps/all maps/day maps/dusk maps/winter')
    .action(
      runCommand(async (dirs: string[], opts: { out: string }) => {
        const parts = [];
        for (const dir of dirs) parts.push({ name: dir, map: await loadMap(dir) });
        const merged = mergeMaps(parts);
        await saveMap(merged, opts.out);
        process.stdout.write(`map: ${merged.size} frames in ${merged.sessionStarts.length} sessions, saved to ${opts.out}\n`);
      }),
    );
}
