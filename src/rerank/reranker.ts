// Patch-level re-ranking (Patch-NetVLAD's idea on our backbone), the stage after fine sequence
// matching. For each of the best few candidate trajectories, the query window's frames are compared
// with the map frames the trajectory aligns them with: local patches (several sizes) are paired by
// mutual nearest neighbours, and the pairs that agree on one image displacement count as evidence.
// The patch score is fused with the sequence score (fusion.ts); the fused score picks the winner
// and sets the confidence. The winner's agreeing pairs are kept (for a relative pose estimate).
//
// Cost control: a (query frame, map frame) comparison is cached for as long as the query frame is in
// the window (compactly: the mutual pairs and which agree), and the pooled patches of the most
// recently used map rows. A trajectory shifts by one frame per query, so
// in steady state most comparisons are reused.
import { LruCache } from '../core/lru.js';
import type { Candidate, FramePatchMatch, PatchCorrespondence, PatchMatches } from '../core/types.js';
import type { MatchOutput } from '../match/types.js';
import type { SamePlace } from '../match/same-place.js';
import { fusedConfidence, fuseScores } from './fusion.js';
import { mutualNearestNeighbours, type PatchPair } from './mutual-nn.js';
import { AlongTrackRefiner, type AlongTrackOptions } from './along-track-shift.js';
import { isZeroGrid, multiScalePatches, type PatchGridShape, type PatchSet } from './patch-set.js';
import { chanceShare, translationConsensus } from './spatial.js';
import { WindowCache } from './window-cache.js';

export interface RerankOptions {
  /** Best sequence candidates re-scored (the rest keep their sequence score). */
  candidates: number;
  /** Window frames compared per candidate, evenly spaced, the newest always included. */
  frames: number;
  /** Patch sizes in cells (s x s windows of the patch grid). */
  patchSizes: readonly number[];
  /** Cells two displacements may differ by and still agree (x and y each). */
  tolerance: number;
  /** w in fused = sequence * (1 - w * patch), in [0, 1). */
  weight: number;
  /** Largest displacement (grid steps, x and y) searched between matching patches. */
  searchRadius: number;
  /** Moves the winner along the map by row-aligned cell matching (along-track-shift.ts); rows 0 = off. */
  alongTrack: AlongTrackOptions;
}

/**
 * Whether the answer may move from map row `from` to row `to` along the map: both recorded in one
 * drive, and `to` among the rows the query may match (in map mode not the robot's own last frames).
 */
export type AllowedMove = (from: number, to: number) => boolean;

/** Local features of map frames: a cell grid per row, as stored in the map (int8) or undefined when the row has none. */
export interface PatchRows {
  readonly shape: PatchGridShape;
  readonly rows: number;
  row(index: number): ArrayLike<number> | undefined;
}

/** One query frame of the window, with its patch grid (undefined when it could not be computed). */
export interface WindowFrame {
  index: number;
  patches: Float32Array | undefined;
}

export interface RerankResult {
  mapIndex: number;
  path: number[];
  /** Fused score of the winner (lower is better). */
  score: number;
  confidence: number;
  /** Re-ranked candidates (fused scores as distance), then the others with their sequence score. */
  candidates: Candidate[];
  /** The winner's patch score in [0, 1]. */
  patchScore: number;
  patchMatches: PatchMatches;
  /** Rows the along-track move moved the winner (0: kept; absent when the move is off). */
  alongTrackShift?: number;
}

/**
 * One compared frame pair, compact: the mutual pairs per patch size and which of them agree. The
 * correspondence objects are only built for the winner's frames (what the caller gets).
 */
interface PairResult {
  score: number;
  shift: { x: number; y: number };
  sizes: { query: PatchSet; map: PatchSet; pairs: PatchPair[]; inliers: number[] }[];
}

/** Map rows whose pooled patches are kept (about 25 KiB each with the built-in grid and sizes 2, 3). */
const MAX_CACHED_MAP_ROWS = 512;

