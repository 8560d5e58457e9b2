// Column argmin used by the greedy tracers and the single-frame path.
import type { DifferenceMatrix } from './types.js';

/**
 * The row in [lo, hi] (inclusive, lo <= hi) with the smallest D[row, col]. On a tie the FIRST
 * (lowest) row wins, as numpy's argmin does in the reference code; NaN cells never win unless
 * every cell is NaN, then lo is returned.
 */
export function argminRowInColumn(D: DifferenceMatrix, col: number, lo: number, hi: number): number {
  let best = lo;
  let bestValue = D.get(lo, col);
  for (let r = lo + 1; r <= hi; r++) {
    const v = D.get(r, col);
    if (v < bestValue || bestValue !== bestValue) {
      best = r;
      bestValue = v;
    }
  }
  return best;
}
