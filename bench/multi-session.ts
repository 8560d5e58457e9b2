// Multi-session maps on the demo world: three mapping sessions of the route (day, dusk, winter),
// merged into one map; a fourth session (the demo's query drive: other speeds, a stop, another
// lane) is localised against the merged map and against the first (day) map alone.
//   npx tsx bench/multi-session.ts [--out out/bench/multi-session] [--config FILE] [--seed N]
// Writes OUT/multi-session.json and prints recall@1 and recall at 100% precision for each case.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { buildMapFromSource } from '../src/cli/commands/map-build.js';
import { runEval } from '../src/cli/commands/eval.js';
import { writeFileAtomic } from '../src/core/atomic-write.js';
import { generateDemo, type DemoWorld } from '../src/demo/generate.js';
import type { AppearanceName } from '../src/demo/appearance.js';
import { loadMap } from '../src/map/load-map.js';
import { mergeMaps } from '../src/map/merge-maps.js';
import { saveMap } from '../src/map/save-map.js';
import { createFrontend } from '../src/pipeline/assemble.js';
import { loadPipelineConfig } from '../src/pipeline/config.js';

const arg = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const out = arg('--out', 'out/bench/multi-session')!;
const config = arg('--config');
const seed = Number(arg('--seed', '7'));
const TOLERANCE = 'pose2d:3';

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const sessions: [AppearanceName, AppearanceName][] = [
  ['day', 'winter'],
  ['dusk', 'dusk'],
  ['winter', 'day'],
];
const worlds: DemoWorld[] = [];
for (const [mapLook, queryLook] of sessions) {
  process.stdout.write(`rendering the ${mapLook} session (and a ${queryLook} query drive)\n`);
  worlds.push(await generateDemo(path.join(out, `bags-${mapLook}`), { seed, mapAppearance: mapLook, queryAppearance: queryLook }));
}
const topics = { imageTopic: worlds[0].imageTopic, poseTopic: worlds[0].poseTopic };
const frontend = await createFrontend(await loadPipelineConfig(config), { warn: (m) => process.stderr.write(`warning: ${m}\n`) });
const mapDirs: string[] = [];
try {
  for (const [i, [look]] of sessions.entries()) {
    const dir = path.join(out, `map-${look}`);
    await saveMap(await buildMapFromSource({ bag: worlds[i].mapBag, ...topics }, frontend, `map ${look}`), dir);
    mapDirs.push(dir);
  }
} finally {
  await frontend.close();
}
const merged = mergeMaps(await Promise.all(mapDirs.map(async (d) => ({ name: path.basename(d), map: await loadMap(d) }))));
const mergedDir = path.join(out, 'map-merged');
await saveMap(merged, mergedDir);

// Fourth sessions: the query drives (winter from world 0, dusk from world 1).
const fourth = [
  { name: 'winter query drive', bag: worlds[0].queryBag },
  { name: 'dusk query drive', bag: worlds[1].queryBag },
];
const results: Record<string, unknown>[] = [];
for (const q of fourth) {
  for (const [label, map] of [['day map alone', mapDirs[0]], ['merged day+dusk+winter', mergedDir]] as const) {
    const m = await runEval({ map, query: { bag: q.bag, ...topics }, gt: TOLERANCE, out: path.join(out, `eval-${q.name.split(' ')[0]}-${path.basename(map)}`), config });
    const row = { query: q.name, map: label, mapFrames: (await loadMap(map)).size, recallAt1: m.recall['1'], recallAtPrecision100: m.recallAtPrecision100, averagePrecision: m.averagePrecision };
    results.push(row);
    process.stdout.write(`${q.name} vs ${label}: recall@1 ${m.recall['1']?.toFixed(3)}, recall at 100% precision ${m.recallAtPrecision100?.toFixed(3)}, AP ${m.averagePrecision?.toFixed(3)}\n`);
  }
}
await writeFileAtomic(path.join(out, 'multi-session.json'), JSON.stringify({ seed, tolerance: TOLERANCE, config: config ?? 'config/default.yaml', results }, null, 1) + '\n');
