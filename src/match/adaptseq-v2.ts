// AdaptSeq-V2 (CaseVPR's seq_desc_adaptseq_v2). Each coarse hit e (a map sequence of length L
// ending at row e) defines a candidate region: rows [e - L + 1, e] x the last L query columns.
// Its minimum cell starts a bidirectional greedy trace (greedy-trace.ts); the best of those
// trajectories wins and its row for the newest column is the answer. No search over start points
// or velocities: the coarse sequence descriptor picks the regions, the trace follows stops and
// speed changes. Without usable coarse hits, starts come from the rows with the lowest minimum
// over the window, kept at least fallbackGapRows apart (non-maximum suppression).
import { ConfigError } from '../core/errors.js';
import { checkSearchOptions, type RivalScope } from './search-options.js';
import { EndScores, type RankingOptions, resolveExclusionRows } from './end-scores.js';
import { traceBidirectional } from './greedy-trace.js';
import { checkCoarseHit, checkDifferenceMatrix, ensureInt32, ensureUint8 } from './matcher-input.js';
import type { DifferenceMatrix, MatchInput, MatchOutput, SequenceMatcher } from './types.js';

export interface AdaptSeqV2Options extends RankingOptions {
  /** L: length (frames) of the coarse map sequences; a region is L rows x the last L columns. */
  coarseSequenceLength: number;
  /** KK: the map may advance 0 .. KK-1 frames per query frame along a trajectory. */
  stepWindow: number;
  /** K: trajectories started from row minima when coarse hits are absent (or as rivals). */
  fallbackStarts: number;
  /** stp_gap: minimum distance in map rows between two fallback start rows. */
  fallbackGapRows: number;
  /** With coarse hits: 'map' also traces the fallback starts, as rivals for the confidence. */
  rivalScope: RivalScope;
}

export const ADAPTSEQ_V2_DEFAULTS: AdaptSeqV2Options = {
  coarseSequenceLength: 5,
  stepWindow: 4,
  fallbackStarts: 5,
  fallbackGapRows: 14,
  maxCandidates: 5,
  rivalScope: 'map',
};

export class AdaptSeqV2Matcher implements SequenceMatcher {
  readonly name = 'adaptseq-v2';
  private readonly options: AdaptSeqV2Options;
  private readonly ends = new EndScores();
  /** Trajectory k occupies traces[k * cols .. (k + 1) * cols). */
  private traces = new Int32Array(0);
  private rowMin = new Float64Array(0);
  private rowMinCol = new Int32Array(0);
  private taken = new Uint8Array(0);

  constructor(options: Partial<AdaptSeqV2Options> = {}) {
    const o = { ...ADAPTSEQ_V2_DEFAULTS, ...options };
    checkSearchOptions(this.name, o);
    for (const key of ['coarseSequenceLength', 'stepWindow', 'fallbackStarts', 'fallbackGapRows'] as const) {
      if (!(Number.isInteger(o[key]) && o[key] >= 1)) {
        throw new ConfigError(`${this.name}.${key} must be an integer >= 1, got ${o[key]}`);
      }
    }
    this.options = o;
  }

  match({ D, coarse, samePlace }: MatchInput): MatchOutput {
    checkDifferenceMatrix(D);
    const { rows, cols } = D;
    const o = this.options;
    const hits = coarse ?? [];
    this.traces = ensureInt32(this.traces, (hits.length + o.fallbackStarts) * cols);
    this.ends.reset(rows);
    let n = 0;

    const L = o.coarseSequenceLength;
    const firstCol = cols - Math.min(L, cols);
    hits.forEach((hit, k) => {
      checkCoarseHit(hit, k);
      const lo = Math.max(0, hit.mapIndex - L + 1);
      const hi = Math.min(rows - 1, hit.mapIndex);
      if (lo > hi) return; // region entirely off the map
      const start = regionArgmin(D, lo, hi, firstCol);
      n = this.trace(D, Math.floor(start / cols), start % cols, true, n);
    });
    const coarseTraces = n;

    if (coarseTraces === 0 || o.rivalScope === 'map') {
      this.computeRowMinima(D);
      const taken = this.taken;
      taken.fill(0, 0, rows);
      for (let s = 0; s < o.fallbackStarts; s++) {
        let row = -1;
        let best = Number.POSITIVE_INFINITY;
        for (let r = 0; r < rows; r++) {
          if (taken[r] === 0 && this.rowMin[r] < best) {
            best = this.rowMin[r];
            row = r;
          }
        }
        if (row < 0) break;
        taken.fill(1, Math.max(0, row - o.fallbackGapRows + 1), Math.min(rows, row + o.fallbackGapRows));
        n = this.trace(D, row, this.rowMinCol[row], coarseTraces === 0, n);
      }
    }

    const { winner, score, confidence, candidates } = this.ends.rank(o, resolveExclusionRows(o, cols), samePlace);
    const k = this.ends.tag(winner);
    return { mapIndex: winner, score, confidence, candidates, path: Array.from(this.traces.subarray(k * cols, (k + 1) * cols)) };
  }

  /** Traces trajectory n from a start cell and records it; returns the next trajectory index. */
  private trace(D: DifferenceMatrix, row: number, col: number, mayWin: boolean, n: number): number {
    const cols = D.cols;
    const score = traceBidirectional(D, row, col, this.options.stepWindow, this.traces, n * cols);
    this.ends.offer(this.traces[n * cols + cols - 1], score, mayWin, n);
    return n + 1;
  }

  /** Per row, the smallest value over the window and its column (first on a tie). */
  private computeRowMinima(D: DifferenceMatrix): void {
    const { rows, cols } = D;
    if (this.rowMin.length < rows) this.rowMin = new Float64Array(rows);
    this.rowMinCol = ensureInt32(this.rowMinCol, rows);
    this.taken = ensureUint8(this.taken, rows);
    for (let r = 0; r < rows; r++) {
      let best = D.get(r, 0);
      let bestCol = 0;
      for (let c = 1; c < cols; c++) {
        const v = D.get(r, c);
        if (v < best) {
          best = v;
          bestCol = c;
        }
      }
      this.rowMin[r] = best === best ? best : Number.POSITIVE_INFINITY;
      this.rowMinCol[r] = bestCol;
    }
  }
}

/** Flat index row * cols + col of the smallest cell in rows [lo, hi] x columns [firstCol, cols), row-major first on a tie. */
function regionArgmin(D: DifferenceMatrix, lo: number, hi: number, firstCol: number): number {
  let best = Number.POSITIVE_INFINITY;
  let at = lo * D.cols + firstCol;
  for (let r = lo; r <= hi; r++) {
    for (let c = firstCol; c < D.cols; c++) {
      const v = D.get(r, c);
      if (v < best) {
        best = v;
        at = r * D.cols + c;
      }
    }
  }
  return at;
}
