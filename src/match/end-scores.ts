// Every matcher reduces to scores of trajectory hypotheses indexed by the map row where they END
// (the row for the newest query frame). This module holds them and turns them into the winner,
// the ranked distinct candidates and the confidence, the same way for every matcher.
import type { Candidate } from '../core/types.js';
import { MatchInputError } from './errors.js';
import type { SamePlace } from './same-place.js';

/**
 * How alternatives are ranked and the confidence is measured. Both use one exclusion window:
 * an alternative must end more than `exclusionRows` map rows away from the winner.
 */
export interface RankingOptions {
  /** Map rows (frames) either side of the winner's end in which nothing counts as a rival. Default: 2 x window length. */
  exclusionRows?: number;
  /** Length of the returned candidate list (winner included). */
  maxCandidates: number;
  /**
   * Localisation check: trajectories ending this many rows or more from the winner (but inside the
   * exclusion window) must score clearly worse, else the position along the map is ambiguous (a
   * stop or a stretch of near-identical map frames) and the confidence drops. 0 = off.
   */
  localizationRows?: number;
}

export interface Ranking {
  winner: number;
  score: number;
  confidence: number;
  candidates: Candidate[];
}

/**
 * Confidence = 1 - best / rival, where `rival` is the best trajectory ending outside the winner's
 * exclusion window. This is SeqSLAM's uniqueness ratio. Why this measure: a loop closure is wrong
 * mostly through perceptual aliasing (another place looks as good), which is exactly what a rival
 * as good as the winner exposes (confidence -> 0), whereas a low absolute score does not (a whole
 * season can shift every distance). It is scale-free, so one threshold works across encoders, and
 * scores are non-negative distances (DifferenceMatrix contract), so it lies in [0, 1]. The window
 * keeps the winner's own neighbours out: adjacent frames look alike and shifted trajectories share
 * cells, so they are not evidence of ambiguity. No rival at all (map shorter than the window, or
 * only the winner's region searched) gives 0: uniqueness cannot be vouched for, and precision wins.
 */
export function uniquenessConfidence(best: number, rival: number): number {
  if (!(rival > 0)) return 0; // no rival, a zero rival, or NaN
  const c = 1 - best / rival;
  return c < 0 ? 0 : c > 1 ? 1 : c;
}

/**
 * Hypothesis scores per end row. Only the rows offered since the last reset are visited (kept in a
 * list), so a matcher that scores a few candidate regions pays for those regions, not for the map
 * size: on a 100k-row map, reset and ranking over every row cost more than the matching itself.
 */
export class EndScores {
  private rowCount = 0;
  /** +Infinity for every row not offered since the last reset. */
  private scores = new Float64Array(0);
  private eligible = new Uint8Array(0);
  private tags = new Int32Array(0);
  private suppressed = new Uint8Array(0);
  /** Rows offered since the last reset (each once), and which rows are in that list. */
  private offered = new Int32Array(0);
  private offeredCount = 0;
  private listed = new Uint8Array(0);

  get rows(): number {
    return this.rowCount;
  }

  /** Clears every hypothesis for a map of `rows` rows (buffers are reused; only offered rows are cleared). */
  reset(rows: number): void {
    for (let i = 0; i < this.offeredCount; i++) {
      const r = this.offered[i];
      this.scores[r] = Number.POSITIVE_INFINITY;
      this.eligible[r] = 0;
      this.listed[r] = 0;
    }
    this.offeredCount = 0;
    this.rowCount = rows;
    if (this.scores.length < rows) {
      const size = Math.max(rows, 2 * this.scores.length);
      this.scores = new Float64Array(size).fill(Number.POSITIVE_INFINITY);
      this.eligible = new Uint8Array(size);
      this.tags = new Int32Array(size);
      this.suppressed = new Uint8Array(size);
      this.offered = new Int32Array(size);
      this.listed = new Uint8Array(size);
    }
  }

  /**
   * Records a hypothesis ending at `row`. `eligible` ones may win (they come from the coarse
   * regions, or from a whole-map search); the others only serve as rivals. Per row, an eligible
   * hypothesis replaces a non-eligible one, and otherwise the lower score is kept (the first on a
   * tie). `tag` lets the matcher rebuild the path (a velocity or trace index).
   */
  offer(row: number, score: number, eligible: boolean, tag: number): void {
    if (this.listed[row] === 0) {
      this.listed[row] = 1;
      this.offered[this.offeredCount++] = row;
    }
    const had = this.scores[row] !== Number.POSITIVE_INFINITY;
    const wasEligible = this.eligible[row] === 1;
    const better = !had || (eligible && !wasEligible) || (eligible === wasEligible && score < this.scores[row]);
    if (!better) return;
    this.scores[row] = score;
    this.eligible[row] = eligible ? 1 : 0;
    this.tags[row] = tag;
  }

