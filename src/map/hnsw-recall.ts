// How much of the exact top-k the HNSW index finds: the number to watch when tuning M / ef.
import type { PlaceMap } from './place-map.js';

/**
 * Mean recall@k of HNSW against exact search over `queries` (fraction of the exact top-k map
 * indices that HNSW also returns). `target` picks the frame or the sequence index.
 */
export function hnswRecallAtK(map: PlaceMap, target: 'frames' | 'sequences', queries: readonly Float32Array[], k: number): number {
  if (queries.length === 0) return 1;
  const search = target === 'frames' ? map.searchFrames.bind(map) : map.searchSequences.bind(map);
  let sum = 0;
  for (const q of queries) {
    const exact = search(q, k, { mode: 'exact' });
    if (exact.length === 0) {
      sum += 1;
      continue;
    }
    const found = new Set(search(q, k, { mode: 'hnsw' }).map((c) => c.mapIndex));
    sum += exact.filter((c) => found.has(c.mapIndex)).length / exact.length;
  }
  return sum / queries.length;
}
