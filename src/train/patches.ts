// `seqvpr train patches` as a function: learns the projection inside the built-in patch model (the
// re-ranker's local features) from two traversals of a route, in place of its fixed random one, and
// writes that patch model plus a pipeline.yaml with re-ranking that uses it.
//
// With the built-in CNN as the frontend, the frame model and the learned patch model are also
// written merged into one model (the backbone once), and pipeline.yaml's frontend names it, so that
// one run per frame gives the descriptor and the grid, as the built-in pair does. The folder holds
// every model file it names (a copy of the built-in frame model among them).
//
// Input: the patch model's cells before projection (16 x 8 cells of 96 channels, extracted with
// config/patch-cells.yaml). The fit is the trained frontend's per-cell one (frontend/per-cell.ts:
// within-place whitening of each query cell against the same cell of its matching map frame, then
// LDA), applied to every cell. The projection runs in the graph before the run's centring, so it is
// fitted on uncentred cells, as the graph sees them. Output size and shrinkage are chosen by frame
// Recall@1 of the projected, run-centred grids on the validation frames; the fixed projection is
// the baseline reported next to it.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { writeFileAtomic } from '../core/atomic-write.js';
import { ConfigError } from '../core/errors.js';
import { DescriptorMatrix } from '../core/matrix.js';
import { packageRoot } from '../core/package-root.js';
import { l2NormalizeInPlace } from '../core/vector.js';
import { MOBILENET_BLOCK10 } from '../encoders/builtin/mobilenet-block10.js';
import { buildMobileNetPatches, fixedPatchProjection, mobileNetPatchesManifest } from '../encoders/builtin/mobilenet-patches.js';
import { buildMobileNetWithPatches, mobileNetWithPatchesManifest } from '../encoders/builtin/mobilenet-with-patches.js';
import { readNsfwjsMobileNetV2, type NsfwjsModelFiles } from '../encoders/builtin/nsfwjs-model.js';
import { MOBILENET_PATCHES, MOBILENET_WITH_PATCHES } from '../encoders/builtin/patch-model-spec.js';
import { frameManifestPath } from '../encoders/factory.js';
import { frameModelManifestSchema, loadManifest } from '../encoders/manifest.js';
import { createFrontend } from '../pipeline/assemble.js';
import { loadPipelineConfig } from '../pipeline/config.js';
import type { CenteringConfig } from '../encoders/centering.js';
import { sha256Hex } from '../map/map-files.js';
import { PatchCentering } from '../rerank/patch-centering.js';
import { readDescriptorSet } from './descriptor-set.js';
import { fitDiscriminativeProjection } from './frontend/discriminative.js';
import { finite } from './frontend/run.js';
import { cellSpace, type GridLayout } from './frontend/per-cell.js';
import { sequenceRecall } from './seqnet/recall.js';
import { groundTruthFor, sameIdentity, splitTrainVal, type ValidationSplitOptions } from './seqnet/run.js';
import type { FrameRange, TraversalPair } from './seqnet/sequences.js';

export interface PatchTrainOptions extends ValidationSplitOptions {
  /** Map-side and query-side patch cells of one route (seqvpr extract --config config/patch-cells.yaml). */
  db: string;
  query: string;
  /** The pipeline with re-ranking that gets the learned patch model (default: config/default.yaml). */
  config?: string;
  /** Candidate output sizes per cell and shrinkages; the best pair on validation is kept. */
  cellDims?: readonly number[];
  regularizations?: readonly number[];
  seed?: number;
  out: string;
  log?: (message: string) => void;
}

export const PATCH_TRAIN_DEFAULTS = { cellDims: [16, 32], regularizations: [0.03, 0.1, 0.3, 1] } as const;
export const PATCH_TRAIN_FILES = {
  model: 'patches.onnx',
  manifest: 'patches.yaml',
  combinedModel: 'frame-with-patches.onnx',
  combinedManifest: 'frame-with-patches.yaml',
  config: 'pipeline.yaml',
  summary: 'training.json',
} as const;

export interface PatchCandidate {
  cellDim: number;
  regularization: number;
  val: { r1: number; r5: number };
}

export interface PatchTrainResult {
  configPath: string;
  manifestPath: string;
  /** Validation recall with the built-in model's fixed projection (the baseline to beat). */
  baseline: { r1: number; r5: number; queries: number };
  candidates: PatchCandidate[];
  chosen: PatchCandidate;
  pairs: number;
}

const SPEC = MOBILENET_PATCHES;
const LAYOUT: GridLayout = { channels: MOBILENET_BLOCK10.featureChannels, cells: SPEC.cellsX * SPEC.cellsY, cellMajor: true };

