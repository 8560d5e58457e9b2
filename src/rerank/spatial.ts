// Spatial consistency of patch correspondences. A place seen again from a slightly different pose
// moves its patches together (one image translation, at this coarse resolution), while chance
// matches between different places, or a mirrored scene, scatter. The score is an exhaustive
// RANSAC on the displacements: every pair proposes its own displacement, the one that the most pairs
// agree with (within `tolerance` cells in x and in y) wins. Deterministic (no sampling: at most a
// few hundred pairs), and the inlier count is what Patch-NetVLAD's RANSAC scorer counts.
import type { PatchPair } from './mutual-nn.js';

export interface Positions {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface Consensus {
  /** Indices into `pairs` of the pairs agreeing with the winning displacement, ascending. */
  inliers: number[];
  /** Mean displacement map - query of the inliers, in cell units (0 when there are none). */
  dx: number;
  dy: number;
}

export function translationConsensus(pairs: readonly PatchPair[], query: Positions, map: Positions, tolerance: number): Consensus {
  const n = pairs.length;
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  pairs.forEach((p, i) => {
    dx[i] = map.x[p.map] - query.x[p.query];
    dy[i] = map.y[p.map] - query.y[p.query];
  });
  let best = -1;
  let bestCount = 0;
  for (let h = 0; h < n; h++) {
    let count = 0;
    for (let i = 0; i < n; i++) if (Math.abs(dx[i] - dx[h]) <= tolerance && Math.abs(dy[i] - dy[h]) <= tolerance) count++;
    if (count > bestCount) {
      bestCount = count;
      best = h;
    }
  }
  if (best < 0) return { inliers: [], dx: 0, dy: 0 };
  const inliers: number[] = [];
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    if (Math.abs(dx[i] - dx[best]) <= tolerance && Math.abs(dy[i] - dy[best]) <= tolerance) {
      inliers.push(i);
      sx += dx[i];
      sy += dy[i];
    }
  }
  return { inliers, dx: sx / inliers.length, dy: sy / inliers.length };
}

/**
 * The share of pairs one displacement hypothesis collects by chance: with displacements spread
 * evenly over the searched window ((2r + 1) steps each way, r capped by the grid) and integer grid
 * steps, a (2t + 1)-step box around any hypothesis holds this much of them. The re-ranker subtracts
 * it, so unrelated frames score about 0 whatever the search radius, and a score means agreement
 * beyond chance.
 */
export function chanceShare(cols: number, rows: number, radius: number, tolerance: number): number {
  const box = 2 * Math.floor(tolerance) + 1;
  const rx = Math.min(radius, cols - 1);
  const ry = Math.min(radius, rows - 1);
  return Math.min(1, box / (2 * rx + 1)) * Math.min(1, box / (2 * ry + 1));
}