  has(row: number): boolean {
    return this.scores[row] !== Number.POSITIVE_INFINITY;
  }

  tag(row: number): number {
    return this.tags[row];
  }

  /**
   * Winner = lowest eligible score (first row on a tie). Then, greedily, the lowest score among
   * rows not within `exclusionRows` of any already chosen one (non-maximum suppression), so the
   * candidates are distinct places. The first of those that is not `samePlace` as the winner (another
   * visit of the winner's place, when the map knows poses) is the rival of the confidence, else the
   * first of them as before; such visits stay in the candidate list. So ranking by place can only
   * raise a confidence, and only where the old rival was another visit of the winner's place.
   * Rows are visited in offer order, so ties are broken by row explicitly.
   */
  rank(options: RankingOptions, exclusionRows: number, samePlace?: SamePlace): Ranking {
    const rows = this.rowCount;
    const scores = this.scores;
    const offered = this.offered;
    const n = this.offeredCount;
    let winner = -1;
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const r = offered[i];
      if (r >= rows || this.eligible[r] !== 1) continue;
      const s = scores[r];
      if (s < best || (s === best && winner >= 0 && r < winner)) {
        best = s;
        winner = r;
      }
    }
    if (winner < 0) {
      throw new MatchInputError('no trajectory has a finite score: the difference matrix holds NaN or Infinity');
    }
    const suppressed = this.suppressed;
    suppressed.fill(0, 0, rows);
    const suppress = (center: number): void => {
      suppressed.fill(1, Math.max(0, center - exclusionRows), Math.min(rows, center + exclusionRows + 1));
    };
    suppress(winner);
    const candidates: Candidate[] = [{ mapIndex: winner, distance: best }];
    let rival = Number.NaN;
    // The best other visit of the winner's place: the rival only when no other place was scored.
    let visit = Number.NaN;
    // The rival is needed even when maxCandidates is 1.
    while (candidates.length < options.maxCandidates || rival !== rival) {
      let pick = -1;
      let pickScore = Number.POSITIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        const r = offered[i];
        if (r >= rows || suppressed[r] !== 0) continue;
        const s = scores[r];
        if (s < pickScore || (s === pickScore && pick >= 0 && r < pick)) {
          pickScore = s;
          pick = r;
        }
      }
      if (pick < 0) break;
      if (rival !== rival) {
        if (!samePlace?.(winner, pick)) rival = pickScore;
        else if (visit !== visit) visit = pickScore;
      }
      if (candidates.length < options.maxCandidates) candidates.push({ mapIndex: pick, distance: pickScore });
      suppress(pick);
    }
    // Without another place among the scored ends (e.g. every coarse hit is a visit of this place),
    // the other visit is all the evidence there is: the confidence is then what it was by row.
    if (rival !== rival) rival = visit;
    const confidence = Math.min(uniquenessConfidence(best, rival), this.sharpness(winner, best, options.localizationRows ?? 0, exclusionRows));
    return { winner, score: best, confidence, candidates };
  }

  /** The localisation sharpness (see `sharpness`) of any offered row, e.g. a re-ranked winner. */
  sharpnessAt(row: number, options: RankingOptions, exclusionRows: number): number {
    return this.has(row) ? this.sharpness(row, this.scores[row], options.localizationRows ?? 0, exclusionRows) : 1;
  }

  /**
   * 1 - best / (best score ending `fromRows`..`toRows` rows from the winner): how sharply the winner
   * is localised along the map. 1 when off or when no such hypothesis was scored (nothing to judge).
   */
  private sharpness(winner: number, best: number, fromRows: number, toRows: number): number {
    if (fromRows <= 0 || fromRows > toRows) return 1;
    let near = Number.POSITIVE_INFINITY;
    for (let d = fromRows; d <= toRows; d++) {
      for (const r of [winner - d, winner + d]) {
        if (r >= 0 && r < this.rowCount && this.scores[r] < near) near = this.scores[r];
      }
    }
    return near === Number.POSITIVE_INFINITY ? 1 : uniquenessConfidence(best, near);
  }
}

/** The exclusion window in rows: the configured one, or 2 x window length by default. */
export function resolveExclusionRows(options: RankingOptions, cols: number): number {
  return options.exclusionRows ?? 2 * cols;
}