export async function runPatchTraining(options: PatchTrainOptions): Promise<PatchTrainResult> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 123;
  const loaded = await loadPipelineConfig(options.config ?? path.join(packageRoot(), 'config', 'default.yaml'));
  if (!loaded.config.rerank.enabled) throw new ConfigError(`${loaded.file} does not re-rank; train patches writes a patch model for a pipeline with rerank.enabled`);
  if (loaded.config.rerank.model) throw new ConfigError(`${loaded.file} uses its own patch model (rerank.model); train patches learns the built-in one's projection`);
  const cellsConfig = path.join(packageRoot(), 'config', 'patch-cells.yaml');
  const cellsFrontend = await createFrontend(await loadPipelineConfig(cellsConfig));
  const expected = cellsFrontend.identity.encoder;
  await cellsFrontend.close();

  const db = await readDescriptorSet(options.db);
  const query = await readDescriptorSet(options.query);
  const identity = sameIdentity([db, query]);
  if ((identity && identity.hash !== expected.hash) || db.matrix.dim !== expected.dim) {
    throw new ConfigError(`${options.db} and ${options.query} must hold the patch model's cells (${expected.dim} values a frame); extract them with --config ${cellsConfig}`);
  }
  const gt = await groundTruthFor(options.gt, db, query);
  const { trainPair, valPair } = await splitTrainVal(options, db, query, gt, 1);

  const space = cellSpace(trainPair, LAYOUT);
  const score = (head: Float32Array, k: number): { r1: number; r5: number; queries: number } => validationRecall(valPair, head, k, loaded.config.centering);
  const baseline = score(fixedPatchProjection(), SPEC.dim);
  log(`built-in patch projection (fixed, ${SPEC.dim} per cell): val R@1 ${baseline.r1.toFixed(3)} R@5 ${baseline.r5.toFixed(3)} (${baseline.queries} queries)`);
  const candidates: (PatchCandidate & { head: Float32Array })[] = [];
  let pairs = 0;
  for (const cellDim of (options.cellDims ?? PATCH_TRAIN_DEFAULTS.cellDims).filter((k) => k <= LAYOUT.channels)) {
    for (const regularization of options.regularizations ?? PATCH_TRAIN_DEFAULTS.regularizations) {
      const fit = fitDiscriminativeProjection(space, { outputDim: cellDim, regularization, seed });
      pairs = fit.pairs;
      const { r1, r5 } = score(fit.head, fit.outputDim);
      candidates.push({ cellDim: fit.outputDim, regularization, val: { r1, r5 }, head: fit.head });
      log(`per cell ${LAYOUT.channels} -> ${fit.outputDim}, shrinkage ${regularization}: val R@1 ${r1.toFixed(3)} R@5 ${r5.toFixed(3)}`);
    }
  }
  if (candidates.length === 0) throw new ConfigError(`no candidate output size fits the ${LAYOUT.channels} channels of a cell; give --cell-dims <= ${LAYOUT.channels}`);
  const chosen = candidates.reduce((a, b) => (b.val.r1 > a.val.r1 || (b.val.r1 === a.val.r1 && b.val.r5 > a.val.r5) ? b : a));

  const outDir = path.resolve(options.out);
  await mkdir(outDir, { recursive: true });
  const name = `${SPEC.name}-learned`;
  const source = readNsfwjsMobileNetV2();
  const bytes = buildMobileNetPatches({ source, learned: chosen.head, name });
  const trainedOn = `(seqvpr train patches: per cell within-place whitening with shrinkage ${chosen.regularization} and LDA, from ${path.basename(options.db)} / ${path.basename(options.query)})`;
  const manifest = mobileNetPatchesManifest(source, sha256Hex(bytes), chosen.cellDim, { name, file: PATCH_TRAIN_FILES.model, learned: trainedOn });
  const manifestPath = path.join(outDir, PATCH_TRAIN_FILES.manifest);
  // Model first, manifest last: a manifest on disk always names a complete model.
  await writeFileAtomic(path.join(outDir, PATCH_TRAIN_FILES.model), bytes);
  await writeFileAtomic(manifestPath, YAML.stringify(manifest));
  const raw = YAML.parse(loaded.text) as Record<string, unknown>;
  const rerank = { ...(raw.rerank as Record<string, unknown>), model: PATCH_TRAIN_FILES.manifest, cellsX: SPEC.cellsX, cellsY: SPEC.cellsY };
  // With the built-in CNN as frontend, the frame model and the learned patch model merged: one run
  // gives both, as for the built-in pair. Another frontend stays, its manifest named absolutely (the
  // config now lives in outDir).
  const base = loaded.config.frontend;
  const frontend =
    base.kind === 'builtin-cnn'
      ? { kind: 'onnx', manifest: await writeCombinedModel(source, outDir, bytes, name, manifestPath) }
      : { ...(raw.frontend as Record<string, unknown>), ...(base.kind === 'onnx' && { manifest: frameManifestPath(base, { baseDir: path.dirname(loaded.file) }) }) };
  const configPath = path.join(outDir, PATCH_TRAIN_FILES.config);
  await writeFileAtomic(
    configPath,
    `# ${loaded.file} with a learned patch model: ${name} (seqvpr train patches).\n` +
      '# Maps must be built with this config (their patch grids come from that model).\n' +
      YAML.stringify({ ...raw, name: `${String(raw.name ?? loaded.config.name)}-patches-learned`, frontend, rerank }),
  );
  const summary: PatchTrainResult = { configPath, manifestPath, baseline, candidates: candidates.map(({ head: _head, ...c }) => c), chosen: { cellDim: chosen.cellDim, regularization: chosen.regularization, val: chosen.val }, pairs };
  const split = { train: { db: trainPair.dbRows, query: trainPair.queryRows }, val: { db: valPair.dbRows, query: valPair.queryRows } };
  await writeFile(path.join(outDir, PATCH_TRAIN_FILES.summary), JSON.stringify({ ...summary, split, db: path.resolve(options.db), query: path.resolve(options.query), gt: options.gt, baseConfig: loaded.file }, finite, 1) + '\n');
  return summary;
}