const NO_EVIDENCE: PairResult = { score: 0, shift: { x: 0, y: 0 }, sizes: [] };

export class PatchReranker {
  /** Compared pairs by query frame index, then map row; a query frame's entries go when it leaves the window. */
  private readonly pairCache = new WindowCache<Map<number, PairResult>>();
  private readonly queryPatches = new WindowCache<PatchSet[] | null>();
  /** Pooled patches of map rows, least recently used first (rows come back while trajectories slide and rivals return). */
  private readonly mapPatches = new LruCache<number, PatchSet[] | null>(MAX_CACHED_MAP_ROWS);

  private readonly alongTrack: AlongTrackRefiner | undefined;

  constructor(readonly options: RerankOptions) {
    this.alongTrack = options.alongTrack.rows > 0 ? new AlongTrackRefiner(options.alongTrack) : undefined;
  }

  /** Forget cached comparisons (after a map switch or a reset of the window). */
  reset(): void {
    this.alongTrack?.reset();
    this.pairCache.clear();
    this.queryPatches.clear();
    this.mapPatches.clear();
  }

  /**
   * `samePlace`: as in the matcher, another visit of the winner's place is no rival of it.
   * `allowedMove`: where the along-track move may take the answer (default: anywhere on the map).
   */
  rerank(out: MatchOutput, window: readonly WindowFrame[], map: PatchRows, samePlace?: SamePlace, allowedMove: AllowedMove = () => true): RerankResult {
    this.pairCache.keepOnly(window);
    this.queryPatches.keepOnly(window);
    const cols = window.length;
    const n = Math.min(this.options.candidates, out.candidates.length);
    const columns = sampleColumns(cols, this.options.frames);
    const scored = out.candidates.slice(0, n).map((c) => {
      const path = c.mapIndex === out.mapIndex ? out.path : (out.pathOf?.(c.mapIndex) ?? constantPath(c.mapIndex, cols));
      const pairs = columns.map((col) => ({ query: window[col].index, row: path[col], result: this.comparePair(window[col], path[col], map) }));
      const patchScore = pairs.reduce((s, p) => s + p.result.score, 0) / Math.max(1, pairs.length);
      return { end: c.mapIndex, sequence: c.distance, path, pairs, patchScore, fused: fuseScores(c.distance, patchScore, this.options.weight) };
    });
    scored.sort((a, b) => a.fused - b.fused || a.end - b.end);
    const win = scored[0];
    const rest = out.candidates.slice(n);
    // The best distinct rival: re-ranked ones by fused score, the others by their sequence score.
    // No rival at all gives NaN, i.e. confidence 0, as in the matcher: uniqueness cannot be vouched for.
    // Another visit of the winner's place is a rival only when no other place is left (as in the matcher).
    const all = [...scored.slice(1).map((s) => ({ row: s.end, score: s.fused })), ...rest.map((c) => ({ row: c.mapIndex, score: c.distance }))];
    const places = all.filter((r) => !samePlace?.(win.end, r.row));
    const rivals = (places.length ? places : all).map((r) => r.score);
    const rival = rivals.length ? Math.min(...rivals) : Number.NaN;
    // Matchers that cannot judge localisation along the map (no `sharpness`) leave it out, as they do themselves.
    const sequenceConfidence = win.end === out.mapIndex ? out.confidence : 0;
    const confidence = fusedConfidence(win.fused, rival, out.sharpness?.(win.end) ?? 1, sequenceConfidence);
    // The place is decided; where along it the camera is, is refined (the winner's path moves as one).
    const along = this.alongTrack?.refine(window.map((f, col) => ({ ...f, row: win.path[col] })), map, allowedMove);
    const { shift, localization } = along ?? { shift: 0, localization: 1 };
    const moved = (row: number) => row + shift;
    const others = [...scored.slice(1).map((s) => ({ mapIndex: s.end, distance: s.fused })), ...rest].filter((c) => c.mapIndex !== moved(win.end));
    return {
      mapIndex: moved(win.end),
      path: win.path.map(moved),
      score: win.fused,
      // The right place at an unsure position along it is not a sure answer.
      confidence: confidence * localization,
      candidates: [{ mapIndex: moved(win.end), distance: win.fused }, ...others],
      patchScore: win.patchScore,
      patchMatches: { grid: { cellsX: map.shape.cellsX, cellsY: map.shape.cellsY }, frames: win.pairs.map((p) => framePatchMatch(p.query, p.row, p.result)) },
      ...(along && { alongTrackShift: shift }),
    };
  }

