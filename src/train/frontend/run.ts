// `seqvpr train frontend` as a function: learns a linear projection of the frame descriptors of a
// pipeline from two traversals of a route, and writes a frontend (the frame model with the
// projection inside its ONNX graph) plus a pipeline.yaml that is the given pipeline with that
// frontend. Steps:
//   1. closed form, two kinds of candidate: global (discriminative.ts: PCA basis, then within-place
//      whitening + LDA) and, for grid descriptors, per cell (per-cell.ts: the same fit in the space
//      of one cell, applied to every cell); the kind, output size and shrinkage are chosen by frame
//      Recall@1 on the validation frames;
//   2. gradient: a chosen global head (a linear layer on the PCA coordinates, no bias) is trained
//      further with SeqNet's triplet loss and hard-negative mining (the SeqNet trainer with
//      L = w = 1); the epoch with the best validation Recall@1 is kept, epoch 0 being the closed-form
//      start. A chosen per-cell projection ships in closed form (see below).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { ConfigError } from '../../core/errors.js';
import { frameManifestPath } from '../../encoders/factory.js';
import { createFrontend } from '../../pipeline/assemble.js';
import { loadPipelineConfig } from '../../pipeline/config.js';
import { readDescriptorSet } from '../descriptor-set.js';
import { encodeWindows, SeqNetWorkspace, type SeqNetParams } from '../seqnet/model.js';
import { trainingPlotSvg } from '../seqnet/plot.js';
import { sequenceRecall } from '../seqnet/recall.js';
import { groundTruthFor, sameIdentity, splitTrainVal, type ValidationSplitOptions } from '../seqnet/run.js';
import { buildSequenceSet, type SequenceSet } from '../seqnet/sequences.js';
import { DEFAULT_TRAIN_CONFIG, trainSeqNet, type EpochRecord } from '../seqnet/trainer.js';
import { MOBILENET_BLOCK10 } from '../../encoders/builtin/mobilenet-block10.js';
import { composeProjection, fitDiscriminativeProjection, projectPair, reduceTrainingPair } from './discriminative.js';
import { fitPerCellProjection, type GridLayout } from './per-cell.js';
import { composeProjectedFrameModel, type FrameProjection } from './projection.js';

export interface FrontendTrainOptions extends ValidationSplitOptions {
  /** Map-side and query-side descriptors of one route (seqvpr extract with `config`). */
  db: string;
  query: string;
  /** The pipeline the descriptors were extracted with, and that the trained frontend replaces the frame model of (default: the built-in default). */
  config?: string;
  pcaDims?: number;
  /** Candidate output dimensions and shrinkages; the best pair on validation is kept. */
  outputDims?: readonly number[];
  regularizations?: readonly number[];
  /** Candidate output sizes per cell of a per-cell projection (empty: global candidates only). */
  cellDims?: readonly number[];
  /**
   * Cells of the descriptor (channel-major: value (channel, cell) at channel * cells + cell), for
   * per-cell candidates with an onnx frontend; the built-in CNN's grid is known.
   */
  gridCells?: number;
  /** Gradient epochs after the closed form (0 = closed form only). */
  epochs?: number;
  lr?: number;
  batchSize?: number;
  seed?: number;
  /** Map frames within this many frames of a positive are never negatives. */
  negativeExclusion?: number;
  out: string;
  onEpoch?: (record: EpochRecord, best: boolean) => void;
  log?: (message: string) => void;
}

export const FRONTEND_DEFAULTS = {
  pcaDims: 256,
  outputDims: [64, 128, 256],
  regularizations: [0.03, 0.1, 0.3, 1],
  cellDims: [8, 16, 32],
  epochs: 8,
  lr: 1e-4,
  negativeExclusion: 2,
} as const;

export interface CandidateResult {
  /** global: one projection of the whole descriptor; per-cell: one projection applied to every cell. */
  kind: 'global' | 'per-cell';
  /** Output size (per-cell: cells x `cellDim`). */
  outputDim: number;
  cellDim?: number;
  regularization: number;
  val: { r1: number; r5: number; r10: number };
}

