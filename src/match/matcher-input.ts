// Input checks and coarse-hit handling shared by the matchers.
import type { Candidate } from '../core/types.js';
import { MatchInputError } from './errors.js';
import type { DifferenceMatrix } from './types.js';

/** Throws unless D has at least one map row and one query column. */
export function checkDifferenceMatrix(D: DifferenceMatrix): void {
  if (!(D.rows >= 1 && D.cols >= 1)) {
    throw new MatchInputError(
      `difference matrix is ${D.rows} x ${D.cols}: matching needs at least one map frame and one query frame`,
    );
  }
}

/** Throws unless a coarse hit's mapIndex is an integer (it may lie outside the map: callers clip). */
export function checkCoarseHit(hit: Candidate, k: number): void {
  if (!Number.isInteger(hit.mapIndex)) {
    throw new MatchInputError(`coarse hit ${k} has mapIndex ${hit.mapIndex}, expected an integer map row`);
  }
}

/**
 * Marks in `mask` (length >= rows, cleared here) every end row within `radiusRows` of a coarse
 * hit, clipped to the map, and appends each marked row once to `markedRows` when given (cleared
 * here). Returns how many rows were marked: 0 when there are no hits or all lie outside the map, in
 * which case the caller searches the whole map (the contract for no coarse).
 */
export function markCoarseEnds(
  coarse: readonly Candidate[] | undefined,
  radiusRows: number,
  rows: number,
  mask: Uint8Array,
  markedRows?: number[],
): number {
  mask.fill(0, 0, rows);
  if (markedRows) markedRows.length = 0;
  if (!coarse) return 0;
  let marked = 0;
  coarse.forEach((hit, k) => {
    checkCoarseHit(hit, k);
    const lo = Math.max(0, hit.mapIndex - radiusRows);
    const hi = Math.min(rows - 1, hit.mapIndex + radiusRows);
    for (let r = lo; r <= hi; r++) {
      if (mask[r] === 0) {
        marked++;
        markedRows?.push(r);
      }
      mask[r] = 1;
    }
  });
  return marked;
}

/** A Uint8Array of at least n elements, reusing `buf` when it is big enough. */
export function ensureUint8(buf: Uint8Array<ArrayBuffer>, n: number): Uint8Array<ArrayBuffer> {
  return buf.length >= n ? buf : new Uint8Array(n);
}

/** An Int32Array of at least n elements, reusing `buf` when it is big enough. */
export function ensureInt32(buf: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  return buf.length >= n ? buf : new Int32Array(n);
}
