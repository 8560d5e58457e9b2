// A query run that outruns the map's frame spacing (a keyframed run, a faster vehicle, a lower
// camera rate), with the window placed one map frame per query frame ('frames') or by the distance
// travelled ('path', window-placement.ts): demo world, map run every frame (about 0.9 m apart),
// query run keyframed every K metres, correct within 3 m.
//
// With --swap the runs change roles: the query run (6.5, 12 and 8 m/s with a 4 s stop, every
// frame: an unevenly spaced map) is the map, the steady map run the query.
//
//   npx tsx bench/keyframed-query.ts [--config config/default.yaml] [--demo day:-1.5,night:-1.5]
//       [--seed 11] [--keyframes 0,2,3] [--variants frames,path,path:0.9-1.1] [--swap] [--out out/keyframed] [--json FILE]
// (--keyframes 0 = every frame; a variant is a windowPlacement with an optional SeqSLAM velocity
// range lo-hi, 5 steps: vMin/vMax for 'frames', pathVMin/pathVMax for 'path'; the demo bags are
// generated under --out once, or reused from there.)
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { loadPipelineConfig } from '../src/pipeline/config.js';
import { demoBags, evalOnDemo, relocatableConfig } from './demo-runs.js';

const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: 'config/default.yaml' },
    demo: { type: 'string', default: 'day:-1.5,night:-1.5,winter:-1.5,night:-0.5' },
    seed: { type: 'string', default: '11' },
    keyframes: { type: 'string', default: '0,2,3' },
    variants: { type: 'string', default: 'frames,path' },
    swap: { type: 'boolean', default: false },
    out: { type: 'string', default: 'out/keyframed' },
    json: { type: 'string' },
  },
});

const VARIANTS = args.variants!.split(',');
const out = path.resolve(args.out!);
const base = await loadPipelineConfig(args.config);
// The run configs live under out/.
const baseRaw = relocatableConfig(base);

await mkdir(path.join(out, 'configs'), { recursive: true });
const configs = new Map<string, string>();
for (const variant of VARIANTS) {
  const [placement, range] = variant.split(':');
  if (placement !== 'frames' && placement !== 'path') throw new Error(`unknown window placement in variant ${variant}`);
  const matcher = { ...(baseRaw.matcher as Record<string, unknown>) };
  if (range) {
    // The velocities the placement uses: vMin.. for one row per frame, pathVMin.. for the path.
    const [lo, hi] = range.split('-').map(Number);
    const keys = placement === 'path' ? ['pathVMin', 'pathVMax', 'pathVSteps'] : ['vMin', 'vMax', 'vSteps'];
    Object.assign(matcher, { [keys[0]]: lo, [keys[1]]: hi, [keys[2]]: lo === hi ? 1 : 5 });
  }
  const file = path.join(out, 'configs', `${variant.replace(':', '_')}.yaml`);
  await writeFile(file, YAML.stringify({ ...baseRaw, name: `${base.config.name}-${variant}`, windowPlacement: placement, matcher }));
  configs.set(variant, file);
}

const rows: { case: string; keyframeM: number; variant: string; queries: number; r1: number | null; ap: number | null; r100p: number | null }[] = [];
console.log(`| query run | keyframes | queries | ${VARIANTS.map((v) => `${v}: R@1 / AP / R@100%P`).join(' | ')} |`);
console.log(`|---|---|---|${VARIANTS.map(() => '---|').join('')}`);
for (const demoCase of args.demo!.split(',')) {
  const [appearance, lane] = demoCase.split(':');
  const demo = await demoBags(out, Number(args.seed), appearance, lane);
  const bags = args.swap ? { mapBag: demo.queryBag, queryBag: demo.mapBag } : demo;
  const tag = `s${args.seed}-${appearance}_${lane}${args.swap ? '-swapped' : ''}`;
  const sharedMap = path.join(out, 'maps', tag);
  for (const keyframeM of args.keyframes!.split(',').map(Number)) {
    const cells: string[] = [];
    let queries = 0;
    for (const variant of VARIANTS) {
      const runDir = path.join(out, 'runs', `${tag}-kf${keyframeM}-${variant.replace(':', '_')}`);
      const m = await evalOnDemo(bags, configs.get(variant)!, runDir, sharedMap, keyframeM > 0 ? keyframeM : undefined);
      queries = m.queries;
      rows.push({ case: demoCase, keyframeM, variant, queries: m.queries, r1: m.recall[1], ap: m.averagePrecision, r100p: m.recallAtPrecision100 });
      cells.push([m.recall[1], m.averagePrecision, m.recallAtPrecision100].map((x) => x?.toFixed(3) ?? '-').join(' / '));
    }
    const run = args.swap ? `seed ${args.seed}, map: the ${appearance} run at lane ${lane} m; query: the map run` : `seed ${args.seed}, ${appearance}, lane ${lane} m`;
    console.log(`| ${run} | ${keyframeM > 0 ? `${keyframeM} m` : 'every frame'} | ${queries} | ${cells.join(' | ')} |`);
  }
}
if (args.json) await writeFile(args.json, JSON.stringify({ config: base.file, seed: Number(args.seed), swapped: args.swap, rows }, null, 2));