export interface FrontendTrainResult {
  configPath: string;
  manifestPath: string;
  modelPath: string;
  /** Validation recall of the untrained pipeline's descriptors (the baseline to beat). */
  baseline: { r1: number; r5: number; r10: number; queries: number };
  candidates: CandidateResult[];
  chosen: CandidateResult;
  history: EpochRecord[];
  bestEpoch: number;
  split: { train: { db: { start: number; end: number }; query: { start: number; end: number } }; val: { db: { start: number; end: number }; query: { start: number; end: number } } };
  pcaDims: number;
  pairs: number;
}

export const FRONTEND_FILES = { config: 'pipeline.yaml', summary: 'training.json', plot: 'training.svg' } as const;

export async function runFrontendTraining(options: FrontendTrainOptions): Promise<FrontendTrainResult> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 123;
  const loaded = await loadPipelineConfig(options.config);
  const baseDir = path.dirname(loaded.file);
  const baseManifest = frameManifestPath(loaded.config.frontend, { baseDir });
  if (!baseManifest) {
    throw new ConfigError(`train frontend puts the projection inside the frame model's ONNX graph; ${loaded.file} uses the ${loaded.config.frontend.kind} frontend, choose a config with builtin-cnn or onnx`);
  }
  const frontend = await createFrontend(loaded);
  const expected = frontend.identity.encoder;
  await frontend.close();

  const db = await readDescriptorSet(options.db);
  const query = await readDescriptorSet(options.query);
  const identity = sameIdentity([db, query]);
  if (identity && identity.hash !== expected.hash) {
    throw new ConfigError(`${options.db} holds ${identity.id} descriptors, but ${loaded.file} produces ${expected.id}; extract them with --config ${loaded.file}`);
  }
  if (db.matrix.dim !== expected.dim) throw new ConfigError(`${options.db} has ${db.matrix.dim}-d descriptors, ${loaded.file} produces ${expected.dim}-d ones`);
  const gt = await groundTruthFor(options.gt, db, query);
  const { trainPair, valPair } = await splitTrainVal(options, db, query, gt, 1);

  // 1. Closed form: PCA basis of the training frames, then the head per candidate.
  const space = reduceTrainingPair(trainPair, options.pcaDims ?? FRONTEND_DEFAULTS.pcaDims, seed);
  const p = space.dims;
  const trainReduced = space.train;
  const valReduced = projectPair(valPair, space.basis, p);
  const exclusion = options.negativeExclusion ?? FRONTEND_DEFAULTS.negativeExclusion;
  const trainSet = buildSequenceSet(trainReduced, 1, 1, exclusion);
  const valSet = buildSequenceSet(valReduced, 1, 1, exclusion);
  if (!trainSet.positives.some((x) => x.length > 0)) throw new ConfigError('no training query has a positive map frame; check --gt and the frame ranges');
  if (!valSet.positives.some((x) => x.length > 0)) throw new ConfigError('no validation query has a positive map frame; check the validation split and its ground truth');
  const baseValSet = buildSequenceSet(valPair, 1, 1, exclusion);
  const baseline = recallOf(baseValSet, baseValSet.dbFeatures, baseValSet.queryFeatures, db.matrix.dim);
  log(`untrained descriptors: val R@1 ${baseline.r1.toFixed(3)} R@5 ${baseline.r5.toFixed(3)} (${baseline.queries} queries)`);

  // Each candidate with the start of its gradient stage: a global head acts on the PCA coordinates,
  // a per-cell projection on the descriptor itself.
  const candidates: (CandidateResult & { weight: Float32Array })[] = [];
  let pairs = 0;
  for (const outputDim of (options.outputDims ?? FRONTEND_DEFAULTS.outputDims).filter((d) => d <= p)) {
    for (const regularization of options.regularizations ?? FRONTEND_DEFAULTS.regularizations) {
      const fit = fitDiscriminativeProjection(space, { outputDim, regularization, seed });
      pairs = fit.pairs;
      const head = unitScale(fit.head, p);
      const val = evaluateHead(head, fit.outputDim, valSet);
      candidates.push({ kind: 'global', outputDim: fit.outputDim, regularization, val, weight: head });
      log(`closed form ${p} -> ${outputDim}, shrinkage ${regularization}: val R@1 ${val.r1.toFixed(3)} R@5 ${val.r5.toFixed(3)}`);
    }
  }
  const layout = gridLayout(loaded.config.frontend.kind, options.gridCells, db.matrix.dim);
  const cellDims = layout ? (options.cellDims ?? FRONTEND_DEFAULTS.cellDims).filter((k) => k <= layout.channels) : [];
  for (const cellDim of cellDims) {
    for (const regularization of options.regularizations ?? FRONTEND_DEFAULTS.regularizations) {
      const fit = fitPerCellProjection(trainPair, layout!, { outputDimPerCell: cellDim, regularization, seed });
      const weight = unitScale(fit.projection, db.matrix.dim);
      const val = evaluateHead(weight, fit.outputDim, baseValSet);
      candidates.push({ kind: 'per-cell', outputDim: fit.outputDim, cellDim, regularization, val, weight });
      log(`closed form per cell ${layout!.channels} -> ${cellDim} (x ${layout!.cells} cells), shrinkage ${regularization}: val R@1 ${val.r1.toFixed(3)} R@5 ${val.r5.toFixed(3)}`);
    }
  }
  if (candidates.length === 0) throw new ConfigError(`no candidate output dimension fits the ${p}-d PCA space; give --out-dims <= ${p}`);
  const chosen = candidates.reduce((a, b) => (b.val.r1 > a.val.r1 || (b.val.r1 === a.val.r1 && b.val.r5 > a.val.r5) ? b : a));
  const perCell = chosen.kind === 'per-cell';
  // A per-cell projection is not trained further: gradient steps on the expanded descriptor x D
  // matrix overfit, and tied to one cell head they did not help either (README, "Train a
  // frontend"). Epoch 0 is its closed form.
  const epochs = perCell ? 0 : (options.epochs ?? FRONTEND_DEFAULTS.epochs);
  if (perCell && epochs !== (options.epochs ?? FRONTEND_DEFAULTS.epochs)) log('a per-cell projection ships in closed form (no gradient epochs)');

  // 2. Gradient training from the chosen closed form (epoch 0 = that start).
  const outDir = path.resolve(options.out);
  await mkdir(outDir, { recursive: true });
  const result = await trainSeqNet(
    perCell ? buildSequenceSet(trainPair, 1, 1, exclusion) : trainSet,
    perCell ? baseValSet : valSet,
    {
      ...DEFAULT_TRAIN_CONFIG,
      outputDim: chosen.outputDim,
      epochs,
      batchSize: options.batchSize ?? DEFAULT_TRAIN_CONFIG.batchSize,
      seed,
      init: 'frame-map',
      trainBias: false,
      selectBy: 'r1',
      optimizer: { kind: 'adam', lr: options.lr ?? FRONTEND_DEFAULTS.lr, momentum: 0.9, weightDecay: 0 },
    },
    { onEpoch: (record, _params, best) => options.onEpoch?.(record, best) },
    chosen.weight,
  );

  // 3. P (a global head composed with the PCA basis), inside the frame model's graph; the pipeline is the given one with that frontend.
  const D = chosen.outputDim;
  const weight = perCell ? result.best.params.weight : composeProjection(space, result.best.params.weight);
  const trainedOn = `then ${result.best.epoch} triplet epochs) trained on ${path.basename(options.db)} / ${path.basename(options.query)}`;
  const projection: FrameProjection = perCell
    ? {
        inputDim: db.matrix.dim,
        outputDim: D,
        weight,
        name: `cell${chosen.cellDim}`,
        description:
          `a per-cell discriminative projection ${db.matrix.dim} -> ${D} (each of ${layout!.cells} cells ${layout!.channels} -> ${chosen.cellDim}, ` +
          `one projection for all cells: within-place whitening with shrinkage ${chosen.regularization}, LDA, ${trainedOn}`,
      }
    : {
        inputDim: db.matrix.dim,
        outputDim: D,
        weight,
        name: `lda${D}`,
        description: `a discriminative projection ${db.matrix.dim} -> ${D} (PCA ${p}, within-place whitening with shrinkage ${chosen.regularization}, LDA, ${trainedOn}`,
      };
  const composed = await composeProjectedFrameModel(baseManifest, projection, outDir, loaded.config.centering.enabled);
  const raw = YAML.parse(loaded.text) as Record<string, unknown>;
  const config = { ...raw, name: `${String(raw.name ?? loaded.config.name)}-${projection.name}`, frontend: { kind: 'onnx', manifest: path.basename(composed.manifestPath) } };
  const configPath = path.join(outDir, FRONTEND_FILES.config);
  await writeFileAtomic(
    configPath,
    `# ${loaded.file} with a trained frontend: ${composed.manifest.name} (seqvpr train frontend).\n` +
      '# Maps must be built with this config (its frontend differs from the untrained one).\n' +
      YAML.stringify(config),
  );
  const history = result.history;
  const split = { train: { db: trainPair.dbRows, query: trainPair.queryRows }, val: { db: valPair.dbRows, query: valPair.queryRows } };
  const summary: FrontendTrainResult = {
    configPath,
    manifestPath: composed.manifestPath,
    modelPath: composed.modelPath,
    baseline,
    candidates: candidates.map(withoutWeight),
    chosen: withoutWeight(chosen),
    history,
    bestEpoch: result.best.epoch,
    split,
    pcaDims: p,
    pairs,
  };
  await writeFile(path.join(outDir, FRONTEND_FILES.summary), JSON.stringify({ ...summary, db: path.resolve(options.db), query: path.resolve(options.query), gt: options.gt, baseConfig: loaded.file }, finite, 1) + '\n');
  await writeFile(path.join(outDir, FRONTEND_FILES.plot), trainingPlotSvg(history, result.best.epoch, { selectBy: 'r1', descriptor: 'frame' }));
  return summary;
}

