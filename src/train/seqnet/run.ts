// `seqvpr train seqnet` as a function: reads the descriptor files, splits off validation, trains,
// and keeps the training folder up to date after every epoch (best checkpoint, history, curves).
import path from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { ConfigError } from '../../core/errors.js';
import { groundTruthFromSpec, type GroundTruth } from '../../eval/ground-truth.js';
import { readDescriptorSet, type DescriptorSet } from '../descriptor-set.js';
import { saveSeqNetModel, SEQNET_FILES, type SeqNetFlags } from './checkpoint.js';
import { checkShape } from './model.js';
import { trainingPlotSvg } from './plot.js';
import { withinClassWhitening } from './within-whitening.js';
import { buildSequenceSet, type FrameRange, type TraversalPair } from './sequences.js';
import { DEFAULT_TRAIN_CONFIG, trainSeqNet, type EpochRecord, type SeqNetTrainConfig, type TrainResult } from './trainer.js';

export interface SeqNetRunOptions extends ValidationSplitOptions {
  db: string;
  query: string;
  seqLength: number;
  kernel: number;
  outputDim: number;
  /** DB windows ending within this many frames of a positive are never negatives (default seqLength - 1). */
  negativeExclusion?: number;
  /** Recorded in flags.json: the PCA folder the descriptors were projected with. */
  pca?: string;
  train?: Partial<Omit<SeqNetTrainConfig, 'outputDim'>>;
  out: string;
  onEpoch?: (record: EpochRecord, best: boolean) => void;
  onBatch?: (epoch: number, done: number, total: number) => void;
}

export interface SeqNetRunResult extends TrainResult {
  outDir: string;
  bestDir: string;
  split: { train: { db: FrameRange; query: FrameRange }; val: { db: FrameRange; query: FrameRange } };
  /** Mean over trained epochs: triplet terms per second of optimisation, queries per second with mining. */
  throughput: { termsPerSecond: number; queriesPerSecond: number };
}

export async function runSeqNetTraining(options: SeqNetRunOptions): Promise<SeqNetRunResult> {
  const { seqLength, kernel, outputDim } = options;
  const db = await readDescriptorSet(options.db);
  const query = await readDescriptorSet(options.query);
  checkShape(db.matrix.dim, outputDim, kernel, seqLength);
  const identity = sameIdentity([db, query]);
  const gt = await groundTruthFor(options.gt, db, query);
  const { trainPair, valPair } = await splitTrainVal(options, db, query, gt, seqLength);
  const exclusion = options.negativeExclusion ?? seqLength - 1;
  const trainSet = buildSequenceSet(trainPair, seqLength, kernel, exclusion);
  const valSet = buildSequenceSet(valPair, seqLength, kernel, exclusion);
  if (!trainSet.positives.some((p) => p.length > 0)) throw new ConfigError('no training query has a positive DB window; check --gt and the frame ranges');
  if (!valSet.positives.some((p) => p.length > 0)) throw new ConfigError('no validation query has a positive DB window; check the validation split and its ground truth');

  const config: SeqNetTrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...options.train, outputDim };
  const outDir = path.resolve(options.out);
  const bestDir = path.join(outDir, SEQNET_FILES.best);
  const history: EpochRecord[] = [];
  let bestEpoch = 0;
  const flagsFor = (record: EpochRecord): SeqNetFlags => ({
    version: 1,
    kind: 'seqnet',
    seqLength,
    kernel,
    inputDim: db.matrix.dim,
    outputDim,
    frameEncoder: identity,
    ...(options.pca && { pca: path.resolve(options.pca) }),
    training: {
      db: path.resolve(options.db),
      query: path.resolve(options.query),
      gt: options.gt,
      ...(options.valDb && { valDb: path.resolve(options.valDb), valQuery: path.resolve(options.valQuery!), valGt: options.valGt ?? options.gt }),
      ...(!options.valDb && { valFraction: options.valFraction ?? 0.2 }),
      ...(options.rows && { rows: [options.rows.start, options.rows.end] }),
      windows: 'trailing',
      negativeExclusion: exclusion,
      ...config,
    },
    best: { epoch: record.epoch, valR1: record.val.r1, valR5: record.val.r5, valR10: record.val.r10, valQueries: record.val.queries },
    createdAt: new Date().toISOString(),
  });

  const frameMap = config.init === 'whitened-delta' ? withinClassWhitening(trainPair, outputDim).frameMap : undefined;
  const result = await trainSeqNet(trainSet, valSet, config, {
    onBatch: options.onBatch,
    onEpoch: async (record, params, best) => {
      history.push(record);
      if (best) {
        bestEpoch = record.epoch;
        await saveSeqNetModel(bestDir, params, flagsFor(record));
      }
      await writeFileAtomic(path.join(outDir, SEQNET_FILES.history), JSON.stringify(history, null, 1) + '\n');
      await writeFileAtomic(path.join(outDir, SEQNET_FILES.plot), trainingPlotSvg(history, bestEpoch));
      options.onEpoch?.(record, best);
    },
  }, frameMap);
  const trained = result.history.filter((r) => r.epoch > 0);
  const mean = (f: (r: EpochRecord) => number): number => (trained.length ? trained.reduce((s, r) => s + f(r), 0) / trained.length : 0);
  return {
    ...result,
    outDir,
    bestDir,
    split: {
      train: { db: trainPair.dbRows, query: trainPair.queryRows },
      val: { db: valPair.dbRows, query: valPair.queryRows },
    },
    throughput: { termsPerSecond: mean((r) => r.termsPerSecond), queriesPerSecond: mean((r) => r.queriesPerSecond) },
  };
}

