// Contracts between the pipeline and the fine sequence matchers.
import type { Candidate } from '../core/types.js';
import type { PathPlacement } from './path-rows.js';
import type { SamePlace } from './same-place.js';

/**
 * The difference matrix between map frames (rows) and the query window (columns, oldest first;
 * the last column is the newest query frame). Values are distances, lower = more similar
 * (cosine distance 1 - a.b for unit descriptors, so in [0, 2]).
 */
export interface DifferenceMatrix {
  readonly rows: number;
  readonly cols: number;
  get(row: number, col: number): number;
}

export interface MatchInput {
  D: DifferenceMatrix;
  /**
   * Coarse retrieval hits for the current window: map frames that END a matching map sequence,
   * best first. When absent or empty, the matcher searches the whole map.
   */
  coarse?: readonly Candidate[];
  /**
   * Which map rows are another visit of a row's place (from the map's poses): those are no rival of
   * a winner there. Absent: rivals are ranked by row only.
   */
  samePlace?: SamePlace;
  /**
   * The window placed by the path travelled (window-placement.ts): each column's odometry distance
   * before the newest and the map's distance along its path per row. Velocity-searching matchers
   * (seqslam, seqmatch) then match column t to the row that far before the end row (path-sweep.ts)
   * instead of v x (cols - 1 - t) rows. Absent: one row per column.
   */
  placement?: PathPlacement;
}

export interface MatchOutput {
  /** Map row matched to the newest query column. */
  mapIndex: number;
  /** Score of the winning trajectory (mean distance along it; lower is better). */
  score: number;
  /** In [0, 1], higher = more certain (e.g. from the margin to the best rival trajectory). */
  confidence: number;
  /** Ranked alternatives for the newest query frame, best first (winner included). */
  candidates: Candidate[];
  /** Map row for every column of D, oldest first (the winning trajectory). */
  path: number[];
  /**
   * The trajectory the matcher scored for a candidate's end row (same layout as `path`), for
   * re-ranking stages. Valid until the next `match` call; absent when the matcher cannot tell.
   */
  pathOf?: (row: number) => number[];
  /** The matcher's localisation sharpness of a candidate's end row in [0, 1] (1 = off / unknown); valid until the next call. */
  sharpness?: (row: number) => number;
}

export interface SequenceMatcher {
  readonly name: string;
  match(input: MatchInput): MatchOutput;
}
