// Runs any matcher on the contrast-normalised difference matrix (see contrast-normalized-matrix.ts).
// Scores and candidate distances are then in normalised units (shifted z-scores), not cosine
// distances; rows, path and confidence keep their meaning.
import { ContrastNormalizedMatrix, checkContrastRadius } from './contrast-normalized-matrix.js';
import type { MatchInput, MatchOutput, SequenceMatcher } from './types.js';

export class ContrastNormalizingMatcher implements SequenceMatcher {
  readonly name: string;
  private normalized: ContrastNormalizedMatrix | undefined;

  constructor(
    private readonly inner: SequenceMatcher,
    /** Half-window R in map rows. */
    readonly radiusRows: number,
  ) {
    checkContrastRadius(radiusRows);
    this.name = `${inner.name}+contrast`;
  }

  match(input: MatchInput): MatchOutput {
    // One wrapper, re-bound per call, so its cache buffer is allocated once.
    if (this.normalized) this.normalized.bind(input.D);
    else this.normalized = new ContrastNormalizedMatrix(input.D, this.radiusRows);
    return this.inner.match({ ...input, D: this.normalized });
  }
}