  /** Patch evidence between one query frame and one map frame (cached while the query frame is in the window). */
  private comparePair(query: WindowFrame, row: number, map: PatchRows): PairResult {
    const byRow = this.pairCache.get(query.index, () => new Map());
    const cached = byRow.get(row);
    if (cached) return cached;
    const q = this.querySets(query, map.shape);
    const m = this.mapSets(row, map);
    let result = NO_EVIDENCE;
    if (q && m) {
      let total = 0;
      let sx = 0;
      let sy = 0;
      const sizes: PairResult['sizes'] = [];
      for (let s = 0; s < q.length; s++) {
        const a = q[s];
        const b = m[s];
        const pairs = mutualNearestNeighbours(a, b, this.options.searchRadius);
        const consensus = translationConsensus(pairs, a, b, this.options.tolerance);
        const chance = pairs.length * chanceShare(a.cols, a.rows, this.options.searchRadius, this.options.tolerance);
        total += Math.max(0, consensus.inliers.length - chance) / a.count;
        sx += consensus.dx;
        sy += consensus.dy;
        sizes.push({ query: a, map: b, pairs, inliers: consensus.inliers });
      }
      result = { score: total / q.length, shift: { x: sx / q.length, y: sy / q.length }, sizes };
    }
    byRow.set(row, result);
    return result;
  }

  private querySets(frame: WindowFrame, shape: PatchGridShape): PatchSet[] | undefined {
    const patches = frame.patches;
    if (!patches) return undefined;
    // An all-zero grid (a run's first frame after its own mean is taken off) is no evidence, as for map rows.
    const sets = this.queryPatches.get(frame.index, () => (isZeroGrid(patches) ? null : multiScalePatches(patches, shape, this.options.patchSizes)));
    return sets ?? undefined;
  }

  private mapSets(row: number, map: PatchRows): PatchSet[] | undefined {
    const sets = this.mapPatches.get(row, () => {
      const cells = map.row(row);
      return cells && !isZeroGrid(cells) ? multiScalePatches(cells, map.shape, this.options.patchSizes) : null;
    });
    return sets ?? undefined;
  }
}

/** The reported evidence of one compared frame pair (correspondences in patch-grid cell units). */
function framePatchMatch(queryIndex: number, mapIndex: number, result: PairResult): FramePatchMatch {
  const pairs: PatchCorrespondence[] = [];
  for (const { query: a, map: b, pairs: all, inliers } of result.sizes) {
    for (const i of inliers) {
      const p = all[i];
      pairs.push({ size: a.size, query: { x: a.x[p.query], y: a.y[p.query] }, map: { x: b.x[p.map], y: b.y[p.map] }, similarity: p.similarity });
    }
  }
  return { queryIndex, mapIndex, score: result.score, shift: { ...result.shift }, pairs };
}

/** `count` columns of a `cols`-column window, evenly spaced, newest first and always included. */
export function sampleColumns(cols: number, count: number): number[] {
  const n = Math.max(1, Math.min(cols, count));
  if (n === 1) return [cols - 1];
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(cols - 1 - Math.round((k * (cols - 1)) / (n - 1)));
  return out;
}

/** Unit-velocity trajectory ending at `end` (rows clipped at the map start), for matchers that report no path. */
function constantPath(end: number, cols: number): number[] {
  return Array.from({ length: cols }, (_, t) => Math.max(0, end - (cols - 1 - t)));
}
