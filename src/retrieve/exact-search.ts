// Brute-force top-k by cosine distance. A bounded max-heap keeps the k best rows seen so far, so a
// 100k-row map costs O(n log k) comparisons and k slots of memory instead of a full sort.
import type { DescriptorMatrix } from '../core/matrix.js';
import { dot } from '../core/vector.js';
import type { SearchHit } from './types.js';

/**
 * The k rows of `matrix` nearest to `query` (1 - dot), best first; ties go to the lower row, as
 * argmin does. Only the first `rows` rows are searched. Returns min(k, rows) hits. The caller
 * validates the query's length and values.
 */
export function exactSearch(matrix: DescriptorMatrix, query: Float32Array, k: number, rows = matrix.rows): SearchHit[] {
  const n = Math.min(k, rows);
  if (n <= 0) return [];
  // Heap of the n best so far, worst at the root. Rows arrive in increasing order, so a later row
  // with an equal distance never displaces an earlier one: "strictly better" keeps argmin's tie rule.
  const dist = new Float64Array(n);
  const label = new Int32Array(n);
  let size = 0;
  const { data, dim } = matrix;
  for (let r = 0; r < rows; r++) {
    const d = 1 - dot(data, query, dim, r * dim, 0);
    if (size < n) {
      siftUp(dist, label, size++, d, r);
    } else if (d < dist[0]) {
      siftDown(dist, label, size, d, r);
    }
  }
  const hits: SearchHit[] = [];
  for (let i = 0; i < size; i++) hits.push({ label: label[i], distance: dist[i] });
  return hits.sort((a, b) => a.distance - b.distance || a.label - b.label);
}

/** True when (da, la) ranks worse than (db, lb): larger distance, or equal distance and later row. */
function worse(da: number, la: number, db: number, lb: number): boolean {
  return da > db || (da === db && la > lb);
}

function siftUp(dist: Float64Array, label: Int32Array, at: number, d: number, l: number): void {
  let i = at;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!worse(d, l, dist[parent], label[parent])) break;
    dist[i] = dist[parent];
    label[i] = label[parent];
    i = parent;
  }
  dist[i] = d;
  label[i] = l;
}

/** Replaces the root (the current worst) with (d, l) and restores the heap. */
function siftDown(dist: Float64Array, label: Int32Array, size: number, d: number, l: number): void {
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    const child = right < size && worse(dist[right], label[right], dist[left], label[left]) ? right : left;
    if (!worse(dist[child], label[child], d, l)) break;
    dist[i] = dist[child];
    label[i] = label[child];
    i = child;
  }
  dist[i] = d;
  label[i] = l;
}
