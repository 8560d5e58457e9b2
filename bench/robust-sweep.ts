// Robustness of the default pipeline to illumination (day/night) and sideways viewpoint change,
// per variant of the built-in frame model (input normalisation, head): each variant is built into
// a folder, plugged into config/default.yaml as an `onnx` frontend and run through the real
// pipeline on
//   - demo world runs (`--demo`): map in daylight at lane -1.75 m, queries in other appearances at
//     other lane offsets, correct within 3 m;
//   - nordland64 (`--nordland`): summer map, winter queries (optionally shifted sideways by a crop),
//     a stretch of frames, tolerance 1 frame.
// Choose on demo seed 7 and nordland64 0-1199; report on another seed and 1200-2399 (README).
//
//   npx tsx bench/robust-sweep.ts --variants 'base;image;image,smoothX=0.25' [--demo night:-0.5,night:0.5]
//       [--seed 7] [--nordland none,shift:0.15] [--range 0:1200] [--lengths 10] [--out out/robust] [--json FILE]
//       [--gates 'default;enabled=false;heldConfidence=zero']   (motionGate per run; 'default' = config/default.yaml's)
//       [--config config/default.yaml] [--along 'default;rows=4,columns=4']   (base config; rerank.alongTrack per run)
// The base config's re-ranking runs with the shipped frontend only (other variants have no patch model).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { buildMobileNetBlock10, MOBILENET_BLOCK10, mobileNetBlock10Manifest, type BackboneVariant } from '../src/encoders/builtin/mobilenet-block10.js';
import { readNsfwjsMobileNetV2 } from '../src/encoders/builtin/nsfwjs-model.js';
import { CachingFrameEncoder } from '../src/encoders/caching.js';
import { createFrameEncoder } from '../src/encoders/factory.js';
import { packageRoot } from '../src/core/package-root.js';
import { evaluate } from '../src/eval/evaluate.js';
import { alignedGroundTruth } from '../src/eval/ground-truth.js';
import { computeMetrics } from '../src/eval/metrics.js';
import { createFrontend, createRecognizer } from '../src/pipeline/assemble.js';
import { buildMap } from '../src/pipeline/build-map.js';
import { DEFAULT_CONFIG_FILE, loadPipelineConfig, pipelineConfigSchema } from '../src/pipeline/config.js';
import { parseRange } from '../src/train/extract.js';
import { demoBags, evalOnDemo, relocatableConfig } from './demo-runs.js';
import { nordlandSeasons, stretch } from './nordland-data.js';

const { values: args } = parseArgs({
  options: {
    variants: { type: 'string', default: 'shipped' },
    demo: { type: 'string', default: '' },
    seed: { type: 'string', default: '7' },
    nordland: { type: 'string', default: '' },
    range: { type: 'string', default: '0:1200' },
    lengths: { type: 'string', default: '10' },
    out: { type: 'string', default: 'out/robust' },
    json: { type: 'string' },
    gates: { type: 'string', default: 'default' },
    config: { type: 'string' },
    along: { type: 'string', default: 'default' },
    data: { type: 'string', default: '../shared/data/nordland64' },
  },
});

/**
 * "shipped" = the base config's own frontend (the installed models/ file with the default config);
 * otherwise "mode[,key=value...]": the spec's head and normalisation constants with input
 * normalisation `mode` (none = the model before normalisation; image, channel, gain: see
 * input-norm.ts), no blur unless blurPasses=N, and smoothX=, power=, minStd=, minMean=,
 * targetMean=, targetStd= overrides.
 */
function parseVariant(spec: string): BackboneVariant | 'shipped' {
  if (spec === 'shipped') return 'shipped';
  const [mode, ...params] = spec.split(',');
  const inputNorm = { ...MOBILENET_BLOCK10.inputNorm, blurPasses: 0 };
  const v: { smoothX?: number; power?: number } = {};
  if (mode === 'image' || mode === 'channel' || mode === 'none' || mode === 'gain') inputNorm.mode = mode;
  else throw new Error(`unknown variant ${mode}`);
  for (const p of params) {
    const [k, value] = p.split('=');
    if (k === 'smoothX' || k === 'power') v[k] = Number(value);
    else if (k === 'minStd' || k === 'minMean' || k === 'targetStd' || k === 'targetMean' || k === 'blurPasses') inputNorm[k] = Number(value);
    else throw new Error(`unknown variant parameter ${k}`);
  }
  return { ...v, inputNorm };
}

/** Writes the variant's model and manifest under out/models; returns the frontend config section. */
async function variantFrontend(spec: string, base: { frontend: Record<string, unknown> }): Promise<Record<string, unknown>> {
  const variant = parseVariant(spec);
  if (variant === 'shipped') return base.frontend;
  const dir = path.resolve(args.out!, 'models', spec.replace(/[^a-zA-Z0-9.=-]/g, '_'));
  await mkdir(dir, { recursive: true });
  const source = readNsfwjsMobileNetV2();
  const bytes = buildMobileNetBlock10({ source, variant });
  const manifest = mobileNetBlock10Manifest(source, createHash('sha256').update(bytes).digest('hex'));
  await writeFile(path.join(dir, MOBILENET_BLOCK10.file), bytes);
  await writeFile(path.join(dir, MOBILENET_BLOCK10.manifestFile), YAML.stringify(manifest));
  return { kind: 'onnx', manifest: path.join(dir, MOBILENET_BLOCK10.manifestFile) };
}