/**
 * The channel-major cell layout of the descriptors, when known: the built-in CNN's grid, or
 * `gridCells` cells for an onnx frontend. Undefined: only global candidates.
 */
function gridLayout(frontendKind: string, gridCells: number | undefined, dim: number): GridLayout | undefined {
  if (gridCells !== undefined) {
    if (!Number.isInteger(gridCells) || gridCells < 1 || dim % gridCells !== 0) {
      throw new ConfigError(`--grid-cells ${gridCells} does not divide the ${dim}-d descriptor into cells of equal size`);
    }
    return { channels: dim / gridCells, cells: gridCells };
  }
  if (frontendKind !== 'builtin-cnn') return undefined;
  const { featureChannels: channels, cellsX, cellsY } = MOBILENET_BLOCK10;
  return channels * cellsX * cellsY === dim ? { channels, cells: cellsX * cellsY } : undefined;
}

/** A candidate as training.json records it (its weights are in the ONNX model). */
function withoutWeight({ weight: _weight, ...candidate }: CandidateResult & { weight: Float32Array }): CandidateResult {
  return candidate;
}

/** JSON cannot hold Infinity (open-ended frame ranges): a replacer for JSON.stringify. */
export function finite(_key: string, value: unknown): unknown {
  return value === Number.POSITIVE_INFINITY ? null : value;
}