/**
 * The built-in frame model and the learned patch model as one model (mergeModels: the backbone
 * once), with its manifest naming the two; returns the manifest's file name.
 */
async function writeCombinedModel(source: NsfwjsModelFiles, outDir: string, patchBytes: Uint8Array, patchesName: string, patchesManifest: string): Promise<string> {
  const name = `${MOBILENET_WITH_PATCHES.name}-learned`;
  const bytes = buildMobileNetWithPatches({ source, patches: { bytes: patchBytes, name: patchesName }, name });
  // A copy of the built-in frame model beside it (same bytes, same identity): the folder is self-contained and can move to the robot.
  for (const file of [MOBILENET_BLOCK10.file, MOBILENET_BLOCK10.manifestFile]) await copyFile(path.join(packageRoot(), 'models', file), path.join(outDir, file));
  const hash = async (file: string) => (await loadManifest(path.join(outDir, file), frameModelManifestSchema)).hash;
  const patchesFile = path.basename(patchesManifest);
  const manifest = mobileNetWithPatchesManifest(source, sha256Hex(bytes), { frame: await hash(MOBILENET_BLOCK10.manifestFile), patches: await hash(patchesFile) }, {
    name,
    model: PATCH_TRAIN_FILES.combinedModel,
    frameManifest: MOBILENET_BLOCK10.manifestFile,
    patchesManifest: patchesFile,
    patchesName,
  });
  await writeFileAtomic(path.join(outDir, PATCH_TRAIN_FILES.combinedModel), bytes);
  await writeFileAtomic(path.join(outDir, PATCH_TRAIN_FILES.combinedManifest), YAML.stringify(manifest));
  return PATCH_TRAIN_FILES.combinedManifest;
}

/**
 * Frame Recall@1 / @5 of the validation frames with every cell projected by `head` [k x channels]
 * and normalised, then centred along each run from its first frame as the re-ranker centres grids.
 */
function validationRecall(pair: TraversalPair, head: Float32Array, k: number, centering: CenteringConfig): { r1: number; r5: number; queries: number } {
  const db = centredGrids(pair.db, head, k, pair.dbRows, centering);
  const query = centredGrids(pair.query, head, k, pair.queryRows, centering);
  const positives = rowsOf(pair.queryRows, pair.query.rows).map((q) =>
    pair.positives(q).filter((j) => j >= pair.dbRows.start && j < Math.min(pair.dbRows.end, pair.db.rows)).map((j) => j - pair.dbRows.start),
  );
  const r = sequenceRecall(db.data, query.data, db.dim, positives, [1, 5]);
  return { r1: r.recall[1], r5: r.recall[5], queries: r.queries };
}

/** Frames `rows` of `cells` (a run from its first frame), projected, centred and each grid normalised as one vector. */
function centredGrids(cells: DescriptorMatrix, head: Float32Array, k: number, rows: FrameRange, centering: CenteringConfig): DescriptorMatrix {
  const { channels, cells: n } = LAYOUT;
  // The pipeline's centring settings, as map building and the query run centre patch grids.
  const centring = new PatchCentering(centering, { cellsX: SPEC.cellsX, cellsY: SPEC.cellsY, dim: k });
  const kept = rowsOf(rows, cells.rows);
  const out = new DescriptorMatrix(kept.length, n * k);
  if (kept.length === 0) return out;
  const grid = new Float32Array(n * k);
  for (let r = 0; r < Math.min(cells.rows, kept.at(-1)! + 1); r++) {
    const row = cells.row(r);
    for (let c = 0; c < n; c++) {
      for (let o = 0; o < k; o++) {
        let s = 0;
        for (let ch = 0; ch < channels; ch++) s += head[o * channels + ch] * row[c * channels + ch];
        grid[c * k + o] = s;
      }
      l2NormalizeInPlace(grid.subarray(c * k, c * k + k));
    }
    const centred = centring.apply(grid);
    if (r >= kept[0]) out.row(r - kept[0]).set(l2NormalizeInPlace(Float32Array.from(centred)));
  }
  return out;
}

function rowsOf(range: FrameRange, rows: number): number[] {
  const out: number[] = [];
  for (let r = Math.max(0, range.start); r < Math.min(range.end, rows); r++) out.push(r);
  return out;
}
