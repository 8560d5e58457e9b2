// Where along the route the answer lies, from local features a sideways camera move does not
// disturb. Moving the camera sideways shifts image content horizontally (by its parallax) and leaves
// every image row where it was; moving it along the road expands the image about the horizon, so
// content changes rows. A place-level match confuses the two: a camera 2 m to the side of the map's
// lane is matched about 2 m ahead (README, "What the misses are"). Here each query cell is compared
// with the map frame's cells in the same row, any of them within `columns` cells across (horizontal
// displacement is free, vertical is not), and the best similarity per cell is averaged. The window's
// frames are compared along the winner's path shifted by s rows, s in [-rows, rows]; the shift with
// the highest mean similarity moves the answer.
//
// Cost control as in the re-ranker (window-cache.ts): a (query frame, map row) similarity is kept
// while the query frame is in the window, and the normalised cells of recently used map rows.
import { LruCache } from '../core/lru.js';
import { sharedDotBlocks } from '../core/wasm-dot.js';
import { WindowCache } from './window-cache.js';
import { isZeroGrid, multiScalePatches, type PatchGridShape, type PatchSet } from './patch-set.js';

export interface AlongTrackOptions {
  /** Largest shift tried either way, map rows (0: off). */
  rows: number;
  /** Cells a query cell may move across (same row) and still meet its match. */
  columns: number;
  /**
   * How sure the move must be: the paired t statistic of the per-frame similarity gains of the best
   * shift over none (mean gain / its standard error). Below it the answer stays where it is.
   */
  minT: number;
  /**
   * Rows either side of the chosen shift that still count as the right position along the place
   * when the confidence is scaled by how sure that position is (0: the confidence is left alone).
   */
  confidenceRows: number;
}

/** Map rows whose normalised cells are kept (16 KiB each with the built-in grid). */
const MAX_CACHED_MAP_ROWS = 512;

/**
 * Mean over the query's cells of the best cosine similarity with a map cell in the same row within
 * `columns` cells across. Both grids are size-1 PatchSets (unit cells, row-major) of one shape.
 * Each cell's products come from one call into WebAssembly (DotBlocks: bit for bit core/vector's dot).
 */
export function rowAlignedSimilarity(query: PatchSet, map: PatchSet, columns: number): number {
  const { cols, rows, dim } = query;
  if (map.cols !== cols || map.rows !== rows || map.dim !== dim) throw new RangeError('rowAlignedSimilarity needs two grids of one shape');
  const dots = sharedDotBlocks();
  dots.load(query.vectors, map.vectors, dim);
  let total = 0;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const x0 = Math.max(0, x - columns);
      const count = Math.min(cols - 1, x + columns) - x0 + 1;
      const sims = dots.block(y * cols + x, y * cols + x0, count, 1, cols);
      let best = -1;
      for (let k = 0; k < count; k++) if (sims[k] > best) best = sims[k];
      total += best;
    }
  }
  return total / (rows * cols);
}

/** One query frame of the window with its patch grid, and the map row the winner's path gives it. */
export interface AlignedFrame {
  index: number;
  patches: Float32Array | undefined;
  row: number;
}

export interface AlongTrackMap {
  readonly shape: PatchGridShape;
  readonly rows: number;
  row(index: number): ArrayLike<number> | undefined;
}

export interface AlongTrackShift {
  /** Rows the answer moves (+ = further along the map). */
  shift: number;
  /** Mean similarity at each tried shift, from -rows to +rows (NaN where no frame could be compared). */
  similarities: number[];
  /**
   * How sure the position along the place is, in [0, 1]: the share of the shifts' plausibility
   * within `confidenceRows` of the chosen one (1 when off or nothing else could be compared).
   */
  localization: number;
}

export class AlongTrackRefiner {
  private readonly similarityCache = new WindowCache<Map<number, number | undefined>>();
  private readonly queryCells = new WindowCache<PatchSet | null>();
  private readonly mapCells = new LruCache<number, PatchSet | null>(MAX_CACHED_MAP_ROWS);

  constructor(readonly options: AlongTrackOptions) {}

  reset(): void {
    this.similarityCache.clear();
    this.queryCells.clear();
    this.mapCells.clear();
  }

