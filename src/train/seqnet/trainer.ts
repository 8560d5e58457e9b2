// The SeqNet training loop (after SeqNet's main.py / train.py): each epoch encodes every training
// sequence with the current model (the mining cache), mines one triplet set per query, then runs
// shuffled batches of triplets through forward, triplet loss, backward and an optimiser step.
// Validation Recall@1/5/10 after every epoch (and before the first); the best model by val R@5
// (ties: R@1, then the earlier epoch) is what the caller keeps. Deterministic for a seed.
import { createRandom, type Random } from '../../core/random.js';
import { SEQNET_MARGIN, tripletLoss, type Triplet } from './loss.js';
import { mineQuery } from './mining.js';
import { encodeWindows, initSeqNet, seqnetBackward, seqnetForward, SeqNetWorkspace, type SeqNetInit, type SeqNetParams } from './model.js';
import { createOptimizer, type OptimizerConfig } from './optimizer.js';
import { sequenceRecall } from './recall.js';
import { isPotentialNegative, trainableQueries, type SequenceSet } from './sequences.js';

export interface SeqNetTrainConfig {
  outputDim: number;
  epochs: number;
  /** Triplets (query, positive, negatives) per optimiser step. */
  batchSize: number;
  optimizer: OptimizerConfig;
  /** StepLR for SGD: the learning rate is multiplied by lrGamma every lrStep epochs. */
  lrStep: number;
  lrGamma: number;
  margin: number;
  nNeg: number;
  nNegSample: number;
  seed: number;
  init: SeqNetInit;
  /** false: the bias stays at zero (a pure linear map, e.g. one that appearance centring follows). */
  trainBias?: boolean;
  /** Validation recall the best epoch is chosen by (the other breaks ties); SeqNet's is R@5. */
  selectBy?: 'r1' | 'r5';
}

export const DEFAULT_TRAIN_CONFIG: Omit<SeqNetTrainConfig, 'outputDim'> = {
  epochs: 30,
  batchSize: 16,
  optimizer: { kind: 'adam', lr: 1e-4, momentum: 0.9, weightDecay: 0 },
  lrStep: 50,
  lrGamma: 0.5,
  margin: SEQNET_MARGIN,
  nNeg: 10,
  nNegSample: 1000,
  seed: 123,
  init: 'random',
};

export interface EpochRecord {
  /** 0 = the initial model (validation only). */
  epoch: number;
  lr: number;
  /** Mean batch loss (0 for epoch 0). */
  loss: number;
  /** Triplet terms (query, positive, negative) trained on, and how many had a positive hinge. */
  terms: number;
  activeTerms: number;
  queriesUsed: number;
  queriesSkipped: number;
  val: { r1: number; r5: number; r10: number; queries: number };
  seconds: { cache: number; train: number; val: number };
  /** Triplet terms per second of forward + loss + backward + update. */
  termsPerSecond: number;
  /** Queries (one triplet set each) per second, mining included. */
  queriesPerSecond: number;
}

export interface TrainHooks {
  /** After every epoch's validation; `best` says whether this epoch is the new best. */
  onEpoch?: (record: EpochRecord, params: SeqNetParams, best: boolean) => void | Promise<void>;
  /** Within an epoch: batches done / total. */
  onBatch?: (epoch: number, done: number, total: number) => void;
}

export interface TrainResult {
  best: { epoch: number; params: SeqNetParams; record: EpochRecord };
  history: EpochRecord[];
}

const now = (): number => performance.now() / 1000;

