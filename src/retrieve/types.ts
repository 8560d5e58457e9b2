// Small shapes shared by the map's search back-ends.

/** One search result before row labels are turned into map frame indices. */
export interface SearchHit {
  /** Row of the searched descriptor matrix. */
  label: number;
  /** Cosine distance 1 - a.b (descriptors are unit-norm). */
  distance: number;
}

/** `hnsw`: approximate graph search (fast on large maps). `exact`: brute force (small maps, recall checks). */
export type SearchMode = 'hnsw' | 'exact';

export interface SearchOptions {
  /** Default `hnsw`. */
  mode?: SearchMode;
  /**
   * Only map frames (or sequences ending at map frames) before this index are returned: live
   * mapping searches the map it is extending without matching its own recent frames.
   */
  beforeFrame?: number;
}
