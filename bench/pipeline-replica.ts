// An offline replica of the default pipeline (frame votes -> SeqSLAM) on descriptor matrices, for
// benches that compare many variants on the same frames: the library's own voteForEnds, matcher and
// rolling difference matrix, exact nearest neighbours instead of HNSW (on nordland64's 1200-frame
// stretches it gives the bench's numbers: R@1 0.830 / R@100%P 0.767 at L = 10 on frames 0-1199).
import type { Candidate } from '../src/core/types.js';
import type { DescriptorMatrix } from '../src/core/matrix.js';
import { exactSearch } from '../src/retrieve/exact-search.js';
import { createMatcher } from '../src/match/create-matcher.js';
import { RollingDifferenceMatrix } from '../src/match/rolling-difference-matrix.js';
import { velocityRange } from '../src/match/seqslam.js';
import { VelocitySweep } from '../src/match/velocity-sweep.js';
import type { PipelineConfig } from '../src/pipeline/config.js';
import { voteForEnds } from '../src/retrieve/frame-votes.js';

/** What the replica keeps per query: the answer and what each rule needs. */
export interface Answer {
  query: number;
  cols: number;
  winner: number;
  confidence: number;
  best: number;
  path: number[];
  coarse: Candidate[];
  /** Scores of the ends scored outside the winner's exclusion window (the other places). */
  others: number[];
  /** Best score ending 2..exclusion rows from the winner (what sharpness compares with). */
  near: number;
}

/** Every query frame in order (the matcher's own confidence, before the recogniser's window rule). */
export function replica(map: DescriptorMatrix, query: DescriptorMatrix, L: number, config: PipelineConfig): Answer[] {
  const { retrieval, matcher: matcherConfig } = config;
  if (matcherConfig.kind !== 'seqslam' || retrieval.source !== 'frame-votes') throw new Error('the replica follows frame votes -> SeqSLAM (config/default.yaml)');
  const matcher = createMatcher(matcherConfig);
  const sweep = new VelocitySweep(velocityRange(matcherConfig.vMin, matcherConfig.vMax, matcherConfig.vSteps));
  const D = new RollingDifferenceMatrix(map, L, 'lazy');
  const recent: Candidate[][] = [];
  const answers: Answer[] = [];
  for (let i = 0; i < query.rows; i++) {
    const q = query.row(i);
    D.push(q);
    recent.push(exactSearch(map, q, retrieval.perFrameK).map((h) => ({ mapIndex: h.label, distance: h.distance })));
    if (recent.length > L) recent.shift();
    const coarse = voteForEnds(recent, { k: retrieval.k, separationRows: retrieval.separationRows, mapRows: map.rows });
    const out = matcher.match({ D, coarse });
    // Re-score the same candidate regions to see the distribution of the other places' scores.
    sweep.prepare(D.cols);
    const exclusion = matcherConfig.exclusionRows ?? 2 * D.cols;
    const ends = new Set<number>();
    for (const c of coarse) for (let r = Math.max(0, c.mapIndex - matcherConfig.coarseRadiusRows); r <= Math.min(map.rows - 1, c.mapIndex + matcherConfig.coarseRadiusRows); r++) ends.add(r);
    const others: number[] = [];
    let near = Number.POSITIVE_INFINITY;
    for (const e of ends) {
      const s = sweep.scoreEnd(D, e);
      const away = Math.abs(e - out.mapIndex);
      if (away > exclusion) others.push(s);
      else if (away >= matcherConfig.localizationRows && s < near) near = s;
    }
    others.sort((a, b) => a - b);
    answers.push({ query: i, cols: D.cols, winner: out.mapIndex, confidence: out.confidence, best: out.score, path: out.path, coarse, others, near });
  }
  return answers;
}

