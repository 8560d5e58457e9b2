// The difference matrix (rows = map frames, columns = query frames, lower = more similar) as a
// colour-mapped PNG, block-reduced so the longer side stays under ~800 px, plus a transparent mask
// PNG (e.g. ground truth) on the same grid to lay over it.
import sharp from 'sharp';
import { EvalError } from '../../core/errors.js';
import { percentileSorted } from '../../eval/percentile.js';

/** Row-major dense matrix: value of (map r, query c) at data[r * cols + c]. */
export interface DenseMatrixInput {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** One column per query (each of length `rows`, one value per map frame); null/NaN = not computed. */
export interface ColumnMatrixInput {
  rows: number;
  columns: readonly (Float32Array | null)[];
}

/** Anything indexable, e.g. the matcher's DifferenceMatrix. */
export interface AccessorMatrixInput {
  rows: number;
  cols: number;
  get(row: number, col: number): number;
}

export type HeatmapMatrix = DenseMatrixInput | ColumnMatrixInput | AccessorMatrixInput;

/** A block-reduced matrix: cell (i, j) summarises map rows [i·rowBlock, …) × queries [j·colBlock, …). */
export interface ReducedGrid {
  rows: number;
  cols: number;
  rowBlock: number;
  colBlock: number;
  /** Source size. */
  sourceRows: number;
  sourceCols: number;
  /** NaN where a block has no finite value. */
  data: Float32Array;
}

/**
 * Block-reduces the matrix so neither side exceeds maxSide cells. `min` (default) keeps the
 * low-distance valley of a true match visible however far it is shrunk; `mean` shows texture.
 */
export function reduceMatrix(m: HeatmapMatrix, maxSide = 800, reduce: 'min' | 'mean' = 'min'): ReducedGrid {
  const { rows, cols, get } = accessor(m);
  if (rows === 0 || cols === 0) throw new EvalError(`difference matrix is empty (${rows} x ${cols}); nothing to draw`);
  const rowBlock = Math.ceil(rows / maxSide);
  const colBlock = Math.ceil(cols / maxSide);
  const outRows = Math.ceil(rows / rowBlock);
  const outCols = Math.ceil(cols / colBlock);
  const acc = new Float64Array(outRows * outCols).fill(reduce === 'min' ? Infinity : 0);
  const counts = new Uint32Array(outRows * outCols);
  for (let r = 0; r < rows; r++) {
    const base = Math.floor(r / rowBlock) * outCols;
    for (let c = 0; c < cols; c++) {
      const v = get(r, c);
      if (!Number.isFinite(v)) continue;
      const k = base + Math.floor(c / colBlock);
      acc[k] = reduce === 'min' ? Math.min(acc[k], v) : acc[k] + v;
      counts[k]++;
    }
  }
  const data = new Float32Array(acc.length);
  for (let k = 0; k < acc.length; k++) {
    data[k] = counts[k] === 0 ? NaN : reduce === 'min' ? acc[k] : acc[k] / counts[k];
  }
  return { rows: outRows, cols: outCols, rowBlock, colBlock, sourceRows: rows, sourceCols: cols, data };
}

// Viridis at 9 stops (matplotlib), interpolated: perceptually uniform and readable in grey.
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];
const MISSING_RGB = [40, 40, 40] as const;

/** Colour for t in [0, 1] (0 = most similar = dark). */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + f * (b[k] - a[k]))) as [number, number, number];
}

export interface HeatmapPng {
  png: Buffer;
  grid: ReducedGrid;
  /** The value range mapped onto the colour scale (2nd..98th percentile, so outliers do not wash it out). */
  range: [number, number];
}

/** Renders a reduced grid as an RGB PNG, one pixel per cell. */
export async function renderHeatmapPng(grid: ReducedGrid): Promise<HeatmapPng> {
  const finite = Float64Array.from(grid.data.filter(Number.isFinite)).sort();
  const lo = finite.length ? percentileSorted(finite, 2) : 0;
  const hi = finite.length ? percentileSorted(finite, 98) : 1;
  const span = hi > lo ? hi - lo : 1;
  const rgb = Buffer.alloc(grid.rows * grid.cols * 3);
  for (let k = 0; k < grid.data.length; k++) {
    const v = grid.data[k];
    const c = Number.isFinite(v) ? viridis((v - lo) / span) : MISSING_RGB;
    rgb[k * 3] = c[0];
    rgb[k * 3 + 1] = c[1];
    rgb[k * 3 + 2] = c[2];
  }
  const png = await sharp(rgb, { raw: { width: grid.cols, height: grid.rows, channels: 3 } }).png().toBuffer();
  return { png, grid, range: [lo, hi] };
}

/**
 * A transparent PNG on the grid of `grid` with the cells holding any (mapIndex, queryIndex) pair painted
 * in `rgba` (e.g. ground-truth positives).
 */
export async function renderMaskPng(
  grid: Pick<ReducedGrid, 'rows' | 'cols' | 'rowBlock' | 'colBlock'>,
  cells: Iterable<readonly [mapIndex: number, queryIndex: number]>,
  rgba: readonly [number, number, number, number],
): Promise<Buffer> {
  const px = Buffer.alloc(grid.rows * grid.cols * 4);
  for (const [m, q] of cells) {
    const i = Math.floor(m / grid.rowBlock);
    const j = Math.floor(q / grid.colBlock);
    if (i < 0 || j < 0 || i >= grid.rows || j >= grid.cols) continue;
    px.set(rgba, (i * grid.cols + j) * 4);
  }
  return sharp(px, { raw: { width: grid.cols, height: grid.rows, channels: 4 } }).png().toBuffer();
}

function accessor(m: HeatmapMatrix): { rows: number; cols: number; get: (r: number, c: number) => number } {
  if ('data' in m) {
    if (m.data.length !== m.rows * m.cols) {
      throw new EvalError(`difference matrix has ${m.data.length} values, expected ${m.rows} x ${m.cols}`);
    }
    const { data, cols } = m;
    return { rows: m.rows, cols, get: (r, c) => data[r * cols + c] };
  }
  if ('columns' in m) {
    m.columns.forEach((col, q) => {
      if (col !== null && col.length !== m.rows) {
        throw new EvalError(`difference-matrix column for query ${q} has ${col.length} values, expected ${m.rows} (one per map frame)`);
      }
    });
    const { columns } = m;
    return { rows: m.rows, cols: columns.length, get: (r, c) => columns[c]?.[r] ?? NaN };
  }
  return { rows: m.rows, cols: m.cols, get: (r, c) => m.get(r, c) };
}
