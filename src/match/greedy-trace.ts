// AdaptSeq's bidirectional greedy trace. From a start cell it walks to the oldest and to the newest
// column, each step taking the best row in a window of `stepWindow` (KK) rows:
//   backward  idx[c-1] = argmin over rows [idx[c] - KK + 1, idx[c]]  of D[., c-1]
//   forward   idx[c+1] = argmin over rows [idx[c], idx[c] + KK - 1]  of D[., c+1]
// clipped to the map. The trajectory is monotone non-decreasing: the map may advance 0 rows per
// query frame (a stop) up to KK - 1 rows (a speed-up), with no constant-velocity assumption.
// Ties go to the first (lowest) row, see argmin.ts.
import { argminRowInColumn } from './argmin.js';
import type { DifferenceMatrix } from './types.js';

/**
 * Traces from (startRow, startCol), writes the row of every column (oldest first) into
 * out[offset .. offset + cols) and returns the mean of D along the trajectory.
 */
export function traceBidirectional(
  D: DifferenceMatrix,
  startRow: number,
  startCol: number,
  stepWindow: number,
  out: Int32Array,
  offset: number,
): number {
  const last = D.rows - 1;
  out[offset + startCol] = startRow;
  let sum = D.get(startRow, startCol);
  for (let c = startCol; c > 0; c--) {
    const at = out[offset + c];
    const row = argminRowInColumn(D, c - 1, Math.max(0, at - stepWindow + 1), at);
    out[offset + c - 1] = row;
    sum += D.get(row, c - 1);
  }
  for (let c = startCol; c < D.cols - 1; c++) {
    const at = out[offset + c];
    const row = argminRowInColumn(D, c + 1, at, Math.min(last, at + stepWindow - 1));
    out[offset + c + 1] = row;
    sum += D.get(row, c + 1);
  }
  return sum / D.cols;
}
