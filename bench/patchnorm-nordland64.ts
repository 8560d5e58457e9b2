// Single-frame recall of the patchnorm encoder on nordland64 (real data, not in the repo), plus the
// smoothing / delta sequence encoders on its descriptors. Brute-force cosine distance.
//   npx tsx bench/patchnorm-nordland64.ts [queries=winter] [map=summer]
// A query is correct when the best map frame's index is within 1 of its own (frame-aligned seasons).
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescriptorMatrix } from '../src/core/matrix.js';
import { dot } from '../src/core/vector.js';
import { PatchNormEncoder } from '../src/encoders/patchnorm.js';
import { createSequenceEncoder } from '../src/encoders/sequence/factory.js';

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/data/nordland64');
/** Frames 00010-00170 are black in both seasons: no place information, left out of recall. */
const BLACK_FRAMES = 17;

async function encodeSeason(season: string): Promise<DescriptorMatrix> {
  const dir = path.join(DATA, season);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.png')).sort();
  const encoder = new PatchNormEncoder();
  const rows: Float32Array[] = [];
  for (let i = 0; i < files.length; i += 64) {
    rows.push(...(await encoder.encode(files.slice(i, i + 64).map((f) => ({ kind: 'file' as const, path: path.join(dir, f) })))));
  }
  return DescriptorMatrix.fromRows(rows);
}

/** Recall@1 with |i - j| <= 1, over queries from `first` on (map searched in full). */
function recallAt1(map: DescriptorMatrix, queries: DescriptorMatrix, first: number): number {
  let hits = 0;
  for (let q = first; q < queries.rows; q++) {
    let best = -Infinity;
    let bestIndex = -1;
    for (let m = 0; m < map.rows; m++) {
      const s = dot(queries.row(q), map.row(m));
      if (s > best) [best, bestIndex] = [s, m];
    }
    if (Math.abs(bestIndex - q) <= 1) hits++;
  }
  return hits / (queries.rows - first);
}

/** Sequence descriptors of every window of L consecutive frames (row r = frames r..r+L-1). */
async function sequenceMatrix(frames: DescriptorMatrix, kind: 'smoothing' | 'delta', length: number): Promise<DescriptorMatrix> {
  const encoder = await createSequenceEncoder({ kind, length }, { frameDim: frames.dim });
  const windows = Array.from({ length: frames.rows - length + 1 }, (_, r) => Array.from({ length }, (_, k) => frames.row(r + k)));
  return DescriptorMatrix.fromRows(await encoder.encode(windows));
}

async function main(): Promise<void> {
  if (!existsSync(DATA)) {
    console.log(`skipped: ${DATA} is absent (real data lives outside the repo)`);
    return;
  }
  const [querySeason = 'winter', mapSeason = 'summer'] = process.argv.slice(2);
  const map = await encodeSeason(mapSeason);
  const queries = await encodeSeason(querySeason);
  console.log(`patchnorm-32x16-p8, ${querySeason} -> ${mapSeason}, ${queries.rows} queries (first ${BLACK_FRAMES} black frames excluded)`);
  console.log(`single frame R@1: ${recallAt1(map, queries, BLACK_FRAMES).toFixed(3)}`);
  for (const kind of ['smoothing', 'delta'] as const) {
    for (const length of [5, 10]) {
      // Row r of a sequence matrix is the window of frames r..r+L-1, the same place in both seasons;
      // windows from row BLACK_FRAMES on contain no black frame.
      const r = recallAt1(await sequenceMatrix(map, kind, length), await sequenceMatrix(queries, kind, length), BLACK_FRAMES);
      console.log(`${kind} L=${length} R@1: ${r.toFixed(3)}`);
    }
  }
}

await main();
