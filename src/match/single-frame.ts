// The single-frame baseline: rank map rows by the newest query column alone (CaseVPR's 'none'
// back end). It is SeqMatch on a one-column view of D, so coarse hits, candidates and the
// confidence behave exactly as in the sequence matchers. The path matches each older column on
// its own (first minimum over the whole map): single-frame matching has no trajectory.
import { argminRowInColumn } from './argmin.js';
import { checkDifferenceMatrix } from './matcher-input.js';
import { SeqMatchMatcher, type SeqMatchOptions } from './seqmatch.js';
import type { DifferenceMatrix, MatchInput, MatchOutput, SequenceMatcher } from './types.js';

export type SingleFrameOptions = SeqMatchOptions;

/** The newest column of a matrix, as a one-column matrix (no copy). */
class NewestColumnView implements DifferenceMatrix {
  readonly cols = 1;
  constructor(private readonly source: DifferenceMatrix) {}

  get rows(): number {
    return this.source.rows;
  }

  get(row: number): number {
    return this.source.get(row, this.source.cols - 1);
  }
}

export class SingleFrameMatcher implements SequenceMatcher {
  readonly name = 'single';
  private readonly inner: SeqMatchMatcher;

  /** exclusionRows defaults to 2 (2 x a one-frame window), as for SeqMatch with cols = 1. */
  constructor(options: Partial<SingleFrameOptions> = {}) {
    this.inner = new SeqMatchMatcher(options);
  }

  match(input: MatchInput): MatchOutput {
    const { D } = input;
    checkDifferenceMatrix(D);
    const out = this.inner.match({ ...input, D: new NewestColumnView(D) });
    const path = new Array<number>(D.cols);
    for (let c = 0; c < D.cols - 1; c++) path[c] = argminRowInColumn(D, c, 0, D.rows - 1);
    path[D.cols - 1] = out.mapIndex;
    return { ...out, path };
  }
}
