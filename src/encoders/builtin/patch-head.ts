// The patch head: the backbone's feature map pooled to a fixed grid of cells (one local feature per
// cell, in image order), each channel centred over the cells (the frame's global appearance removed,
// as in the grid head), projected to a few dimensions by a fixed matrix and L2-normalised per cell.
// Output [batch, cellsY * cellsX * dim], cell-major (row y, column x, then the cell's values), which
// is what the patch re-ranker reads (src/rerank/).
import type { OnnxGraphBuilder } from '../../onnx/builder.js';
import { appendGridPool } from './grid-head.js';

export interface PatchHeadOptions {
  cellsX: number;
  cellsY: number;
  centre: boolean;
  /** Row-major [dim, channels] projection of each cell's feature; null keeps the channels. */
  projection: { matrix: Float32Array; dim: number; channels: number } | null;
  output: string;
}

/** Appends the patch head to `g`, reading the NCHW feature map `input`. Returns the output name. */
export function appendPatchHead(g: OnnxGraphBuilder, input: string, options: PatchHeadOptions): string {
  const grid = appendGridPool(g, input, options); // [N, C, cy, cx]
  let cells = g.op('Transpose', [grid], { perm: [0, 2, 3, 1] }, 'patch/cells'); // [N, cy, cx, C]
  if (options.projection) {
    const { matrix, dim, channels } = options.projection;
    // [C, dim] = projection^T, so that cells @ it is each cell's projected feature.
    const t = new Float32Array(channels * dim);
    for (let d = 0; d < dim; d++) for (let c = 0; c < channels; c++) t[c * dim + d] = matrix[d * channels + c];
    cells = g.op('MatMul', [cells, g.initializer('patch/projection', t, [channels, dim])], {}, 'patch/projected');
  }
  const norm = g.op('ReduceL2', [cells], { axes: [3], keepdims: 1 }, 'patch/norm');
  const floor = g.scalar('patch/eps', 1e-12);
  const unit = g.op('Div', [cells, g.op('Max', [norm, floor], {}, 'patch/norm_floor')], {}, 'patch/unit');
  g.node('Flatten', [unit], [options.output], { axis: 1 });
  return options.output;
}

/**
 * A fixed `dim` x `channels` matrix with orthonormal rows, drawn from a seeded Gaussian and
 * orthonormalised (Gram-Schmidt). A data-independent projection: random orthonormal projections
 * keep inner products of the projected vectors close to the originals' (Johnson-Lindenstrauss), so
 * nearest neighbours between cells survive the smaller dimension without fitting anything to a
 * dataset.
 */
export function orthonormalProjection(dim: number, channels: number, normal: () => number): Float32Array {
  if (dim > channels) throw new RangeError(`projection to ${dim} dims needs at least as many channels, got ${channels}`);
  const rows: Float64Array[] = [];
  while (rows.length < dim) {
    const v = Float64Array.from({ length: channels }, normal);
    for (const r of rows) {
      let dot = 0;
      for (let c = 0; c < channels; c++) dot += v[c] * r[c];
      for (let c = 0; c < channels; c++) v[c] -= dot * r[c];
    }
    const n = Math.hypot(...v);
    if (n < 1e-6) continue; // (never in practice) a draw inside the span: draw again
    for (let c = 0; c < channels; c++) v[c] /= n;
    rows.push(v);
  }
  const out = new Float32Array(dim * channels);
  rows.forEach((r, d) => out.set(r, d * channels));
  return out;
}
