// Trains SeqNet on nordland64 with the project's own tools and compares it with the fixed sequence
// descriptors (smoothing, delta) on held-out TEST frames: (a) as sequence descriptors alone (R@N by
// nearest sequence), (b) in the hierarchical pipeline (sequence retrieval -> SeqSLAM), run for real
// (map built from the summer test frames, winter test frames localised one at a time).
//
// Every step is the library call behind a CLI command (extract, pca fit, pca compose, train seqnet,
// export), on disjoint stretches of the route: PCA and SeqNet see only the TRAIN frames, the best
// epoch is chosen on the VAL frames, and the TEST frames are only evaluated. Each stretch is
// extracted as its own traversal (appearance centring starts afresh), as a map of it would be.
//
//   npx tsx bench/seqnet-nordland.ts [--data ../shared/data/nordland64] [--out out/seqnet-nordland]
//       [--train 17:1200] [--val 1250:1550] [--test 1600:2400] [--length 10] [--kernel 5]
//       [--pca-dims 256] [--epochs 6] [--lr 1e-3] [--random-epochs 6] [--random-lr 1e-4] [--seed 123]
//       [--markdown FILE]
import { nordlandSeasons } from './nordland-data.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { DescriptorMatrix } from '../src/core/matrix.js';
import type { Frame } from '../src/core/types.js';
import { CachingFrameEncoder } from '../src/encoders/caching.js';
import { createFrameEncoder, frameManifestPath } from '../src/encoders/factory.js';
import { createSequenceEncoder, type SequenceEncoderConfig } from '../src/encoders/sequence/factory.js';
import { evaluate } from '../src/eval/evaluate.js';
import { alignedGroundTruth } from '../src/eval/ground-truth.js';
import { computeMetrics } from '../src/eval/metrics.js';
import { createFrontend, createRecognizer } from '../src/pipeline/assemble.js';
import { buildMap } from '../src/pipeline/build-map.js';
import { loadPipelineConfig, pipelineConfigSchema } from '../src/pipeline/config.js';
import { imageFolderFrames } from '../src/sources/image-folder.js';
import { composeFrontend } from '../src/train/compose.js';
import { extractDescriptors, frameRange, parseRange } from '../src/train/extract.js';
import { readNpyMatrix } from '../src/train/npy.js';
import { fitPcaFiles } from '../src/train/pca-run.js';
import { exportSeqNet } from '../src/train/seqnet/export.js';
import { sequenceRecall } from '../src/train/seqnet/recall.js';
import { runSeqNetTraining } from '../src/train/seqnet/run.js';
import type { SeqNetInit } from '../src/train/seqnet/model.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/nordland64' },
    out: { type: 'string', default: 'out/seqnet-nordland' },
    train: { type: 'string', default: '17:1200' },
    val: { type: 'string', default: '1250:1550' },
    test: { type: 'string', default: '1600:2400' },
    length: { type: 'string', default: '10' },
    kernel: { type: 'string', default: '5' },
    'pca-dims': { type: 'string', default: '256' },
    epochs: { type: 'string', default: '6' },
    lr: { type: 'string', default: '1e-3' },
    'random-epochs': { type: 'string', default: '6' },
    'random-lr': { type: 'string', default: '1e-4' },
    seed: { type: 'string', default: '123' },
    markdown: { type: 'string' },
  },
});

const L = Number(args.length);
const W = Number(args.kernel);
const out = path.resolve(args.out!);
const seasons = ['summer', 'winter'] as const;
const stretches = { train: parseRange(args.train!), val: parseRange(args.val!), test: parseRange(args.test!) };
const log = (m: string): void => void process.stderr.write(`${m}\n`);
const seconds = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

/** Extracts one stretch of one season with a pipeline config (library call of `seqvpr extract`). */
async function extract(configFile: string, season: string, stretch: keyof typeof stretches, file: string): Promise<string> {
  const loaded = await loadPipelineConfig(configFile);
  const frontend = await createFrontend(loaded);
  try {
    const { start, end } = stretches[stretch];
    const dir = path.join(args.data!, season);
    await extractDescriptors(frameRange(imageFolderFrames(dir), start, end), frontend, file, { source: `${dir} frames ${start}:${end}`, configFile: loaded.file });
  } finally {
    await frontend.close();
  }
  return file;
}

