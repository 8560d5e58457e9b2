// Map rows at a distance along the map's own path. A window placed by odometry knows how many metres
// each of its frames lies before the newest; the map knows how far along its path each row lies
// (`arc`, cumulative metres per row: equal rows where the map run stood still, a jump at a session
// start). Matching metres to metres, not frames to frames, holds however unevenly either run was
// sampled (speed changes, stops, keyframes).

/** A window placed by the path travelled: what the matcher and the frame votes need. */
export interface PathPlacement {
  /** Metres each window column lies before the newest along the query's path (oldest first, the newest 0). */
  metres: readonly number[];
  /** Cumulative path length (m) at each map row, non-decreasing; at least as long as the searched rows. */
  arc: ArrayLike<number>;
}

/**
 * For each column t (oldest first), the row at or before `end` whose arc lies nearest to
 * arc[end] - scale * metres[t] (ties to the later row), written into `out`. Rows below the first
 * reachable one (the map start, or a session start: the arc jumps there) clip to it. O(columns +
 * rows spanned): one walk back from `end`.
 */
export function rowsBefore(arc: ArrayLike<number>, end: number, metres: readonly number[], scale: number, out: Int32Array): void {
  const top = arc[end];
  let r = end;
  for (let t = metres.length - 1; t >= 0; t--) {
    const target = top - scale * metres[t];
    while (r > 0 && arc[r - 1] >= target) r--;
    out[t] = r > 0 && target - arc[r - 1] < arc[r] - target ? r - 1 : r;
  }
}

/**
 * The row at or after `from`, below `rows`, whose arc lies nearest to arc[from] + metres (ties to
 * the earlier row): where a trajectory through `from` is `metres` later. Clipped to rows - 1.
 */
export function rowAfter(arc: ArrayLike<number>, from: number, metres: number, rows: number): number {
  const target = arc[from] + metres;
  let r = from;
  while (r + 1 < rows && arc[r + 1] <= target) r++;
  return r + 1 < rows && arc[r + 1] - target < target - arc[r] ? r + 1 : r;
}