/** The head rescaled to an RMS entry of 1/sqrt(p) (the output is L2-normalised, so scale is free; this keeps Adam's step meaningful). */
function unitScale(head: Float32Array, p: number): Float32Array {
  let s = 0;
  for (const v of head) s += v * v;
  const rms = Math.sqrt(s / head.length);
  const f = rms > 0 ? 1 / (Math.sqrt(p) * rms) : 1;
  return Float32Array.from(head, (v) => v * f);
}

function evaluateHead(head: Float32Array, outputDim: number, set: SequenceSet): { r1: number; r5: number; r10: number } {
  const params: SeqNetParams = { inputDim: set.inputDim, outputDim, kernel: 1, weight: head, bias: new Float32Array(outputDim) };
  const ws = new SeqNetWorkspace();
  const dbOut = encodeWindows(params, set.dbFeatures, set.dbEnds.length, ws);
  const qOut = encodeWindows(params, set.queryFeatures, set.queryEnds.length, ws);
  const { r1, r5, r10 } = recallOf(set, dbOut, qOut, outputDim);
  return { r1, r5, r10 };
}

function recallOf(set: SequenceSet, db: Float32Array, q: Float32Array, dim: number): { r1: number; r5: number; r10: number; queries: number } {
  const r = sequenceRecall(db, q, dim, set.positives, [1, 5, 10]);
  return { r1: r.recall[1], r5: r.recall[5], r10: r.recall[10], queries: r.queries };
}
