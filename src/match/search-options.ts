// Options every matcher shares: where it searches, what counts as a rival, how many candidates.
import { ConfigError } from '../core/errors.js';
import type { RankingOptions } from './end-scores.js';

/**
 * Which hypotheses can be rivals (and alternative candidates) when coarse hits restrict the
 * winner: 'map' scores the whole map (the confidence then measures uniqueness over all places,
 * costs a full sweep), 'candidates' only the coarse regions (cheap on huge lazy maps, but when
 * every coarse hit is near the winner there is no rival and the confidence is 0).
 */
export type RivalScope = 'map' | 'candidates';

export interface SearchOptions extends RankingOptions {
  /** Map rows either side of each coarse hit whose ends are scored (0 = the hit's row only). */
  coarseRadiusRows: number;
  rivalScope: RivalScope;
}

/** Throws a ConfigError unless the ranking/search options are in range. */
export function checkSearchOptions(
  name: string,
  o: RankingOptions & { rivalScope: RivalScope; coarseRadiusRows?: number },
): void {
  const intAtLeast = (key: string, v: number | undefined, min: number): void => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) {
      throw new ConfigError(`${name}.${key} must be an integer >= ${min}, got ${v}`);
    }
  };
  intAtLeast('coarseRadiusRows', o.coarseRadiusRows, 0);
  intAtLeast('exclusionRows', o.exclusionRows, 0);
  intAtLeast('maxCandidates', o.maxCandidates, 1);
  if (o.rivalScope !== 'map' && o.rivalScope !== 'candidates') {
    throw new ConfigError(`${name}.rivalScope must be 'map' or 'candidates', got ${String(o.rivalScope)}`);
  }
}

