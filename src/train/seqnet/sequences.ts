// Training and validation data for SeqNet: the trailing windows (frames e-L+1..e, the live
// pipeline's convention) of a DB and a query traversal, their averaged im2col features, and for
// every query window its positive DB windows and a test for potential negatives.
import { ConfigError } from '../../core/errors.js';
import type { DescriptorMatrix } from '../../core/matrix.js';
import { partitionPoint } from '../../core/partition-point.js';
import { windowFeatures } from './model.js';

export interface FrameRange {
  start: number;
  end: number;
}

export interface TraversalPair {
  db: DescriptorMatrix;
  query: DescriptorMatrix;
  /** Frames whose windows may be used, [start, end) of each matrix (windows stay inside). */
  dbRows: FrameRange;
  queryRows: FrameRange;
  /** Ground-truth positives of query frame q, as DB frame indices. */
  positives(q: number): readonly number[];
}

export interface SequenceSet {
  seqLength: number;
  kernel: number;
  inputDim: number;
  /** Frame index each DB / query window ends at. */
  dbEnds: Int32Array;
  queryEnds: Int32Array;
  /** Averaged im2col rows [windows, C*w] (see model.ts). */
  dbFeatures: Float32Array;
  queryFeatures: Float32Array;
  /** Per query window: DB window rows whose end frame is a positive of the query's end frame. */
  positives: Int32Array[];
  /** Per query window: the sorted positive DB frames (window or not), for the negative test. */
  positiveFrames: Int32Array[];
  /** A DB window is a potential negative when its end is more than this many frames from every positive. */
  negativeExclusion: number;
}

function windowEnds(range: FrameRange, rows: number, L: number, what: string): Int32Array {
  const start = Math.max(0, range.start);
  const end = Math.min(rows, range.end);
  const first = start + L - 1;
  if (first >= end) throw new ConfigError(`${what} frames ${start}..${end - 1} are fewer than one window of ${L}; use more frames or a shorter --seq-len`);
  return Int32Array.from({ length: end - first }, (_, i) => first + i);
}

export function buildSequenceSet(pair: TraversalPair, seqLength: number, kernel: number, negativeExclusion: number): SequenceSet {
  if (pair.db.dim !== pair.query.dim) {
    throw new ConfigError(`DB descriptors have ${pair.db.dim} values, query descriptors ${pair.query.dim}; extract both with the same config`);
  }
  const dbEnds = windowEnds(pair.dbRows, pair.db.rows, seqLength, 'DB');
  const queryEnds = windowEnds(pair.queryRows, pair.query.rows, seqLength, 'query');
  const dbRowOfEnd = new Map<number, number>();
  dbEnds.forEach((e, i) => dbRowOfEnd.set(e, i));
  const positives: Int32Array[] = [];
  const positiveFrames: Int32Array[] = [];
  for (const q of queryEnds) {
    const frames = Int32Array.from(pair.positives(q)).sort();
    positiveFrames.push(frames);
    positives.push(Int32Array.from(Array.from(frames, (f) => dbRowOfEnd.get(f)).filter((r): r is number => r !== undefined)));
  }
  return {
    seqLength,
    kernel,
    inputDim: pair.db.dim,
    dbEnds,
    queryEnds,
    dbFeatures: windowFeatures(pair.db, dbEnds, seqLength, kernel),
    queryFeatures: windowFeatures(pair.query, queryEnds, seqLength, kernel),
    positives,
    positiveFrames,
    negativeExclusion,
  };
}

/** True when DB window `dbRow` is a potential negative of query window `queryRow`. */
export function isPotentialNegative(set: SequenceSet, queryRow: number, dbRow: number): boolean {
  const frames = set.positiveFrames[queryRow];
  const e = set.dbEnds[dbRow];
  if (frames.length === 0) return true;
  // Nearest positive frame: the first >= e and the one before it.
  const i = partitionPoint(frames.length, (k) => frames[k] < e);
  const after = i < frames.length ? frames[i] - e : Number.POSITIVE_INFINITY;
  const before = i > 0 ? e - frames[i - 1] : Number.POSITIVE_INFINITY;
  return Math.min(after, before) > set.negativeExclusion;
}

/** Query windows that can anchor a triplet (at least one positive DB window). */
export function trainableQueries(set: SequenceSet): number[] {
  const out: number[] = [];
  set.positives.forEach((p, q) => {
    if (p.length > 0) out.push(q);
  });
  return out;
}
