// Ground truth: which map frames are correct answers for a query frame. Three sources:
// frame alignment (`aligned:TOL`, e.g. Nordland), an explicit CSV list, and pose distance (bags with odometry).
import { partitionPoint } from '../core/partition-point.js';
import { readFile } from 'node:fs/promises';
import { EvalError } from '../core/errors.js';
import type { Pose } from '../core/types.js';

export interface GroundTruth {
  /** Human-readable origin, e.g. "aligned:1" or a file path; shown in reports. */
  readonly description: string;
  /**
   * Number of queries the ground truth knows about, when it is finite (CSV, poses). Metrics reject
   * query indices at or past it, since a silent "no positive" there would hide a mismatch.
   */
  readonly queryCount?: number;
  /** Map indices that are correct answers for this query, ascending. Empty when none is. */
  positives(queryIndex: number): readonly number[];
  hasPositives(queryIndex: number): boolean;
}

const NONE: readonly number[] = Object.freeze([]);

/**
 * Ground truth from explicit per-query positive lists (index = query index; queries past the end have
 * none). Pass `queryCount` when the lists cover the whole query set, so metrics can catch a mismatch.
 */
export function groundTruthFromLists(
  lists: readonly (readonly number[])[],
  description: string,
  queryCount?: number,
): GroundTruth {
  const sorted = lists.map((l) => Object.freeze([...new Set(l)].sort((a, b) => a - b)));
  return {
    description,
    queryCount,
    positives: (q) => sorted[q] ?? NONE,
    hasPositives: (q) => (sorted[q]?.length ?? 0) > 0,
  };
}

/** Query i matches map j iff |i - j| <= tolerance and 0 <= j < mapSize (frame-aligned traverses). */
export function alignedGroundTruth(tolerance: number, mapSize: number): GroundTruth {
  if (!Number.isInteger(tolerance) || tolerance < 0) {
    throw new EvalError(`aligned ground truth tolerance must be a non-negative integer, got ${tolerance}`);
  }
  if (!Number.isInteger(mapSize) || mapSize < 0) {
    throw new EvalError(`aligned ground truth needs the map size as a non-negative integer, got ${mapSize}`);
  }
  const positives = (q: number): readonly number[] => {
    const lo = Math.max(0, q - tolerance);
    const hi = Math.min(mapSize - 1, q + tolerance);
    const out: number[] = [];
    for (let j = lo; j <= hi; j++) out.push(j);
    return out;
  };
  return {
    description: `aligned:${tolerance}`,
    positives,
    hasPositives: (q) => Math.max(0, q - tolerance) <= Math.min(mapSize - 1, q + tolerance),
  };
}

/** Names of the positives column: seqvpr's own, and the one common in public VPR benchmark lists. */
const POSITIVES_COLUMNS = ['positives', 'ref_positives'];

/**
 * Parses a ground-truth CSV: header `query,positives` (or `query,ref_positives`), then one row per
 * query, positives a space- or semicolon-separated list of map indices (empty = no positive). Queries
 * without a row have no positive. `file` only names the source in error messages.
 */
export function parseGroundTruthCsv(text: string, file: string, mapSize?: number): GroundTruth {
  const lines = text.split(/\r?\n/);
  const where = (lineNo: number): string => `${file}:${lineNo}`;
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new EvalError(`${file}: ground-truth CSV is empty; expected a header "query,positives"`);
  const header = lines[headerAt].replace(/^\uFEFF/, '').split(',').map((c) => c.trim().toLowerCase());
  if (header.length !== 2 || header[0] !== 'query' || !POSITIVES_COLUMNS.includes(header[1])) {
    throw new EvalError(
      `${where(headerAt + 1)}: expected the header "query,positives" or "query,ref_positives", got "${lines[headerAt].trim()}"`,
    );
  }
  const lists: number[][] = [];
  const seenAt = new Map<number, number>();
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const comma = line.indexOf(',');
    if (comma < 0) throw new EvalError(`${where(i + 1)}: expected "query,positives" (two fields), got "${line}"`);
    const query = parseIndex(line.slice(0, comma), 'query index', where(i + 1));
    const previous = seenAt.get(query);
    if (previous !== undefined) {
      throw new EvalError(`${where(i + 1)}: query ${query} is listed twice (first on line ${previous}); merge the rows`);
    }
    seenAt.set(query, i + 1);
    const field = unquote(line.slice(comma + 1).trim());
    if (field.includes(',')) {
      throw new EvalError(`${where(i + 1)}: separate positives with spaces or semicolons, not commas`);
    }
    const positives = field
      .split(/[\s;]+/)
      .filter((t) => t !== '')
      .map((t) => parseIndex(t, 'map index', where(i + 1)));
    if (mapSize !== undefined) {
      const bad = positives.find((p) => p >= mapSize);
      if (bad !== undefined) {
        throw new EvalError(`${where(i + 1)}: map index ${bad} is out of range; the map has ${mapSize} frames`);
      }
    }
    while (lists.length <= query) lists.push([]);
    lists[query] = positives;
  }
  // No queryCount: trailing queries without positives may have no row at all.
  return groundTruthFromLists(lists, file);
}

