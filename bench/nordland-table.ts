// The README's method table on nordland64 (winter queries against a summer map, tolerance 1):
// every method x frontend x sequence length, each run through the real pipeline (map build +
// frame-by-frame recognition + metrics). Frame descriptors are encoded once per frontend and
// reused across variants (CachingFrameEncoder); everything after the frame encoder runs anew.
//
//   npx tsx bench/nordland-table.ts [--frontends patchnorm,cnn] [--lengths 5,10,20]
//       [--methods single,smoothing,...] [--no-centering] [--json out.json] [--data DIR]
//   npx tsx bench/nordland-table.ts --split [--train 0:1200] [--test 1200:2400] [--lengths 5,10]
//       [--epochs 8] [--out out/nordland-split] [--markdown FILE] [--json FILE]
import { nordlandSeasons } from './nordland-data.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { CachingFrameEncoder } from '../src/encoders/caching.js';
import { createFrameEncoder, type FrameEncoderConfig } from '../src/encoders/factory.js';
import { evaluate } from '../src/eval/evaluate.js';
import { alignedGroundTruth } from '../src/eval/ground-truth.js';
import { computeMetrics, type EvalMetrics } from '../src/eval/metrics.js';
import { createFrontend, createRecognizer } from '../src/pipeline/assemble.js';
import { buildMap } from '../src/pipeline/build-map.js';
import { pipelineConfigSchema } from '../src/pipeline/config.js';
import { imageFolderFrames } from '../src/sources/image-folder.js';

const { values: args } = parseArgs({
  options: {
    frontends: { type: 'string', default: 'patchnorm,cnn' },
    lengths: { type: 'string', default: '5,10,20' },
    methods: { type: 'string', default: 'single,smoothing,delta,seqslam,adaptseq-v2,hierarchical,frame-votes' },
    'no-centering': { type: 'boolean', default: false },
    json: { type: 'string' },
    data: { type: 'string', default: '../shared/data/nordland64' },
    // --split: choose and train on --train frames, report on --test frames (bench/nordland-split.ts).
    split: { type: 'boolean', default: false },
    train: { type: 'string', default: '0:1200' },
    test: { type: 'string', default: '1200:2400' },
    epochs: { type: 'string', default: '8' },
    out: { type: 'string', default: 'out/nordland-split' },
    markdown: { type: 'string' },
  },
});

const FRONTENDS: Record<string, FrameEncoderConfig> = {
  patchnorm: { kind: 'patchnorm' },
  cnn: { kind: 'builtin-cnn' },
};

/** Pipeline sections per method at sequence length L (frontend and centring are added below). */
export function methodConfig(method: string, L: number): Record<string, unknown> {
  const ranked = { maxCandidates: 20 };
  switch (method) {
    case 'single':
      return { sequence: { kind: 'single' }, retrieval: { k: 0 }, matcher: { kind: 'single', ...ranked }, windowLength: 1 };
    case 'smoothing':
    case 'delta':
      return { sequence: { kind: method, length: L }, retrieval: { source: 'sequence', k: 20 }, matcher: { kind: 'coarse', ...ranked }, windowLength: L };
    case 'seqslam':
      return { sequence: { kind: 'single' }, retrieval: { k: 0 }, matcher: { kind: 'seqslam', ...ranked }, windowLength: L };
    case 'frame-votes':
      return {
        sequence: { kind: 'single' },
        retrieval: { source: 'frame-votes', k: 20, perFrameK: 50 },
        matcher: { kind: 'seqslam', rivalScope: 'candidates', ...ranked },
        windowLength: L,
      };
    case 'adaptseq-v2':
      return {
        sequence: { kind: 'delta', length: L },
        retrieval: { source: 'sequence', k: 5 },
        matcher: { kind: 'adaptseq-v2', coarseSequenceLength: L, ...ranked },
        windowLength: L,
      };
    case 'hierarchical':
      return {
        sequence: { kind: 'delta', length: L },
        retrieval: { source: 'sequence', k: 10 },
        matcher: { kind: 'seqslam', ...ranked },
        windowLength: L,
      };
    default:
      throw new Error(`unknown method ${method}`);
  }
}

interface Row {
  frontend: string;
  method: string;
  length: number;
  metrics: EvalMetrics;
}

async function main(): Promise<void> {
  const { summer, winter } = nordlandSeasons(args.data!);
  if (args.split) {
    const { runSplitTable } = await import('./nordland-split.js');
    const lengths = process.argv.includes('--lengths') ? args.lengths!.split(',').map(Number) : [5, 10];
    await runSplitTable({ data: args.data!, out: args.out!, train: args.train!, test: args.test!, lengths, epochs: Number(args.epochs), markdown: args.markdown, json: args.json }, methodConfig);
    return;
  }
  const rows: Row[] = [];
  for (const frontendName of args.frontends!.split(',')) {
    const encoder = new CachingFrameEncoder(await createFrameEncoder(FRONTENDS[frontendName]));
    for (const L of args.lengths!.split(',').map(Number)) {
      for (const method of args.methods!.split(',')) {
        if (method === 'single' && rows.some((r) => r.frontend === frontendName && r.method === 'single')) continue;
        const raw = {
          name: `${frontendName}-${method}-L${L}`,
          frontend: FRONTENDS[frontendName],
          centering: { enabled: !args['no-centering'] },
          ...methodConfig(method, L),
        };
        const loaded = { config: pipelineConfigSchema.parse(raw), file: path.resolve('config/table.yaml'), text: YAML.stringify(raw) };
        const frontend = await createFrontend(loaded, { frameEncoder: encoder });
        const { map } = await buildMap(imageFolderFrames(summer), frontend, { source: summer });
        const run = await evaluate(imageFolderFrames(winter), createRecognizer(frontend, map), { keepColumns: false });
        const metrics = computeMetrics(run.records, alignedGroundTruth(1, map.size), { wallTimeMs: run.wallTimeMs });
        rows.push({ frontend: frontendName, method, length: method === 'single' ? 1 : L, metrics });
        const m = metrics;
        console.error(
          `${raw.name.padEnd(28)} R@1 ${m.recall['1']!.toFixed(3)} R@5 ${m.recall['5']!.toFixed(3)} ` +
            `AP ${m.averagePrecision!.toFixed(3)} R@P100 ${m.recallAtPrecision100!.toFixed(3)} ` +
            `match p50 ${run.stageTimer.summary().match?.p50.toFixed(2)} ms`,
        );
      }
    }
  }
  if (args.json) await writeFile(args.json, JSON.stringify(rows.map(({ metrics, ...r }) => ({ ...r, recall: metrics.recall, averagePrecision: metrics.averagePrecision, recallAtPrecision100: metrics.recallAtPrecision100 })), null, 2));
  console.log('| frontend | method | L | R@1 | R@5 | R@10 | AP | R@100%P |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const m = r.metrics;
    const f = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
    console.log(`| ${r.frontend} | ${r.method} | ${r.length} | ${f(m.recall['1'])} | ${f(m.recall['5'])} | ${f(m.recall['10'])} | ${f(m.averagePrecision)} | ${f(m.recallAtPrecision100)} |`);
  }
}

await main();
