/**
 * Binary search: the first index in [0, length) where `before(index)` turns false, for a predicate
 * that is true on a prefix and false after it (e.g. "value < target" over an ascending array).
 */
export function partitionPoint(length: number, before: (index: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