  /**
   * The best shift of the path the window's frames are aligned with (0 when nothing could be
   * compared). `allowed(from, to)`: whether a frame's row may move to another (e.g. within one drive).
   */
  refine(frames: readonly AlignedFrame[], map: AlongTrackMap, allowed: (from: number, to: number) => boolean): AlongTrackShift {
    this.similarityCache.keepOnly(frames);
    this.queryCells.keepOnly(frames);
    const { rows } = this.options;
    const perShift: (number[] | undefined)[] = [];
    for (let s = -rows; s <= rows; s++) perShift.push(this.frameSimilarities(frames, s, map, allowed));
    const similarities = perShift.map((v) => (v ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN));
    let best = -1;
    similarities.forEach((m, k) => {
      if (!Number.isNaN(m) && (best < 0 || m > similarities[best])) best = k;
    });
    const none = perShift[rows];
    const chosen = perShift[best];
    // No move without the unmoved answer to compare with, nor without a clear gain over it.
    const sure = best >= 0 && none !== undefined && chosen !== undefined && pairedT(chosen, none) >= this.options.minT;
    const at = sure ? best : rows;
    return { shift: at - rows, similarities, localization: this.localization(perShift, at) };
  }

  /**
   * Each other shift is as plausible as its per-frame similarities are not clearly below the
   * chosen one's: exp(-t^2 / 2) with t the paired t statistic of its loss (1 without a loss). The
   * share of plausibility within `confidenceRows` of the chosen shift is returned.
   */
  private localization(perShift: readonly (number[] | undefined)[], at: number): number {
    const { confidenceRows } = this.options;
    const chosen = perShift[at];
    if (confidenceRows <= 0 || !chosen) return 1;
    let near = 0;
    let all = 0;
    perShift.forEach((v, k) => {
      if (!v) return;
      const t = k === at ? 0 : pairedT(chosen, v);
      const plausibility = t > 0 ? Math.exp(-0.5 * t * t) : 1;
      all += plausibility;
      if (Math.abs(k - at) <= confidenceRows) near += plausibility;
    });
    return near / all;
  }

  /** Each frame's similarity with its row moved by `s`; undefined unless every frame can be compared. */
  private frameSimilarities(frames: readonly AlignedFrame[], s: number, map: AlongTrackMap, allowed: (from: number, to: number) => boolean): number[] | undefined {
    const out: number[] = [];
    for (const f of frames) {
      const target = f.row + s;
      // A shift that loses frames (off the map or a session, or without features) is not judged on fewer.
      if (target < 0 || target >= map.rows || !allowed(f.row, target)) return undefined;
      const similarity = this.similarity(f, target, map);
      if (similarity === undefined) return undefined;
      out.push(similarity);
    }
    return out.length ? out : undefined;
  }

  private similarity(frame: AlignedFrame, row: number, map: AlongTrackMap): number | undefined {
    const byRow = this.similarityCache.get(frame.index, () => new Map());
    if (byRow.has(row)) return byRow.get(row);
    const q = this.cellsOfQuery(frame, map.shape);
    const m = this.cellsOfRow(row, map);
    const value = q && m ? rowAlignedSimilarity(q, m, this.options.columns) : undefined;
    byRow.set(row, value);
    return value;
  }

  private cellsOfQuery(frame: AlignedFrame, shape: PatchGridShape): PatchSet | undefined {
    return this.queryCells.get(frame.index, () => unitCells(frame.patches, shape)) ?? undefined;
  }

  private cellsOfRow(row: number, map: AlongTrackMap): PatchSet | undefined {
    return this.mapCells.get(row, () => unitCells(map.row(row), map.shape)) ?? undefined;
  }
}

/** The grid's cells as unit vectors; null for a missing or all-zero grid (no evidence). */
function unitCells(grid: ArrayLike<number> | undefined, shape: PatchGridShape): PatchSet | null {
  return grid && !isZeroGrid(grid) ? multiScalePatches(grid, shape, [1])[0] : null;
}

/** Paired t statistic of a - b (mean difference over its standard error); +Infinity for a constant positive gain. */
export function pairedT(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const d = a.map((x, i) => x - b[i]);
  const mean = d.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return mean > 0 ? Infinity : 0;
  const variance = d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return variance > 0 ? mean / Math.sqrt(variance / n) : mean > 0 ? Infinity : 0;
}
