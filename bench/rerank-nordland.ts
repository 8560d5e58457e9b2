// Patch re-ranking on nordland64 (winter queries against a summer map, tolerance 1 frame), through
// the real pipeline: the default config with `rerank` off and on (and any parameter variants), on
// a stretch of the route, optionally with the queries shifted sideways (a viewpoint change made by
// cropping) or darkened (a night-like illumination change). Parameters are chosen on frames
// 0-1199 and reported on 1200-2399 (README, "Patch re-ranking").
//
//   npx tsx bench/rerank-nordland.ts [--range 1200:2400] [--lengths 10,5] [--query shift:0.15|dark:0.3|none]
//       [--variants 'off;on;on,weight=0.7,candidates=3'] [--json out.json] [--data DIR]
import { nordlandSeasons, stretch } from './nordland-data.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { CachingFrameEncoder } from '../src/encoders/caching.js';
import { createFrameEncoder } from '../src/encoders/factory.js';
import { OnnxFrameEncoder } from '../src/encoders/onnx-frame-encoder.js';
import { packageRoot } from '../src/core/package-root.js';
import { evaluate } from '../src/eval/evaluate.js';
import { alignedGroundTruth } from '../src/eval/ground-truth.js';
import { computeMetrics } from '../src/eval/metrics.js';
import { createFrontend, createRecognizer } from '../src/pipeline/assemble.js';
import { buildMap } from '../src/pipeline/build-map.js';
import { DEFAULT_CONFIG_FILE, loadPipelineConfig, pipelineConfigSchema } from '../src/pipeline/config.js';
import { BUILTIN_PATCH_MANIFEST } from '../src/rerank/assemble.js';
import { parseRange } from '../src/train/extract.js';

const { values: args } = parseArgs({
  options: {
    range: { type: 'string', default: '1200:2400' },
    lengths: { type: 'string', default: '10' },
    query: { type: 'string', default: 'none' },
    variants: { type: 'string', default: 'off;on' },
    json: { type: 'string' },
    data: { type: 'string', default: '../shared/data/nordland64' },
  },
});

/** "on,weight=0.7,patchSizes=1/2" -> the rerank section. */
function variantRerank(spec: string): Record<string, unknown> {
  const [state, ...params] = spec.split(',');
  const out: Record<string, unknown> = { enabled: state === 'on' };
  for (const p of params) {
    const [k, v] = p.split('=');
    out[k] = v.includes('/') ? v.split('/').map(Number) : Number(v);
  }
  return out;
}

async function main(): Promise<void> {
  const { summer, winter } = nordlandSeasons(args.data!);
  const { start, end } = parseRange(args.range!);
  const base = await loadPipelineConfig(path.join(packageRoot(), DEFAULT_CONFIG_FILE));
  const frameEncoder = new CachingFrameEncoder(await createFrameEncoder(base.config.frontend));
  const patchEncoder = new CachingFrameEncoder(await OnnxFrameEncoder.load(path.join(packageRoot(), BUILTIN_PATCH_MANIFEST)));
  const rows: Record<string, unknown>[] = [];
  for (const L of args.lengths!.split(',').map(Number)) {
    // One map per length, with patch features, shared by every variant.
    const mapRaw = { ...YAML.parse(base.text), windowLength: L, rerank: { enabled: true } };
    const mapFrontend = await createFrontend({ ...base, config: pipelineConfigSchema.parse(mapRaw) }, { frameEncoder, patchEncoder });
    const { map } = await buildMap(stretch(summer, start, end, 'none'), mapFrontend, { source: `${summer} ${args.range}` });
    for (const variant of args.variants!.split(';')) {
      const raw = { ...YAML.parse(base.text), windowLength: L, rerank: variantRerank(variant) };
      const frontend = await createFrontend({ ...base, config: pipelineConfigSchema.parse(raw) }, { frameEncoder, patchEncoder });
      const run = await evaluate(stretch(winter, start, end, args.query!), createRecognizer(frontend, map), { keepColumns: false });
      const m = computeMetrics(run.records, alignedGroundTruth(1, map.size), { wallTimeMs: run.wallTimeMs });
      const t = run.stageTimer.summary();
      const row = {
        range: args.range, query: args.query, L, variant,
        r1: m.recall['1'], r5: m.recall['5'], ap: m.averagePrecision, rAtP100: m.recallAtPrecision100,
        rerankP50: t.rerank?.p50 ?? 0, rerankP95: t.rerank?.p95 ?? 0, patchesP50: t.patches?.p50 ?? 0,
      };
      rows.push(row);
      console.error(
        `L${L} ${args.query} ${variant.padEnd(36)} R@1 ${m.recall['1']!.toFixed(3)} R@5 ${m.recall['5']!.toFixed(3)} AP ${m.averagePrecision!.toFixed(3)} ` +
          `R@100%P ${m.recallAtPrecision100!.toFixed(3)} rerank p50/p95 ${row.rerankP50.toFixed(2)}/${row.rerankP95.toFixed(2)} ms patches p50 ${row.patchesP50.toFixed(2)} ms`,
      );
    }
  }
  if (args.json) await writeFile(args.json, JSON.stringify(rows, null, 2));
}

await main();
