// Fine matching cost per frame versus map size and window length, for the matchers the configs use.
// Each case streams real winter query descriptors into the lazy rolling difference matrix the
// recogniser keeps, with frame-vote candidates computed as the recogniser does (here by exact
// search, outside the timed part), and times matcher.match alone in steady state: after L warm-up
// frames, so the cells earlier frames computed are cached, as they are live.
import { performance } from 'node:perf_hooks';
import type { Candidate } from '../../src/core/types.js';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { summariseLatency, type LatencySummary } from '../../src/eval/percentile.js';
import { exactSearch } from '../../src/retrieve/exact-search.js';
import type { MatcherConfigInput } from '../../src/match/config.js';
import { createMatcher } from '../../src/match/create-matcher.js';
import { RollingDifferenceMatrix } from '../../src/match/rolling-difference-matrix.js';
import { voteForEnds } from '../../src/retrieve/frame-votes.js';

export interface MatcherVariant {
  name: string;
  matcher: (L: number) => MatcherConfigInput;
  /** Candidate ends from frame votes (0: none, the matcher sweeps the whole map). */
  coarseK: number;
}

const ranked = { maxCandidates: 20, localizationRows: 2 };
export const MATCHER_VARIANTS: MatcherVariant[] = [
  { name: 'seqslam, 20 vote ends, rivals among candidates (default)', coarseK: 20, matcher: () => ({ kind: 'seqslam', rivalScope: 'candidates', ...ranked }) },
  { name: 'seqslam, 20 vote ends, rivals over the map', coarseK: 20, matcher: () => ({ kind: 'seqslam', rivalScope: 'map', ...ranked }) },
  { name: 'seqslam full sweep (no coarse stage)', coarseK: 0, matcher: () => ({ kind: 'seqslam', ...ranked }) },
  { name: 'seqmatch, 20 vote ends, rivals among candidates', coarseK: 20, matcher: () => ({ kind: 'seqmatch', rivalScope: 'candidates', ...ranked }) },
  { name: 'adaptseq-v2, 5 vote ends, rivals over the map (its default)', coarseK: 5, matcher: (L) => ({ kind: 'adaptseq-v2', coarseSequenceLength: L, ...ranked }) },
  { name: 'adaptseq-v2, 5 vote ends, rivals among candidates', coarseK: 5, matcher: (L) => ({ kind: 'adaptseq-v2', coarseSequenceLength: L, rivalScope: 'candidates', ...ranked }) },
];

export interface MatcherCostRow {
  variant: string;
  rows: number;
  L: number;
  match: LatencySummary;
  /** Difference-matrix cells computed per timed frame (lazy: what the matcher touched that was new). */
  cellsPerFrame: number;
}

export interface MatcherCostOptions {
  sizes: number[];
  lengths: number[];
  /** Timed frames per case. */
  frames: number;
  /** Map row of query 0 (queries q match map rows truthOffset + q). */
  truthOffset: number;
  variants?: MatcherVariant[];
  onCase?: (row: MatcherCostRow) => void;
}

const PER_FRAME_K = 50;
const SEPARATION_ROWS = 3;

/** Rows [lo, lo + size) of `map` as a matrix view, centred on the real stretch where it can be. */
function window(map: DescriptorMatrix, size: number, centre: number): { sub: DescriptorMatrix } {
  const lo = Math.max(0, Math.min(map.rows - size, Math.round(centre - size / 2)));
  return { sub: new DescriptorMatrix(size, map.dim, map.data.subarray(lo * map.dim, (lo + size) * map.dim)) };
}

export function matcherCost(map: DescriptorMatrix, queries: DescriptorMatrix, options: MatcherCostOptions): MatcherCostRow[] {
  const out: MatcherCostRow[] = [];
  const maxL = Math.max(...options.lengths);
  const needed = maxL + options.frames;
  const variants = options.variants ?? MATCHER_VARIANTS;
  for (const size of options.sizes.filter((s) => s <= map.rows)) {
    // Queries whose true rows sit in the middle of the window (as many as the stretch allows).
    const firstQuery = Math.max(0, Math.min(queries.rows - needed, Math.round(queries.rows / 2 - needed / 2)));
    const { sub } = window(map, size, options.truthOffset + firstQuery + needed / 2);
    const hits: Candidate[][] = [];
    for (let i = 0; i < needed; i++) {
      hits.push(exactSearch(sub, queries.row(firstQuery + i), PER_FRAME_K).map((h) => ({ mapIndex: h.label, distance: h.distance })));
    }
    for (const L of options.lengths) {
      for (const variant of variants) {
        const matcher = createMatcher(variant.matcher(L));
        const D = new RollingDifferenceMatrix(sub, L, 'lazy');
        const times: number[] = [];
        let cells = 0;
        const start = maxL - L; // every L uses the same timed query frames
        for (let i = start; i < needed; i++) {
          D.push(queries.row(firstQuery + i));
          const coarse =
            variant.coarseK > 0
              ? voteForEnds(hits.slice(Math.max(start, i - L + 1), i + 1), { k: variant.coarseK, separationRows: SEPARATION_ROWS, mapRows: size })
              : undefined;
          const before = D.computedCells;
          const t0 = performance.now();
          matcher.match({ D, coarse });
          const ms = performance.now() - t0;
          if (i >= maxL) {
            times.push(ms);
            cells += D.computedCells - before;
          }
        }
        const row = { variant: variant.name, rows: size, L, match: summariseLatency(times)!, cellsPerFrame: cells / times.length };
        out.push(row);
        options.onCase?.(row);
      }
    }
  }
  return out;
}
