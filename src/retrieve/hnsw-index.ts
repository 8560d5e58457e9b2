// A growing HNSW graph over unit-norm descriptors (hnswlib-node, inner-product space).
// hnswlib's 'ip' space already returns 1 - a.b, which for unit vectors is the cosine distance the
// rest of seqvpr uses, so distances pass through unchanged.
import hnswlib from 'hnswlib-node';
import type { SearchHit } from './types.js';

const { HierarchicalNSW } = hnswlib;
type HnswGraph = InstanceType<typeof HierarchicalNSW>;

/** How the graph is built and searched (stored in the map manifest, which validates it). */
export interface HnswParams {
  /** Graph degree (links per node above layer 0; 2*m on layer 0). */
  m: number;
  efConstruction: number;
  /** Candidate list size at query time; raised to k when k is larger. */
  efSearch: number;
  /** Level-assignment seed: the same seed and insertion order give the same graph. */
  randomSeed: number;
}

/**
 * M and efConstruction are hnswlib's own defaults. efSearch 200 gives recall@10 0.98 on 3k random
 * 256-D unit vectors (64 gives only 0.75): random high-dimensional data is the hard case.
 */
export const DEFAULT_HNSW_PARAMS: Readonly<HnswParams> = Object.freeze({
  m: 16,
  efConstruction: 200,
  efSearch: 200,
  randomSeed: 100,
});

const MIN_CAPACITY = 16;

export class HnswIndex {
  private constructor(
    private readonly graph: HnswGraph,
    readonly dim: number,
    readonly params: Readonly<HnswParams>,
  ) {}

  /** An empty index with room for `capacity` points; it doubles its capacity whenever it fills up. */
  static create(dim: number, params: Readonly<HnswParams>, capacity = MIN_CAPACITY): HnswIndex {
    const graph = new HierarchicalNSW('ip', dim);
    graph.initIndex({
      maxElements: Math.max(capacity, MIN_CAPACITY),
      m: params.m,
      efConstruction: params.efConstruction,
      randomSeed: params.randomSeed,
    });
    return new HnswIndex(graph, dim, params);
  }

  /**
   * Reads an index written by `writeSync`. hnswlib-node reads from a file path only (no buffer) and
   * trusts the file's structure, so callers must verify its checksum first; a corrupt graph can crash
   * the process instead of throwing.
   */
  static async read(file: string, dim: number, params: Readonly<HnswParams>): Promise<HnswIndex> {
    // A fresh object: hnswlib-node's async reader frees the previous graph before loading.
    const graph = new HierarchicalNSW('ip', dim);
    await graph.readIndex(file);
    return new HnswIndex(graph, dim, params);
  }

  get count(): number {
    return this.graph.getCurrentCount();
  }

  get capacity(): number {
    return this.graph.getMaxElements();
  }

  /** Adds one unit-norm point under `label` (its row), growing the graph first when it is full. */
  add(point: Float32Array, label: number): void {
    const capacity = this.graph.getMaxElements();
    if (this.graph.getCurrentCount() >= capacity) this.graph.resizeIndex(Math.max(capacity * 2, MIN_CAPACITY));
    // The binding accepts plain arrays only (it rejects typed arrays).
    this.graph.addPoint(Array.from(point), label);
  }

  /**
   * The min(k, count) nearest points, best first (fewer when `belowLabel` leaves fewer); only labels
   * below `belowLabel` when given. efSearch is raised to k when k is larger.
   */
  search(query: Float32Array, k: number, belowLabel?: number): SearchHit[] {
    const n = Math.min(k, this.graph.getCurrentCount(), belowLabel ?? Number.POSITIVE_INFINITY);
    if (n <= 0) return [];
    this.graph.setEf(Math.max(this.params.efSearch, n));
    const filter = belowLabel !== undefined && belowLabel < this.graph.getCurrentCount() ? (label: number) => label < belowLabel : undefined;
    const { neighbors, distances } = this.graph.searchKnn(Array.from(query), n, filter);
    return neighbors.map((label, i) => ({ label, distance: distances[i] }));
  }

  /** Writes the graph (with its vectors) synchronously, so the file matches the rows added so far. */
  writeSync(file: string): void {
    this.graph.writeIndexSync(file);
  }
}