/** `frameMap` is the frame map of init 'whitened-delta' (see within-whitening.ts). */
export async function trainSeqNet(
  train: SequenceSet,
  val: SequenceSet,
  config: SeqNetTrainConfig,
  hooks: TrainHooks = {},
  frameMap?: Float32Array,
): Promise<TrainResult> {
  const rng = createRandom(config.seed);
  const params = initSeqNet(train.inputDim, config.outputDim, train.kernel, train.seqLength, config.init, () => rng.next() * 2 - 1, frameMap);
  const ws = new SeqNetWorkspace();
  const optimizer = createOptimizer(config.optimizer, config.trainBias === false ? [params.weight.length] : [params.weight.length, params.bias.length]);
  const gradWeight = new Float32Array(params.weight.length);
  const gradBias = new Float32Array(params.bias.length);
  const anchors = trainableQueries(train);
  const negCache: number[][] = Array.from({ length: train.queryEnds.length }, () => []);
  const history: EpochRecord[] = [];
  let best: TrainResult['best'] | undefined;

  const validate = (): EpochRecord['val'] => {
    const db = encodeWindows(params, val.dbFeatures, val.dbEnds.length, ws);
    const q = encodeWindows(params, val.queryFeatures, val.queryEnds.length, ws);
    const r = sequenceRecall(db, q, params.outputDim, val.positives, [1, 5, 10]);
    return { r1: r.recall[1], r5: r.recall[5], r10: r.recall[10], queries: r.queries };
  };
  const finishEpoch = async (record: EpochRecord): Promise<void> => {
    history.push(record);
    const b = best?.record.val;
    const [major, minor] = config.selectBy === 'r1' ? (['r1', 'r5'] as const) : (['r5', 'r1'] as const);
    const isBest = !b || record.val[major] > b[major] || (record.val[major] === b[major] && record.val[minor] > b[minor]);
    if (isBest) best = { epoch: record.epoch, params: cloneParams(params), record };
    await hooks.onEpoch?.(record, params, isBest);
  };

  let t = now();
  const val0 = validate();
  await finishEpoch({
    epoch: 0, lr: config.optimizer.lr, loss: 0, terms: 0, activeTerms: 0, queriesUsed: 0, queriesSkipped: 0, val: val0,
    seconds: { cache: 0, train: 0, val: now() - t }, termsPerSecond: 0, queriesPerSecond: 0,
  });

  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const lr = config.optimizer.kind === 'sgd' ? config.optimizer.lr * config.lrGamma ** Math.floor((epoch - 1) / config.lrStep) : config.optimizer.lr;
    // Mining cache: every training sequence under the current model.
    t = now();
    const dbCache = encodeWindows(params, train.dbFeatures, train.dbEnds.length, ws);
    const queryCache = encodeWindows(params, train.queryFeatures, train.queryEnds.length, ws);
    const cacheSeconds = now() - t;

    t = now();
    const order = shuffled(anchors, rng);
    const triplets: { query: number; positive: number; negatives: number[] }[] = [];
    for (const q of order) {
      const mined = mineQuery({
        query: queryCache.subarray(q * params.outputDim, (q + 1) * params.outputDim),
        db: dbCache,
        dim: params.outputDim,
        positives: Array.from(train.positives[q]),
        sampled: sampleNegatives(train, q, config.nNegSample, rng),
        previousHard: negCache[q],
        nNeg: config.nNeg,
        margin: config.margin,
      });
      if (!mined) continue;
      negCache[q] = mined.negatives;
      triplets.push({ query: q, positive: mined.positive, negatives: mined.negatives });
    }
    const mineSeconds = now() - t;

    t = now();
    let lossSum = 0;
    let terms = 0;
    let active = 0;
    const batches = Math.ceil(triplets.length / config.batchSize);
    for (let b = 0; b < batches; b++) {
      const batch = triplets.slice(b * config.batchSize, (b + 1) * config.batchSize);
      const r = trainBatch(params, train, batch, config.margin, ws, gradWeight, gradBias);
      if (config.trainBias === false) optimizer.step([params.weight], [gradWeight], lr);
      else optimizer.step([params.weight, params.bias], [gradWeight, gradBias], lr);
      lossSum += r.loss;
      terms += r.terms;
      active += r.active;
      hooks.onBatch?.(epoch, b + 1, batches);
      // Let timers (progress bars) run now and then.
      if (b % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
    }
    const trainSeconds = now() - t;

    t = now();
    const v = validate();
    await finishEpoch({
      epoch,
      lr,
      loss: batches ? lossSum / batches : 0,
      terms,
      activeTerms: active,
      queriesUsed: triplets.length,
      queriesSkipped: anchors.length - triplets.length,
      val: v,
      seconds: { cache: cacheSeconds, train: mineSeconds + trainSeconds, val: now() - t },
      termsPerSecond: trainSeconds > 0 ? terms / trainSeconds : 0,
      queriesPerSecond: mineSeconds + trainSeconds > 0 ? triplets.length / (mineSeconds + trainSeconds) : 0,
    });
  }
  return { best: best!, history };
}

/**
 * One optimiser step's gradient: gathers the batch's distinct query and DB windows, runs them
 * forward as one matrix, and backpropagates the triplet loss. Gradients are overwritten.
 */
export function trainBatch(
  params: SeqNetParams,
  set: SequenceSet,
  batch: readonly { query: number; positive: number; negatives: readonly number[] }[],
  margin: number,
  ws: SeqNetWorkspace,
  gradWeight: Float32Array,
  gradBias: Float32Array,
): { loss: number; terms: number; active: number } {
  const Ck = params.inputDim * params.kernel;
  const D = params.outputDim;
  const rowOfQuery = new Map<number, number>();
  const rowOfDb = new Map<number, number>();
  const sources: { db: boolean; index: number }[] = [];
  const rowOf = (db: boolean, index: number): number => {
    const map = db ? rowOfDb : rowOfQuery;
    let r = map.get(index);
    if (r === undefined) {
      r = sources.length;
      map.set(index, r);
      sources.push({ db, index });
    }
    return r;
  };
  const triplets: Triplet[] = batch.map((t) => ({
    query: rowOf(false, t.query),
    positive: rowOf(true, t.positive),
    negatives: t.negatives.map((n) => rowOf(true, n)),
  }));
  const rows = sources.length;
  const features = new Float32Array(rows * Ck);
  sources.forEach((s, r) => {
    const src = s.db ? set.dbFeatures : set.queryFeatures;
    features.set(src.subarray(s.index * Ck, (s.index + 1) * Ck), r * Ck);
  });
  const out = seqnetForward(params, features, rows, ws);
  const grad = new Float32Array(rows * D);
  const result = tripletLoss(out.subarray(0, rows * D), D, triplets, margin, grad);
  gradWeight.fill(0);
  gradBias.fill(0);
  seqnetBackward(params, features, rows, grad, ws, gradWeight, gradBias);
  return result;
}

/** Uniform draws with replacement from the query's potential negatives (rejection sampling). */
function sampleNegatives(set: SequenceSet, q: number, count: number, rng: Random): number[] {
  const n = set.dbEnds.length;
  const out: number[] = [];
  for (let tries = 0; out.length < count && tries < count * 20; tries++) {
    const j = Math.floor(rng.next() * n);
    if (isPotentialNegative(set, q, j) && !set.positives[q].includes(j)) out.push(j);
  }
  return out;
}

function shuffled<T>(items: readonly T[], rng: Random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function cloneParams(p: SeqNetParams): SeqNetParams {
  return { ...p, weight: p.weight.slice(), bias: p.bias.slice() };
}
