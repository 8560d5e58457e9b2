// Shared engine of SeqMatch and SeqSLAM: score every candidate end row with a VelocitySweep (a
// PathSweep for a window placed by the path travelled), then rank. With coarse hits, only ends
// within coarseRadiusRows of a hit may win; with rivalScope 'map' the rest of the map is still
// scored, as rivals for the confidence.
import { EndScores, resolveExclusionRows } from './end-scores.js';
import { checkDifferenceMatrix, ensureUint8, markCoarseEnds } from './matcher-input.js';
import type { MatchInput, MatchOutput, SequenceMatcher } from './types.js';
import { checkSearchOptions, type SearchOptions } from './search-options.js';
import type { PathSweep } from './path-sweep.js';
import type { TrajectorySweep } from './trajectory-sweep.js';
import type { VelocitySweep } from './velocity-sweep.js';

export class ConstantVelocityMatcher implements SequenceMatcher {
  private readonly ends = new EndScores();
  private coarseMask = new Uint8Array(0);
  private readonly coarseEnds: number[] = [];

  constructor(
    readonly name: string,
    private readonly framesSweep: VelocitySweep,
    private readonly options: SearchOptions,
    /** Trajectories of a window placed by the path travelled (MatchInput.placement). */
    private readonly pathSweep: PathSweep,
  ) {
    checkSearchOptions(name, options);
  }

  match({ D, coarse, samePlace, placement }: MatchInput): MatchOutput {
    checkDifferenceMatrix(D);
    const { rows, cols } = D;
    let sweep: TrajectorySweep;
    if (placement) {
      this.pathSweep.prepare(cols, placement);
      sweep = this.pathSweep;
    } else {
      this.framesSweep.prepare(cols);
      sweep = this.framesSweep;
    }
    this.ends.reset(rows);
    this.coarseMask = ensureUint8(this.coarseMask, rows);
    const mask = this.coarseMask;
    const marked = markCoarseEnds(coarse, this.options.coarseRadiusRows, rows, mask, this.coarseEnds);
    if (marked === 0 || this.options.rivalScope === 'map') {
      for (let end = 0; end < rows; end++) this.scoreEnd(sweep, D, end, marked === 0 || mask[end] === 1);
    } else {
      // Only the candidate regions: the cost follows the coarse hits, not the map size.
      for (const end of this.coarseEnds) this.scoreEnd(sweep, D, end, true);
    }
    const exclusion = resolveExclusionRows(this.options, cols);
    const { winner, score, confidence, candidates } = this.ends.rank(this.options, exclusion, samePlace);
    return {
      mapIndex: winner,
      score,
      confidence,
      candidates,
      path: sweep.path(this.ends.tag(winner), winner),
      pathOf: (row) => sweep.path(this.ends.tag(row), row),
      sharpness: (row) => this.ends.sharpnessAt(row, this.options, exclusion),
    };
  }

  private scoreEnd(sweep: TrajectorySweep, D: MatchInput['D'], end: number, mayWin: boolean): void {
    const score = sweep.scoreEnd(D, end);
    this.ends.offer(end, score, mayWin, sweep.bestPattern);
  }
}
