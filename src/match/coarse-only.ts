// The sequence-descriptor baseline (SeqNet's smoothing/delta/S5 rows, CaseVPR's seq_desc): the
// answer is the coarse retrieval ranking itself, with no fine matching on the difference matrix.
// Ranking and confidence go through EndScores like every other matcher; the rival is the best
// coarse hit outside the winner's exclusion window. The path assumes unit velocity.
import { EndScores, type RankingOptions } from './end-scores.js';
import { MatchInputError } from './errors.js';
import { checkDifferenceMatrix } from './matcher-input.js';
import type { MatchInput, MatchOutput, SequenceMatcher } from './types.js';

export type CoarseOnlyOptions = RankingOptions;

export class CoarseOnlyMatcher implements SequenceMatcher {
  readonly name = 'coarse';
  private readonly scores = new EndScores();

  constructor(private readonly options: CoarseOnlyOptions) {}

  match({ D, coarse, samePlace }: MatchInput): MatchOutput {
    checkDifferenceMatrix(D);
    if (!coarse || coarse.length === 0) {
      throw new MatchInputError("the 'coarse' matcher ranks coarse retrieval hits: set retrieval.k > 0");
    }
    this.scores.reset(D.rows);
    for (const hit of coarse) {
      if (hit.mapIndex >= 0 && hit.mapIndex < D.rows) this.scores.offer(hit.mapIndex, hit.distance, true, 0);
    }
    const ranking = this.scores.rank(this.options, this.options.exclusionRows ?? 2 * D.cols, samePlace);
    const path = Array.from({ length: D.cols }, (_, c) => Math.max(0, ranking.winner - (D.cols - 1 - c)));
    return { mapIndex: ranking.winner, score: ranking.score, confidence: ranking.confidence, candidates: ranking.candidates, path };
  }
}
