// Builds the matcher a config asks for, wrapped in contrast normalisation when enabled.
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { AdaptSeqV2Matcher } from './adaptseq-v2.js';
import { CoarseOnlyMatcher } from './coarse-only.js';
import { type MatcherConfigInput, matcherConfigSchema } from './config.js';
import { ContrastNormalizingMatcher } from './contrast-normalizing-matcher.js';
import { SeqMatchMatcher } from './seqmatch.js';
import { SeqSlamMatcher } from './seqslam.js';
import { SingleFrameMatcher } from './single-frame.js';
import type { SequenceMatcher } from './types.js';

/** Validates `config` (ConfigError naming the bad key) and returns the matcher. */
export function createMatcher(config: MatcherConfigInput): SequenceMatcher {
  const parsed = matcherConfigSchema.safeParse(config);
  if (!parsed.success) throw new ConfigError(`invalid matcher config:\n${z.prettifyError(parsed.error)}`);
  // samePlace is the recogniser's: only it knows the map's poses.
  const { contrastRadiusRows, samePlace: _samePlace, ...c } = parsed.data;
  let matcher: SequenceMatcher;
  switch (c.kind) {
    case 'coarse':
      matcher = new CoarseOnlyMatcher(c);
      break;
    case 'seqmatch':
      matcher = new SeqMatchMatcher(c);
      break;
    case 'seqslam':
      matcher = new SeqSlamMatcher(c);
      break;
    case 'adaptseq-v2':
      matcher = new AdaptSeqV2Matcher(c);
      break;
    case 'single':
      matcher = new SingleFrameMatcher(c);
      break;
  }
  return contrastRadiusRows > 0 ? new ContrastNormalizingMatcher(matcher, contrastRadiusRows) : matcher;
}
