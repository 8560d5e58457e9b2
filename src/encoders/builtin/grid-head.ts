// A pooling head that keeps the spatial layout: the feature map is average-pooled into a fixed grid
// of cells (adaptive, like PyTorch's AdaptiveAvgPool2d, so any input size gives the same dim),
// optionally centred per channel over the cells, flattened and L2-normalised — all inside the graph.
import type { OnnxGraphBuilder } from '../../onnx/builder.js';
import { int64s } from '../../onnx/builder.js';

export interface GridHeadOptions {
  /** Cells across (x) and down (y). */
  cellsX: number;
  cellsY: number;
  /**
   * Subtract each channel's mean over the cells. It removes what the whole frame shares (global
   * colour/illumination, i.e. season and weather) and keeps where things are.
   */
  centre: boolean;
  /**
   * Weight each cell gives its left and right neighbours' pooled values (0: none). Soft spatial
   * binning, as SIFT interpolates into its spatial bins: a feature moving sideways across a cell
   * border then changes the descriptor gradually, which tolerates sideways viewpoint shifts.
   */
  smoothX?: number;
  /**
   * Signed power normalisation sign(x)|x|^power of the (centred) grid before L2 (1 or absent: none).
   * Power < 1 damps the few dominant activations that otherwise decide the distance.
   */
  power?: number;
  /** Name of the output tensor [batch, channels * cellsY * cellsX] (channel-major). */
  output: string;
}

/** Appends the head to `g`, reading the NCHW feature map `input`. Returns the output name. */
export function appendGridHead(g: OnnxGraphBuilder, input: string, options: GridHeadOptions): string {
  let grid = appendGridPool(g, input, options);
  if (options.power !== undefined && options.power !== 1) {
    const magnitude = g.op('Pow', [g.op('Abs', [grid], {}, 'head/abs'), g.scalar('head/power', options.power)], {}, 'head/pow');
    grid = g.op('Mul', [g.op('Sign', [grid], {}, 'head/sign'), magnitude], {}, 'head/signed_power');
  }
  const flat = g.op('Flatten', [grid], { axis: 1 }, 'head/flat');
  return appendL2Normalize(g, flat, options.output);
}

/**
 * The NCHW feature map average-pooled into a cellsY x cellsX grid ([N, C, cellsY, cellsX]), each
 * channel optionally centred over the cells. Shared by the grid head and the patch head.
 */
export function appendGridPool(
  g: OnnxGraphBuilder,
  input: string,
  options: Pick<GridHeadOptions, 'cellsX' | 'cellsY' | 'centre' | 'smoothX'>,
): string {
  const shape = g.op('Shape', [input], {}, 'head/shape');
  // x [N,C,H,W] @ Pw^T [W,cellsX] -> [N,C,H,cellsX]; Ph [cellsY,H] @ that -> [N,C,cellsY,cellsX]
  const pw = adaptivePoolMatrix(g, shape, 3, options.cellsX, 'head/x');
  const pwT = g.op('Transpose', [pw], { perm: [1, 0] }, 'head/x/poolT');
  const rows = g.op('MatMul', [input, pwT], {}, 'head/pooled_x');
  const ph = adaptivePoolMatrix(g, shape, 2, options.cellsY, 'head/y');
  let grid = g.op('MatMul', [ph, rows], {}, 'head/grid');
  if (options.smoothX) {
    grid = g.op('MatMul', [grid, g.initializer('head/smooth_x', neighbourSmoothing(options.cellsX, options.smoothX), [options.cellsX, options.cellsX])], {}, 'head/smoothed');
  }
  if (options.centre) {
    const mean = g.op('ReduceMean', [grid], { axes: [2, 3], keepdims: 1 }, 'head/cell_mean');
    grid = g.op('Sub', [grid, mean], {}, 'head/centred');
  }
  return grid;
}

/**
 * [cells, cells] matrix M with grid @ M = each cell's value mixed with weight w from each horizontal
 * neighbour (1 - 2w itself; at the borders the missing neighbour's weight goes back to the cell, so
 * every column of M sums to 1 and a constant row stays constant).
 */
export function neighbourSmoothing(cells: number, w: number): Float32Array {
  if (!(w >= 0 && w < 0.5)) throw new RangeError(`smoothX must be in [0, 0.5), got ${w}`);
  const m = new Float32Array(cells * cells);
  // m[src * cells + dst]: how much cell src contributes to output cell dst.
  for (let dst = 0; dst < cells; dst++) {
    let self = 1;
    for (const src of [dst - 1, dst + 1]) {
      if (src < 0 || src >= cells) continue;
      m[src * cells + dst] = w;
      self -= w;
    }
    m[dst * cells + dst] = self;
  }
  return m;
}

/**
 * [cells, size] averaging matrix for the axis `axis` of the tensor whose shape is `shape`:
 * row i is 1/n over [floor(i*size/cells), ceil((i+1)*size/cells)), the PyTorch adaptive bounds.
 * Built from the runtime size, so the graph stays valid for any input height/width.
 */
function adaptivePoolMatrix(g: OnnxGraphBuilder, shape: string, axis: number, cells: number, prefix: string): string {
  const size = g.op('Gather', [shape, g.initializer(`${prefix}/axis`, int64s([axis]), [1])], { axis: 0 }, `${prefix}/size`); // [1]
  const index = g.initializer(`${prefix}/cell`, int64s([...Array(cells).keys()]), [cells, 1]);
  const next = g.initializer(`${prefix}/cell_next`, int64s([...Array(cells).keys()].map((i) => i + 1)), [cells, 1]);
  const count = g.initializer(`${prefix}/cells`, int64s([cells]), [1]);
  const countMinus1 = g.initializer(`${prefix}/cells_minus_1`, int64s([cells - 1]), [1]);
  // Integer division of non-negative int64 truncates, i.e. floors.
  const start = g.op('Div', [g.op('Mul', [index, size]), count], {}, `${prefix}/start`); // [cells,1]
  const end = g.op('Div', [g.op('Add', [g.op('Mul', [next, size]), countMinus1]), count], {}, `${prefix}/end`);
  const zero = g.initializer(`${prefix}/zero`, int64s([0]), []);
  const one = g.initializer(`${prefix}/one`, int64s([1]), []);
  const sizeScalar = g.op('Squeeze', [size], {}, `${prefix}/size_scalar`);
  const positions = g.op('Range', [zero, sizeScalar, one], {}, `${prefix}/positions`); // [size]
  const inside = g.op(
    'And',
    [g.op('GreaterOrEqual', [positions, start]), g.op('Less', [positions, end])],
    {},
    `${prefix}/inside`,
  ); // [cells, size]
  const weights = g.op('Cast', [inside], { to: 1 /* FLOAT */ }, `${prefix}/mask`);
  const n = g.op('Cast', [g.op('Sub', [end, start])], { to: 1 }, `${prefix}/n`);
  return g.op('Div', [weights, n], {}, `${prefix}/pool`);
}

/** y = x / max(||x||_2, 1e-12) along axis 1 of a [batch, dim] tensor (all-zero rows stay zero). */
export function appendL2Normalize(g: OnnxGraphBuilder, input: string, output: string): string {
  const norm = g.op('ReduceL2', [input], { axes: [1], keepdims: 1 }, 'l2/norm');
  const floor = g.has('l2/eps') ? 'l2/eps' : g.scalar('l2/eps', 1e-12);
  g.node('Div', [input, g.op('Max', [norm, floor], {}, 'l2/norm_floor')], [output]);
  return output;
}