/** The stretch [start, end) as its own traversal, re-indexed from 0 (the map and the ground truth count from there). */
async function* stretchFrames(dir: string, range: { start: number; end: number }): AsyncGenerator<Frame> {
  let index = 0;
  for await (const frame of frameRange(imageFolderFrames(dir), range.start, range.end)) yield { ...frame, index: index++ };
}

async function main(): Promise<void> {
  nordlandSeasons(args.data!);
  await mkdir(out, { recursive: true });
  const desc = path.join(out, 'descriptors');
  const t0 = performance.now();

  // 1. Base descriptors of the TRAIN stretch (built-in CNN + centring), for the PCA.
  const baseConfig = path.join(out, 'base.yaml');
  await writeFile(baseConfig, YAML.stringify({ name: 'base', frontend: { kind: 'builtin-cnn' }, sequence: { kind: 'single' }, matcher: { kind: 'seqslam' } }));
  const base = await Promise.all(seasons.map((s) => extract(baseConfig, s, 'train', path.join(desc, `base-${s}-train.npy`))));
  log(`base descriptors extracted (${seconds(t0)})`);

  // 2. PCA (whitened) on the TRAIN frames of both seasons; 3. the CNN composed with it.
  const pcaDir = path.join(out, `pca${args['pca-dims']}w`);
  const pca = await fitPcaFiles({ inputs: base, dims: Number(args['pca-dims']), whiten: true, out: pcaDir, seed: Number(args.seed) });
  log(`PCA ${pca.fit.inputDim} -> ${pca.fit.outputDim} fitted on ${pca.rows} descriptors (${pca.fit.solver.method}, ${pca.fit.solver.iterations} iterations; ${seconds(t0)})`);
  const composed = await composeFrontend(frameManifestPath({ kind: 'builtin-cnn' })!, pcaDir, path.join(out, 'frontend'));

  // 4. Training data = exactly what a map with the composed frontend stores.
  const files: Record<string, string> = {};
  for (const s of seasons) {
    for (const stretch of ['train', 'val', 'test'] as const) {
      files[`${s}-${stretch}`] = await extract(composed.configPath, s, stretch, path.join(desc, `pca-${s}-${stretch}.npy`));
    }
  }
  log(`PCA descriptors extracted (${seconds(t0)})`);

  // 5. Train SeqNet twice: from PyTorch's random init (the reference recipe) and from whitened delta.
  const models: { key: string; label: string; init: SeqNetInit; epochs: number; lr: number }[] = [
    { key: 'seqnet-random', label: 'SeqNet (random init)', init: 'random', epochs: Number(args['random-epochs']), lr: Number(args['random-lr']) },
    { key: 'seqnet-wdelta', label: 'SeqNet (whitened-delta init)', init: 'whitened-delta', epochs: Number(args.epochs), lr: Number(args.lr) },
  ];
  const trained: Record<string, { manifest: string; bestEpoch: number; valR1: number; valR5: number; init: { r1: number; r5: number }; termsPerSecond: number; queriesPerSecond: number; trainSeconds: number }> = {};
  for (const m of models) {
    const t = performance.now();
    const result = await runSeqNetTraining({
      db: files['summer-train'],
      query: files['winter-train'],
      gt: 'aligned:1',
      valDb: files['summer-val'],
      valQuery: files['winter-val'],
      seqLength: L,
      kernel: W,
      outputDim: pca.fit.outputDim,
      pca: pcaDir,
      out: path.join(out, m.key),
      train: { epochs: m.epochs, seed: Number(args.seed), init: m.init, optimizer: { kind: 'adam', lr: m.lr, momentum: 0.9, weightDecay: 0 } },
      onEpoch: (r, best) => log(`  ${m.key} epoch ${r.epoch}: loss ${r.loss.toFixed(4)} val R@1 ${r.val.r1.toFixed(3)} R@5 ${r.val.r5.toFixed(3)}${best ? ' (best)' : ''}`),
    });
    const exported = await exportSeqNet({ model: result.outDir, out: path.join(out, `${m.key}-export`), pca: pcaDir, frameManifest: frameManifestPath({ kind: 'builtin-cnn' })! });
    exported.notes.forEach((n) => log(`  ${n}`));
    trained[m.key] = {
      manifest: exported.manifestPath,
      bestEpoch: result.best.epoch,
      valR1: result.best.record.val.r1,
      valR5: result.best.record.val.r5,
      init: { r1: result.history[0].val.r1, r5: result.history[0].val.r5 },
      termsPerSecond: result.throughput.termsPerSecond,
      queriesPerSecond: result.throughput.queriesPerSecond,
      trainSeconds: (performance.now() - t) / 1000,
    };
    log(`${m.key}: best epoch ${result.best.epoch} (val R@5 ${result.best.record.val.r5.toFixed(3)}), ${Math.round(result.throughput.termsPerSecond)} triplets/s (${seconds(t0)})`);
  }

  // (a) Sequence descriptors alone on the TEST frames: nearest DB sequence, tolerance 1 frame.
  const dbTest = await readNpyMatrix(files['summer-test']);
  const qTest = await readNpyMatrix(files['winter-test']);
  const variants: { key: string; label: string; config: SequenceEncoderConfig }[] = [
    { key: 'single', label: 'single (newest frame)', config: { kind: 'single', length: L } },
    { key: 'smoothing', label: 'smoothing', config: { kind: 'smoothing', length: L } },
    { key: 'delta', label: 'delta', config: { kind: 'delta', length: L } },
    ...models.map((m) => ({ key: m.key, label: m.label, config: { kind: 'onnx' as const, manifest: trained[m.key].manifest } })),
  ];
  const windowsOf = (x: DescriptorMatrix): Float32Array[][] =>
    Array.from({ length: x.rows - L + 1 }, (_, i) => Array.from({ length: L }, (_, t) => x.row(i + t)));
  const positives = Array.from({ length: dbTest.rows - L + 1 }, (_, i) => [i - 1, i, i + 1].filter((j) => j >= 0 && j <= dbTest.rows - L));
  const alone: Record<string, { r1: number; r5: number; r10: number; queries: number }> = {};
  for (const v of variants) {
    const enc = await createSequenceEncoder(v.config, { frameDim: dbTest.dim });
    try {
      const db = DescriptorMatrix.fromRows(await enc.encode(windowsOf(dbTest)));
      const q = DescriptorMatrix.fromRows(await enc.encode(windowsOf(qTest)));
      const r = sequenceRecall(db.data, q.data, db.dim, positives, [1, 5, 10]);
      alone[v.key] = { r1: r.recall[1], r5: r.recall[5], r10: r.recall[10], queries: r.queries };
    } finally {
      await enc.close();
    }
  }
  log(`(a) done (${seconds(t0)})`);

  // (b) The real pipeline on the TEST stretch: map from summer test frames, winter test frames as queries.
  const summerDir = path.join(args.data!, 'summer');
  const winterDir = path.join(args.data!, 'winter');
  const composedEncoder = new CachingFrameEncoder(await createFrameEncoder({ kind: 'onnx', manifest: composed.manifestPath }));
  const pipeline: Record<string, { r1: number; r5: number; ap: number; rAtP100: number; matchP50Ms: number; queries: number }> = {};
  const runPipeline = async (key: string, raw: Record<string, unknown>, frameEncoder?: CachingFrameEncoder): Promise<void> => {
    const loaded = { config: pipelineConfigSchema.parse(raw), file: path.join(out, `${key}.yaml`), text: YAML.stringify(raw) };
    const frontend = await createFrontend(loaded, frameEncoder ? { frameEncoder } : {});
    try {
      const { map } = await buildMap(stretchFrames(summerDir, stretches.test), frontend, { source: `${summerDir} ${args.test}` });
      const run = await evaluate(stretchFrames(winterDir, stretches.test), createRecognizer(frontend, map), { keepColumns: false });
      const m = computeMetrics(run.records, alignedGroundTruth(1, map.size), { wallTimeMs: run.wallTimeMs });
      pipeline[key] = {
        r1: m.recall['1']!, r5: m.recall['5']!, ap: m.averagePrecision!, rAtP100: m.recallAtPrecision100!,
        matchP50Ms: run.stageTimer.summary().match?.p50 ?? 0, queries: m.queriesWithGroundTruth,
      };
      log(`(b) ${key}: R@1 ${m.recall['1']!.toFixed(3)} R@5 ${m.recall['5']!.toFixed(3)} AP ${m.averagePrecision!.toFixed(3)} (${seconds(t0)})`);
    } finally {
      if (!frameEncoder) await frontend.close();
      else await frontend.sequenceEncoder?.close();
    }
  };
  for (const v of variants.filter((x) => x.key !== 'single')) {
    await runPipeline(v.key, {
      name: `hierarchical-${v.key}`,
      frontend: { kind: 'onnx', manifest: composed.manifestPath },
      sequence: v.config,
      retrieval: { source: 'sequence', k: 10 },
      matcher: { kind: 'seqslam', maxCandidates: 20 },
      windowLength: L,
    }, composedEncoder);
  }
  await composedEncoder.close();
  // Reference: the default pipeline (built-in CNN, frame votes -> SeqSLAM) on the same stretch.
  await runPipeline('default', { ...(YAML.parse(await readFile('config/default.yaml', 'utf8')) as object), windowLength: L });

  const results = { split: { train: args.train, val: args.val, test: args.test, gap: 'frames between stretches are unused' }, L, kernel: W, pcaDims: pca.fit.outputDim, trained, alone, pipeline, seconds: (performance.now() - t0) / 1000 };
  await writeFile(path.join(out, 'results.json'), JSON.stringify(results, null, 2) + '\n');

  const f = (v: number): string => v.toFixed(3);
  const lines: string[] = [];
  const say = (text: string): void => void lines.push(text);
  say(`\n(a) Sequence descriptor alone, TEST frames ${args.test} (${alone.delta.queries} winter queries, nearest summer sequence, tolerance 1), L = ${L}, ${pca.fit.outputDim}-D PCA-whitened CNN descriptors\n`);
  say('| descriptor | R@1 | R@5 | R@10 |');
  say('|---|---|---|---|');
  for (const v of variants) say(`| ${v.label} | ${f(alone[v.key].r1)} | ${f(alone[v.key].r5)} | ${f(alone[v.key].r10)} |`);
  say(`\n(b) Hierarchical pipeline on the TEST stretch (sequence descriptor top 10 -> SeqSLAM, L = ${L}; map = summer test frames, queries = winter test frames)\n`);
  say('| sequence descriptor | R@1 | R@5 | AP | R@100%P | match p50 (ms) |');
  say('|---|---|---|---|---|---|');
  for (const v of variants.filter((x) => x.key !== 'single')) {
    const p = pipeline[v.key];
    say(`| ${v.label} | ${f(p.r1)} | ${f(p.r5)} | ${f(p.ap)} | ${f(p.rAtP100)} | ${p.matchP50Ms.toFixed(2)} |`);
  }
  const d = pipeline.default;
  say(`| (reference: default pipeline, built-in CNN, frame votes -> SeqSLAM) | ${f(d.r1)} | ${f(d.r5)} | ${f(d.ap)} | ${f(d.rAtP100)} | ${d.matchP50Ms.toFixed(2)} |`);
  say('\nTraining (val = frames ' + args.val + '):\n');
  say('| model | init val R@1 / R@5 | best epoch | best val R@1 / R@5 | triplets/s | queries/s | train time (s) |');
  say('|---|---|---|---|---|---|---|');
  for (const m of models) {
    const t = trained[m.key];
    say(`| ${m.label} | ${f(t.init.r1)} / ${f(t.init.r5)} | ${t.bestEpoch} | ${f(t.valR1)} / ${f(t.valR5)} | ${Math.round(t.termsPerSecond)} | ${Math.round(t.queriesPerSecond)} | ${t.trainSeconds.toFixed(0)} |`);
  }
  const markdown = lines.join('\n') + '\n';
  process.stdout.write(markdown);
  if (args.markdown) await writeFile(args.markdown, `## SeqNet training on nordland64\n\nCommand: \`npx tsx bench/seqnet-nordland.ts\` (${results.seconds.toFixed(0)} s in all).\n${markdown}`);
}

await main();