/** Reads and parses a ground-truth CSV file (see parseGroundTruthCsv). */
export async function loadGroundTruthCsv(path: string, mapSize?: number): Promise<GroundTruth> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new EvalError(`cannot read ground-truth file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseGroundTruthCsv(text, path, mapSize);
}

export interface PoseGroundTruthOptions {
  /** A map frame is positive when its position is within this many metres of the query's (inclusive). */
  thresholdM: number;
  /** Ignore z (odometry height often drifts; the seed datasets use 2-D UTM). Default false. */
  planar?: boolean;
}

/**
 * Positives by position: map j is positive for query q iff ‖p_q − p_j‖ <= thresholdM. Frames without a
 * pose have no positive (and are never positive). Uses a sort on x to avoid the full Q×M scan.
 */
export function poseGroundTruth(
  queryPoses: readonly (Pose | undefined)[],
  mapPoses: readonly (Pose | undefined)[],
  options: PoseGroundTruthOptions,
): GroundTruth {
  const { thresholdM, planar = false } = options;
  if (!(thresholdM >= 0) || !Number.isFinite(thresholdM)) {
    throw new EvalError(`pose ground truth threshold must be a finite distance in metres >= 0, got ${thresholdM}`);
  }
  const byX = mapPoses
    .map((p, j) => ({ j, p }))
    .filter((e): e is { j: number; p: Pose } => e.p !== undefined)
    .sort((a, b) => a.p.position.x - b.p.position.x);
  const xs = byX.map((e) => e.p.position.x);
  const thr2 = thresholdM * thresholdM;
  const lists = queryPoses.map((qp) => {
    if (qp === undefined) return [];
    const q = qp.position;
    const out: number[] = [];
    for (let k = lowerBound(xs, q.x - thresholdM); k < xs.length && xs[k] <= q.x + thresholdM; k++) {
      const m = byX[k].p.position;
      const dz = planar ? 0 : m.z - q.z;
      if ((m.x - q.x) ** 2 + (m.y - q.y) ** 2 + dz * dz <= thr2) out.push(byX[k].j);
    }
    return out;
  });
  return groundTruthFromLists(lists, `pose:${thresholdM}m${planar ? ' (planar)' : ''}`, queryPoses.length);
}

export interface GroundTruthContext {
  mapSize: number;
  queryPoses?: readonly (Pose | undefined)[];
  mapPoses?: readonly (Pose | undefined)[];
}

/**
 * Builds ground truth from a command-line / config spec:
 * `aligned:TOL`, `pose:METRES` (or `pose2d:METRES`, ignoring z; needs poses in `ctx`), or a CSV path
 * (optionally written `csv:PATH`).
 */
export async function groundTruthFromSpec(spec: string, ctx: GroundTruthContext): Promise<GroundTruth> {
  const m = /^(aligned|pose|pose2d|csv):(.*)$/.exec(spec.trim());
  if (m === null) return loadGroundTruthCsv(spec, ctx.mapSize);
  const [, kind, arg] = m;
  if (kind === 'csv') return loadGroundTruthCsv(arg, ctx.mapSize);
  if (kind === 'aligned') {
    if (!/^\d+$/.test(arg)) throw new EvalError(`ground truth "${spec}": write aligned:TOL with TOL a whole number of frames, e.g. aligned:1`);
    return alignedGroundTruth(Number(arg), ctx.mapSize);
  }
  const thresholdM = Number(arg);
  if (arg.trim() === '' || !Number.isFinite(thresholdM) || thresholdM < 0) {
    throw new EvalError(`ground truth "${spec}": write ${kind}:METRES with a distance >= 0, e.g. ${kind}:10`);
  }
  if (ctx.queryPoses === undefined || ctx.mapPoses === undefined) {
    throw new EvalError(`ground truth "${spec}" needs poses for the map and the queries; record odometry or use aligned:TOL / a CSV`);
  }
  return poseGroundTruth(ctx.queryPoses, ctx.mapPoses, { thresholdM, planar: kind === 'pose2d' });
}

function parseIndex(token: string, what: string, where: string): number {
  const t = token.trim();
  if (!/^\d+$/.test(t)) throw new EvalError(`${where}: ${what} must be a non-negative integer, got "${t}"`);
  return Number(t);
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

/** First index k with xs[k] >= v (xs ascending). */
function lowerBound(xs: readonly number[], v: number): number {
  return partitionPoint(xs.length, (k) => xs[k] < v);
}
