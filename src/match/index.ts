// Public surface of fine sequence matching.
export type { DifferenceMatrix, MatchInput, MatchOutput, SequenceMatcher } from './types.js';
export { MatchInputError } from './errors.js';
export { DenseDifferenceMatrix } from './dense-difference-matrix.js';
export { RollingDifferenceMatrix, lazyDifferenceMatrix, type ColumnMode } from './rolling-difference-matrix.js';
export { ContrastNormalizedMatrix } from './contrast-normalized-matrix.js';
export { ContrastNormalizingMatcher } from './contrast-normalizing-matcher.js';
export { SeqMatchMatcher, SEQMATCH_DEFAULTS, type SeqMatchOptions } from './seqmatch.js';
export { SeqSlamMatcher, SEQSLAM_DEFAULTS, velocityRange, type SeqSlamOptions } from './seqslam.js';
export { AdaptSeqV2Matcher, ADAPTSEQ_V2_DEFAULTS, type AdaptSeqV2Options } from './adaptseq-v2.js';
export { CoarseOnlyMatcher, type CoarseOnlyOptions } from './coarse-only.js';
export { SingleFrameMatcher, type SingleFrameOptions } from './single-frame.js';
export { uniquenessConfidence, type RankingOptions } from './end-scores.js';
export type { RivalScope, SearchOptions } from './search-options.js';
export {
  matcherConfigSchema,
  seqMatchConfigSchema,
  seqSlamConfigSchema,
  adaptSeqV2ConfigSchema,
  singleFrameConfigSchema,
  type MatcherConfig,
  type MatcherConfigInput,
} from './config.js';
export { createMatcher } from './create-matcher.js';
