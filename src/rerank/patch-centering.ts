// Appearance centring for patch grids, the local counterpart of the frame descriptors' centring
// (encoders/centering.ts): each traversal's running mean grid is subtracted before matching. It
// removes what a run's conditions add at each image position (a season's colours, and the layout
// every frame of a route shares: sky on top, track or road in the middle), which otherwise lets
// unrelated places agree on "no displacement". Measured on nordland64 frames 0-1199 (single frame
// pairs): wrong places' patch score falls from 0.14 to 0.05, true ones from 0.26 to 0.15, and the
// true/false separation (AUC) rises from 0.92 to 0.95. Causal and identical on the map and query
// side; each cell is L2-normalised again afterwards (the int8 map copy needs unit cells).
import { l2NormalizeInPlace } from '../core/vector.js';
import { EmaCentering, type CenteringConfig } from '../encoders/centering.js';
import type { PatchGridShape } from './patch-set.js';

export class PatchCentering {
  private readonly ema: EmaCentering;

  constructor(
    config: CenteringConfig,
    private readonly shape: PatchGridShape,
  ) {
    this.ema = new EmaCentering(config);
  }

  /** The centred grid (a new array; cells unit length, all-zero cells stay zero). */
  apply(grid: Float32Array): Float32Array {
    const out = this.ema.apply(grid);
    return normalizeCells(out === grid ? Float32Array.from(grid) : out, this.shape.dim);
  }
}

/** L2-normalises each `dim`-value cell of a cell-major grid in place. */
export function normalizeCells(grid: Float32Array, dim: number): Float32Array {
  for (let base = 0; base < grid.length; base += dim) l2NormalizeInPlace(grid.subarray(base, base + dim));
  return grid;
}
