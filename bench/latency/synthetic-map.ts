// A large map for the latency bench, honest about what it is. Encoding 100k real images takes
// hours on 2 cores, so the map is assembled from real descriptors:
//   - one real stretch: the nordland summer traversal (centred, as `map build` stores it), placed in
//     the middle of the map; winter queries of the same stretch have ground truth there;
//   - every other row: a copy of a random real summer stretch (200..N frames) with its spatial
//     cells shuffled by a fixed random permutation per copy (CNN: the 32 cells of the 8x4 grid, the
//     same shuffle for every channel; patchnorm: the 8x8 patches of the thumbnail). A shuffled copy
//     keeps real descriptor statistics and the real frame-to-frame similarity along a route, but
//     shows places nobody visited (a rearranged scene), so it is a distractor, not a duplicate.
// Rows are added one by one through PlaceMap.add (the path `map build` and live mapping use), so
// the build time and memory are the product's.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DescriptorMatrix } from '../../src/core/matrix.js';
import { createRandom } from '../../src/core/random.js';
import { loadMap } from '../../src/map/load-map.js';
import { PlaceMap } from '../../src/map/place-map.js';
import { saveMap } from '../../src/map/save-map.js';
import type { Frontend } from '../../src/pipeline/assemble.js';
import { hnswParams } from '../../src/pipeline/config.js';

/** How a descriptor's dimensions map to image cells, so a copy can be spatially shuffled. */
export type CellLayout =
  /** [channels, cells] flattened channel-major, e.g. the CNN's [96, 4, 8] grid. */
  | { kind: 'channel-major'; cells: number }
  /** A row-major grey image of width x height split into patch x patch blocks (patchnorm). */
  | { kind: 'image'; width: number; height: number; patch: number };

export interface SyntheticMapOptions {
  rows: number;
  seed: number;
  layout: CellLayout;
  /** Saved map folder to reuse (loaded when present, written after a build). */
  cacheDir?: string;
  /**
   * Patch grids of the real rows (row i = real row i), when the pipeline re-ranks: real rows get
   * their own, a shuffled copy gets its source row's (unshuffled: a distractor all the same).
   */
  patches?: DescriptorMatrix;
  onProgress?: (rows: number) => void;
}

export interface SyntheticMap {
  map: PlaceMap;
  /** Map row of real summer frame 0. */
  realOffset: number;
  realRows: number;
  /** Shuffled copies making up the other rows. */
  copies: number;
  /** Build (or load) time, and the process RSS growth it caused. */
  buildSeconds: number;
  rssGrowthMiB: number;
  loadedFromCache: boolean;
  /** The original build's numbers when the map came from the cache. */
  cachedBuild?: { buildSeconds: number; rssGrowthMiB: number };
}

const mib = (bytes: number): number => bytes / 2 ** 20;

/** dst -> src index table of one random spatial shuffle; few cells stay in place, so copies differ from their source. */
function cellPermutation(layout: CellLayout, dim: number, rand: () => number): Int32Array {
  const cells = layout.kind === 'channel-major' ? layout.cells : (layout.width / layout.patch) * (layout.height / layout.patch);
  let order: number[];
  do {
    order = [...Array(cells).keys()];
    for (let i = cells - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  } while (order.filter((c, i) => c === i).length > cells / 4);
  const table = new Int32Array(dim);
  if (layout.kind === 'channel-major') {
    for (let d = 0; d < dim; d++) table[d] = d - (d % cells) + order[d % cells];
    return table;
  }
  const { width, patch } = layout;
  const across = width / patch;
  for (let d = 0; d < dim; d++) {
    const y = Math.floor(d / width);
    const x = d % width;
    const from = order[Math.floor(y / patch) * across + Math.floor(x / patch)];
    const fy = Math.floor(from / across) * patch + (y % patch);
    const fx = (from % across) * patch + (x % patch);
    table[d] = fy * width + fx;
  }
  return table;
}

function checkLayout(layout: CellLayout, dim: number): void {
  const ok =
    layout.kind === 'channel-major'
      ? dim % layout.cells === 0
      : layout.width * layout.height === dim && layout.width % layout.patch === 0 && layout.height % layout.patch === 0;
  if (!ok) throw new Error(`cell layout ${JSON.stringify(layout)} does not fit ${dim}-D descriptors`);
}

export async function syntheticMap(real: DescriptorMatrix, frontend: Frontend, options: SyntheticMapOptions): Promise<SyntheticMap> {
  const { rows } = options;
  const realRows = Math.min(real.rows, rows);
  const realOffset = Math.floor((rows - realRows) / 2);
  const statsFile = options.cacheDir && path.join(options.cacheDir, 'bench-build.json');
  if (options.cacheDir && statsFile && existsSync(statsFile)) {
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const map = await loadMap(options.cacheDir, { onWarning: () => {} });
    const stats = JSON.parse(await readFile(statsFile, 'utf8'));
    // A cached map with patch grids also serves the same front end without re-ranking (it ignores them).
    if (map.size === rows && map.info.encoder.hash === frontend.identity.encoder.hash && stats.seed === options.seed && (!options.patches || map.patches)) {
      return {
        map, realOffset, realRows, copies: stats.copies, loadedFromCache: true,
        buildSeconds: (performance.now() - t0) / 1000, rssGrowthMiB: mib(process.memoryUsage().rss - rss0),
        cachedBuild: { buildSeconds: stats.buildSeconds, rssGrowthMiB: stats.rssGrowthMiB },
      };
    }
  }

  checkLayout(options.layout, real.dim);
  const random = createRandom(options.seed);
  const rand = (): number => random.next();
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const map = PlaceMap.create({
    encoder: frontend.identity.encoder,
    hnsw: hnswParams(frontend.config),
    source: `bench/latency synthetic map (seed ${options.seed})`,
    initialCapacity: rows,
    patches: options.patches ? (frontend.identity.patches ?? undefined) : undefined,
  });
  const row = new Float32Array(real.dim);
  const add = (from: number, table: Int32Array | null, source: string): void => {
    const src = real.row(from);
    if (table) for (let d = 0; d < row.length; d++) row[d] = src[table[d]];
    else row.set(src);
    map.add({ stamp: BigInt(map.size) * 100_000_000n, source }, row, undefined, options.patches?.row(from));
    if (map.size % 1000 === 0) options.onProgress?.(map.size);
  };
  let copies = 0;
  /** Shuffled copies of random real stretches until the map has `until` rows. */
  const fillTo = (until: number): void => {
    while (map.size < until) {
      const len = Math.min(until - map.size, Math.min(real.rows, 200 + Math.floor(rand() * Math.max(1, real.rows - 200))));
      const start = Math.floor(rand() * (real.rows - len + 1));
      const table = cellPermutation(options.layout, real.dim, rand);
      copies++;
      for (let i = 0; i < len; i++) add(start + i, table, `copy${copies}#${start + i}`);
    }
  };
  fillTo(realOffset);
  for (let i = 0; i < realRows; i++) add(i, null, `summer#${i}`);
  fillTo(rows);
  const buildSeconds = (performance.now() - t0) / 1000;
  const rssGrowthMiB = mib(process.memoryUsage().rss - rss0);
  if (options.cacheDir && statsFile) {
    await saveMap(map, options.cacheDir);
    await writeFile(statsFile, JSON.stringify({ seed: options.seed, copies, buildSeconds, rssGrowthMiB }));
  }
  return { map, realOffset, realRows, copies, buildSeconds, rssGrowthMiB, loadedFromCache: false };
}
