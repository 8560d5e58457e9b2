// SeqMatch (SeqNet's seqMatch, CaseVPR's seq_desc_seqmatch): the unit-velocity diagonal ending at
// each end row e, score(e) = mean_t D[e - (cols - 1 - t), t]. No velocity search, no normalisation.
import { ConstantVelocityMatcher } from './constant-velocity-matcher.js';
import type { SearchOptions } from './search-options.js';
import { PathSweep } from './path-sweep.js';
import { VelocitySweep } from './velocity-sweep.js';

export type SeqMatchOptions = SearchOptions;

export const SEQMATCH_DEFAULTS: SeqMatchOptions = {
  coarseRadiusRows: 0,
  maxCandidates: 5,
  rivalScope: 'map',
};

export class SeqMatchMatcher extends ConstantVelocityMatcher {
  constructor(options: Partial<SeqMatchOptions> = {}) {
    super('seqmatch', new VelocitySweep([1]), { ...SEQMATCH_DEFAULTS, ...options }, new PathSweep([1]));
  }
}
