// Patch re-ranking under viewpoint and illumination change in the demo world: the map run in
// daylight in its lane (-1.75 m), query runs in other conditions (winter, night) and at other lane
// offsets, each replayed against the map with `rerank` off and on (correct = within 3 m).
//
//   npx tsx bench/rerank-demo.ts [--out out/rerank-demo] [--cases winter:-1.5,night:-1.5,night:0.5] [--seed 7] [--json FILE]
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { buildMapFromSource } from '../src/cli/commands/map-build.js';
import { runEval } from '../src/cli/commands/eval.js';
import { generateDemo } from '../src/demo/generate.js';
import type { AppearanceName } from '../src/demo/appearance.js';
import { packageRoot } from '../src/core/package-root.js';
import { saveMap } from '../src/map/save-map.js';
import { createFrontend } from '../src/pipeline/assemble.js';
import { DEFAULT_CONFIG_FILE, loadPipelineConfig } from '../src/pipeline/config.js';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'out/rerank-demo' },
    cases: { type: 'string', default: 'winter:-1.5,night:-1.5,night:0.5' },
    seed: { type: 'string', default: '7' },
    json: { type: 'string' },
  },
});

async function main(): Promise<void> {
  const base = await loadPipelineConfig(path.join(packageRoot(), DEFAULT_CONFIG_FILE));
  const rows: Record<string, unknown>[] = [];
  await rm(args.out!, { recursive: true, force: true });
  const configs: Record<string, string> = {};
  for (const state of ['off', 'on']) {
    configs[state] = path.resolve(args.out!, `rerank-${state}.yaml`);
    await mkdir(args.out!, { recursive: true });
    await writeFile(configs[state], YAML.stringify({ ...YAML.parse(base.text), rerank: { enabled: state === 'on' } }));
  }
  for (const spec of args.cases!.split(',')) {
    const [appearance, lane] = spec.split(':');
    const dir = path.join(args.out!, `${appearance}_${lane}`);
    const world = await generateDemo(path.join(dir, 'bags'), {
      seed: Number(args.seed),
      queryAppearance: appearance as AppearanceName,
      queryLaneOffsetM: Number(lane),
    });
    const source = { imageTopic: world.imageTopic, poseTopic: world.poseTopic };
    const frontend = await createFrontend(await loadPipelineConfig(configs.on));
    const mapDir = path.join(dir, 'map');
    try {
      await saveMap(await buildMapFromSource({ bag: world.mapBag, ...source }, frontend), mapDir);
    } finally {
      await frontend.close();
    }
    for (const state of ['off', 'on']) {
      const m = await runEval({ map: mapDir, query: { bag: world.queryBag, ...source }, gt: 'pose2d:3', out: path.join(dir, `replay-${state}`), config: configs[state] });
      const row = { appearance, laneOffsetM: Number(lane), rerank: state, r1: m.recall['1'], ap: m.averagePrecision, rAtP100: m.recallAtPrecision100, p50: m.latencyMs?.p50, p95: m.latencyMs?.p95 };
      rows.push(row);
      console.error(
        `${appearance} lane ${lane} rerank ${state}: R@1 ${m.recall['1']?.toFixed(3)} AP ${m.averagePrecision?.toFixed(3)} R@100%P ${m.recallAtPrecision100?.toFixed(3)} latency p50 ${m.latencyMs?.p50.toFixed(1)} ms`,
      );
    }
  }
  if (args.json) await writeFile(args.json, JSON.stringify(rows, null, 2));
}

await main();
