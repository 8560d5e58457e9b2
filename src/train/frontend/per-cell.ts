// The discriminative projection fitted per cell of a grid descriptor. The built-in CNN's descriptor
// is a grid of cells (8 x 4), each holding the same 96 channels at another place in the image. A
// global projection (discriminative.ts) learns 3072 x D weights from about a thousand places, and
// mixes cells. Here one small projection (channels -> k) is learned from every cell of every
// training frame at once and applied to each cell: it learns how a local feature changes between
// traversals (season, light) from 32 times more samples and far fewer weights, and keeps the
// layout that sequence matching and the confidence rely on. The steps are those of the global
// fit: within-place whitening (each query cell against the same cell of its most similar
// ground-truth positive), then the LDA directions, in the space of one cell.
import { DescriptorMatrix } from '../../core/matrix.js';
import { ConfigError } from '../../core/errors.js';
import type { TraversalPair } from '../seqnet/sequences.js';
import { fitDiscriminativeProjection, type DiscriminativeFit, type ReducedSpace } from './discriminative.js';

/**
 * A descriptor of `cells` cells of `channels` values: channel-major (the grid descriptor, value
 * (ch, cell) at ch * cells + cell) unless `cellMajor` (a patch grid, at cell * channels + ch).
 */
export interface GridLayout {
  channels: number;
  cells: number;
  cellMajor?: boolean;
}

/** Each frame's cells as rows of `channels` values: row frame * cells + cell. */
function cellRows(m: DescriptorMatrix, { channels, cells, cellMajor }: GridLayout): DescriptorMatrix {
  if (cellMajor) return new DescriptorMatrix(m.rows * cells, channels, m.data);
  const out = new DescriptorMatrix(m.rows * cells, channels);
  for (let r = 0; r < m.rows; r++) {
    const row = m.row(r);
    for (let cell = 0; cell < cells; cell++) {
      const target = out.row(r * cells + cell);
      for (let ch = 0; ch < channels; ch++) target[ch] = row[ch * cells + cell];
    }
  }
  return out;
}

/**
 * The training pair at the level of cells, as a space for fitDiscriminativeProjection (identity
 * basis): a query cell's positives are the same cell of its frame's positive frames.
 */
export function cellSpace(pair: TraversalPair, layout: GridLayout): ReducedSpace {
  const { channels, cells } = layout;
  if (pair.db.dim !== channels * cells) {
    throw new ConfigError(`descriptors have ${pair.db.dim} values, not ${channels} channels x ${cells} cells`);
  }
  const cellPair: TraversalPair = {
    db: cellRows(pair.db, layout),
    query: cellRows(pair.query, layout),
    dbRows: { start: Math.max(0, pair.dbRows.start) * cells, end: Math.min(pair.dbRows.end, pair.db.rows) * cells },
    queryRows: { start: Math.max(0, pair.queryRows.start) * cells, end: Math.min(pair.queryRows.end, pair.query.rows) * cells },
    positives: (q) => {
      const cell = q % cells;
      return pair.positives((q - cell) / cells).map((frame) => frame * cells + cell);
    },
  };
  const basis = new Float32Array(channels * channels);
  for (let i = 0; i < channels; i++) basis[i * channels + i] = 1;
  const samples = (cellPair.dbRows.end - cellPair.dbRows.start) + (cellPair.queryRows.end - cellPair.queryRows.start);
  return { inputDim: channels, basis, dims: channels, samples, train: cellPair };
}

/** The cell projection [k x channels] applied to every cell: P [cells * k x channels * cells], output cell-major. */
export function expandPerCell(head: Float32Array, k: number, { channels, cells, cellMajor }: GridLayout): Float32Array {
  const inputDim = channels * cells;
  const p = new Float32Array(cells * k * inputDim);
  for (let cell = 0; cell < cells; cell++) {
    for (let o = 0; o < k; o++) {
      const row = (cell * k + o) * inputDim;
      for (let ch = 0; ch < channels; ch++) p[row + (cellMajor ? cell * channels + ch : ch * cells + cell)] = head[o * channels + ch];
    }
  }
  return p;
}

/** Fits the per-cell head (k output values per cell) and returns the full projection. */
export function fitPerCellProjection(
  pair: TraversalPair,
  layout: GridLayout,
  options: { outputDimPerCell: number; regularization: number; seed?: number },
): DiscriminativeFit & { projection: Float32Array } {
  const fit = fitDiscriminativeProjection(cellSpace(pair, layout), { outputDim: options.outputDimPerCell, regularization: options.regularization, seed: options.seed });
  return { ...fit, outputDim: fit.outputDim * layout.cells, projection: expandPerCell(fit.head, fit.outputDim, layout) };
}