/** Where the validation data come from: separate files, or the last fraction of the training files. */
export interface ValidationSplitOptions {
  /** aligned:TOL, pose:M / pose2d:M (poses from the sidecars), or a CSV (query,positives or query,ref_positives). */
  gt: string;
  /** Separate validation traversals; otherwise the last valFraction of the frames is held out. */
  valDb?: string;
  valQuery?: string;
  /** Ground truth of the validation files (default: gt, unless that is a CSV of the training files). */
  valGt?: string;
  valFraction?: number;
  /** Use only frames [start, end) of the training files (before the validation split). */
  rows?: FrameRange;
}

/**
 * Training and validation traversal pairs: separate validation files, or the last `valFraction` of
 * the frames held out after a gap of `gap` frames (no validation window shares a frame with a training one).
 */
export async function splitTrainVal(
  options: ValidationSplitOptions,
  db: DescriptorSet,
  query: DescriptorSet,
  gt: GroundTruth,
  gap: number,
): Promise<{ trainPair: TraversalPair; valPair: TraversalPair }> {
  const rows = options.rows ?? { start: 0, end: Number.POSITIVE_INFINITY };
  const clip = (n: number): FrameRange => ({ start: Math.max(0, rows.start), end: Math.min(n, rows.end) });
  if (options.valDb || options.valQuery) {
    if (!options.valDb || !options.valQuery) throw new ConfigError('give both --val-db and --val-query (or neither, to hold out --val-fraction)');
    const vdb = await readDescriptorSet(options.valDb);
    const vq = await readDescriptorSet(options.valQuery);
    sameIdentity([db, query, vdb, vq]);
    const valSpec = options.valGt ?? options.gt;
    if (!options.valGt && !/^(aligned|pose|pose2d):/.test(options.gt.trim())) {
      throw new ConfigError('--gt is a CSV of the training files; give the validation ground truth with --val-gt');
    }
    const vgt = await groundTruthFor(valSpec, vdb, vq);
    return {
      trainPair: pair(db, query, clip(db.matrix.rows), clip(query.matrix.rows), gt),
      valPair: pair(vdb, vq, { start: 0, end: vdb.matrix.rows }, { start: 0, end: vq.matrix.rows }, vgt),
    };
  }
  const fraction = options.valFraction ?? 0.2;
  if (!(fraction > 0 && fraction < 1)) throw new ConfigError(`--val-fraction must be between 0 and 1, got ${fraction}`);
  const cut = (r: FrameRange): [FrameRange, FrameRange] => {
    const at = r.start + Math.floor((r.end - r.start) * (1 - fraction));
    return [{ start: r.start, end: at }, { start: at + gap, end: r.end }];
  };
  const [dbTrain, dbVal] = cut(clip(db.matrix.rows));
  const [qTrain, qVal] = cut(clip(query.matrix.rows));
  return { trainPair: pair(db, query, dbTrain, qTrain, gt), valPair: pair(db, query, dbVal, qVal, gt) };
}

function pair(db: DescriptorSet, query: DescriptorSet, dbRows: FrameRange, queryRows: FrameRange, gt: GroundTruth): TraversalPair {
  return { db: db.matrix, query: query.matrix, dbRows, queryRows, positives: (q) => gt.positives(q) };
}

/** The descriptors' common identity; an error when the files come from different encoders. */
export function sameIdentity(sets: readonly DescriptorSet[]): { id: string; hash: string } | null {
  const known = sets.filter((s) => s.sidecar);
  for (const s of known) {
    const a = known[0].sidecar!.encoder;
    const b = s.sidecar!.encoder;
    if (a.hash !== b.hash) {
      throw new ConfigError(`${known[0].file} (${a.id}) and ${s.file} (${b.id}) come from different encoders or configs; extract all files with one config`);
    }
  }
  for (const s of sets) {
    if (s.matrix.dim !== sets[0].matrix.dim) throw new ConfigError(`${sets[0].file} has ${sets[0].matrix.dim}-d descriptors, ${s.file} ${s.matrix.dim}-d`);
  }
  return known.length ? { id: known[0].sidecar!.encoder.id, hash: known[0].sidecar!.encoder.hash } : null;
}

export async function groundTruthFor(spec: string, db: DescriptorSet, query: DescriptorSet): Promise<GroundTruth> {
  return groundTruthFromSpec(spec, {
    mapSize: db.matrix.rows,
    ...(db.sidecar && query.sidecar && { mapPoses: db.sidecar.frames.map((f) => f.pose), queryPoses: query.sidecar.frames.map((f) => f.pose) }),
  });
}
