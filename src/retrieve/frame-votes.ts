// Coarse retrieval by frame votes (after Fast-SeqSLAM, Siam & Zhang 2017): every query frame asks
// the map's frame index for its K nearest map frames once, when it arrives; a hit on map frame m
// for the frame c steps back in the window votes for the trajectory ENDING at m + c (when the window
// is placed by the path travelled: the row as far along the map's path after m as that frame lies
// before the newest, path-rows.ts). Ends with the most votes (ties: lower summed distance) are the
// candidate regions the fine matcher searches.
// One index query per frame, however long the window, and no dependence on a sequence descriptor.
import type { Candidate } from '../core/types.js';
import { rowAfter, type PathPlacement } from '../match/path-rows.js';
import type { SamePlace } from '../match/same-place.js';

export interface FrameVoteOptions {
  /** Candidate ends returned. */
  k: number;
  /** Ends closer than this to a better one are merged into it (map frames). */
  separationRows: number;
  /** Number of map rows (ends past the map are clipped to its last row). */
  mapRows: number;
  /**
   * Map rows that are another visit of a row's place (map poses). An end at another visit of a
   * chosen end's place does not count against `k`: k is the number of distinct places, so a map
   * holding a place several times still proposes other places (the fine matcher's rivals).
   */
  samePlace?: SamePlace;
  /** The window placed by the path travelled (path-rows.ts; one distance per hit list); absent: one row per frame. */
  placement?: PathPlacement;
}

/**
 * @param hitsPerFrame per window frame, oldest first, that frame's nearest map frames
 * @returns candidate ends, best first; `distance` is the mean distance of the voting hits
 */
export function voteForEnds(hitsPerFrame: readonly (readonly Candidate[])[], options: FrameVoteOptions): Candidate[] {
  const votes = new Map<number, { count: number; distanceSum: number }>();
  const newest = hitsPerFrame.length - 1;
  const placement = options.placement;
  hitsPerFrame.forEach((hits, col) => {
    for (const hit of hits) {
      const end = placement
        ? rowAfter(placement.arc, Math.min(hit.mapIndex, options.mapRows - 1), placement.metres[col], options.mapRows)
        : Math.min(hit.mapIndex + newest - col, options.mapRows - 1);
      const v = votes.get(end);
      if (v) {
        v.count++;
        v.distanceSum += hit.distance;
      } else {
        votes.set(end, { count: 1, distanceSum: hit.distance });
      }
    }
  });
  // Spread each vote over its neighbours so speed changes (ends off by a few frames) still add up.
  const smoothed = [...votes.entries()].map(([end, v]) => {
    let count = v.count;
    let distanceSum = v.distanceSum;
    for (let d = 1; d <= options.separationRows; d++) {
      for (const other of [votes.get(end - d), votes.get(end + d)]) {
        if (other) {
          count += other.count / (d + 1);
          distanceSum += other.distanceSum / (d + 1);
        }
      }
    }
    return { end, count, meanDistance: distanceSum / count };
  });
  smoothed.sort((a, b) => b.count - a.count || a.meanDistance - b.meanDistance || a.end - b.end);
  const chosen: Candidate[] = [];
  const samePlace = options.samePlace;
  let places = 0;
  for (const s of smoothed) {
    if (places >= options.k) break;
    if (chosen.some((c) => Math.abs(c.mapIndex - s.end) <= options.separationRows)) continue;
    const visit = samePlace !== undefined && chosen.some((c) => samePlace(c.mapIndex, s.end));
    chosen.push({ mapIndex: s.end, distance: s.meanDistance });
    if (!visit) places++;
  }
  return chosen;
}