/** A --gates or --along entry: 'default' = the config's section; otherwise key=value pairs over it. */
function overrideSection(spec: string, base: Record<string, unknown>): Record<string, unknown> {
  if (spec === 'default') return base;
  const out: Record<string, unknown> = { ...base };
  for (const p of spec.split(',')) {
    const [k, v] = p.split('=');
    out[k] = v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v);
  }
  return out;
}

async function main(): Promise<void> {
  const base = await loadPipelineConfig(args.config ? path.resolve(args.config) : path.join(packageRoot(), DEFAULT_CONFIG_FILE));
  const rows: Record<string, unknown>[] = [];
  const report = (row: Record<string, unknown>, m: { recall: Record<string, number | null>; averagePrecision: number | null; recallAtPrecision100: number | null }) => {
    const full = { ...row, r1: m.recall['1'], ap: m.averagePrecision, rAtP100: m.recallAtPrecision100 };
    rows.push(full);
    console.error(
      `${String(row.variant).padEnd(10)} ${String(row.gate).padEnd(34)} ${String(row.case).padEnd(22)} L${row.L} R@1 ${m.recall['1']?.toFixed(3)} AP ${m.averagePrecision?.toFixed(3)} R@100%P ${m.recallAtPrecision100?.toFixed(3)}`,
    );
  };
  for (const variant of args.variants!.split(';')) {
    const frontendSection = await variantFrontend(variant, { frontend: relocatableConfig(base).frontend });
    const gates = args.gates!.split(';').flatMap((gate) => args.along!.split(';').map((along) => ({ gate, along })));
    const name = ({ gate, along }: { gate: string; along: string }, L: number) =>
      `${variant}${gate === 'default' ? '' : `+gate(${gate})`}${along === 'default' ? '' : `+along(${along})`}-L${L}`.replace(/[^a-zA-Z0-9.=-]/g, '_');
    const label = ({ gate, along }: { gate: string; along: string }) => `${gate}${along === 'default' ? '' : ` along(${along})`}`;
    const rerankSection = (parsed: { rerank?: { alongTrack?: Record<string, unknown> } }, along: string) =>
      variant === 'shipped' && parsed.rerank ? { ...parsed.rerank, alongTrack: overrideSection(along, parsed.rerank.alongTrack ?? {}) } : { enabled: false };
    for (const L of args.lengths!.split(',').map(Number)) {
      for (const spec of args.demo ? args.demo.split(',') : []) {
        const [appearance, lane] = spec.split(':');
        const bags = await demoBags(args.out!, Number(args.seed), appearance, lane);
        // The gate is query-side: one map per (variant, L, case), shared by the gate settings.
        const sharedMap = gates.length > 1 ? path.resolve(args.out!, 'runs', `s${args.seed}-${appearance}_${lane}-${name({ gate: 'default', along: 'default' }, L)}-map`) : undefined;
        for (const gate of gates) {
          const parsed = relocatableConfig(base);
          const raw = { ...parsed, frontend: frontendSection, windowLength: L, rerank: rerankSection(parsed, gate.along), motionGate: overrideSection(gate.gate, parsed.motionGate ?? {}) };
          const configPath = path.resolve(args.out!, 'configs', `${name(gate, L)}.yaml`);
          await mkdir(path.dirname(configPath), { recursive: true });
          await writeFile(configPath, YAML.stringify(raw));
          const runDir = path.resolve(args.out!, 'runs', `s${args.seed}-${appearance}_${lane}-${name(gate, L)}`);
          const m = await evalOnDemo(bags, configPath, runDir, sharedMap);
          report({ variant, gate: label(gate), case: `demo s${args.seed} ${spec}`, L }, m);
        }
      }
    }
    const nordlandCases = args.nordland ? args.nordland.split(',') : [];
    if (nordlandCases.length > 0) {
      const { summer, winter } = nordlandSeasons(args.data!);
      const { start, end } = parseRange(args.range!);
      const loaded = pipelineConfigSchema.parse({ ...YAML.parse(base.text), frontend: frontendSection });
      const frameEncoder = new CachingFrameEncoder(await createFrameEncoder(loaded.frontend));
      try {
        for (const L of args.lengths!.split(',').map(Number)) {
          const parsed = relocatableConfig(base);
          const config = pipelineConfigSchema.parse({ ...parsed, frontend: frontendSection, windowLength: L, rerank: rerankSection(parsed, 'default') });
          const frontend = await createFrontend({ ...base, config }, { frameEncoder });
          const { map } = await buildMap(stretch(summer, start, end, 'none'), frontend, { source: `${summer} ${args.range}` });
          for (const gate of gates) {
            const gated = pipelineConfigSchema.parse({ ...config, rerank: rerankSection(parsed, gate.along), motionGate: overrideSection(gate.gate, parsed.motionGate ?? {}) });
            for (const query of nordlandCases) {
              const run = await evaluate(stretch(winter, start, end, query), createRecognizer({ ...frontend, config: gated }, map), { keepColumns: false });
              report({ variant, gate: label(gate), case: `nordland ${args.range} ${query}`, L }, computeMetrics(run.records, alignedGroundTruth(1, map.size)));
            }
          }
        }
      } finally {
        await frameEncoder.close();
      }
    }
  }
  if (args.json) await writeFile(args.json, JSON.stringify(rows, null, 2));
}

await main();
