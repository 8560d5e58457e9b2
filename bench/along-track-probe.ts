// Probe for issue 12: can patch evidence place a replay's answers better along the route? For each
// answer of a posed demo replay (matches.csv), the map rows within `--radius` of it are scored by
// the re-ranker's patch evidence (mutual nearest neighbours that agree on one displacement, 2x2 and
// 3x3 patches, the built-in patch model, centred per run), averaged over the last `--frames` query
// frames, each against its own answer shifted by the same number of rows; the best-scoring shift
// replaces the answer. Prints how many answers lie within 3 m of the camera before and after (and
// how many could, the best row within the radius), and the median along-track offset (+ = ahead).
// Then the frame descriptor's own choice where the answer cannot be the problem: among the map rows
// within 6 of the row nearest the camera, the one closest to the query in the built-in CNN's
// centred descriptor (is a lead in the descriptor itself, or in the sequence matching?).
// Then the row-aligned cells' own choice in the same place (along-track-shift.ts, the stage
// `rerank.alongTrack` runs): the shift of the true rows of the last `--frames` query frames whose
// cells match best within their own image row (`--columns` across).
// A measurement, not a pipeline stage.
//
//   npx tsx bench/along-track-probe.ts --bags out/final11/demo-s11/night_0.5 \
//       --matches out/final11/runs/s11-night_0.5-shipped-L10/eval/matches.csv [--frames 5] [--radius 4]
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Pose } from '../src/core/types.js';
import { packageRoot } from '../src/core/package-root.js';
import { dot } from '../src/core/vector.js';
import { EmaCentering } from '../src/encoders/centering.js';
import { createFrameEncoder } from '../src/encoders/factory.js';
import { OnnxFrameEncoder } from '../src/encoders/onnx-frame-encoder.js';
import { BUILTIN_PATCH_MANIFEST } from '../src/rerank/assemble.js';
import { RERANK_DEFAULTS } from '../src/rerank/config.js';
import { mutualNearestNeighbours } from '../src/rerank/mutual-nn.js';
import { PatchCentering } from '../src/rerank/patch-centering.js';
import { multiScalePatches, type PatchSet } from '../src/rerank/patch-set.js';
import { chanceShare, translationConsensus } from '../src/rerank/spatial.js';
import { rowAlignedSimilarity } from '../src/rerank/along-track-shift.js';
import { bagFrames } from '../src/sources/bag.js';
import { DEMO_SOURCE } from './demo-runs.js';

const { values: args } = parseArgs({
  options: {
    bags: { type: 'string' },
    matches: { type: 'string' },
    frames: { type: 'string', default: '5' },
    radius: { type: 'string', default: '4' },
    columns: { type: 'string', default: '4' },
  },
});
if (!args.bags || !args.matches) throw new Error('usage: along-track-probe.ts --bags DIR --matches MATCHES.csv [--frames N] [--radius R]');
const frames = Number(args.frames);
const radius = Number(args.radius);
const TOLERANCE_M = 3;
const SHAPE = { cellsX: 16, cellsY: 8, dim: 32 };
const { patchSizes, searchRadius, tolerance } = RERANK_DEFAULTS;

interface Posed {
  pose: Pose;
  patches: PatchSet[];
  /** Unit cells (size-1 patches) of the centred grid. */
  cells: PatchSet;
  /** The built-in CNN's descriptor, centred as the pipeline centres it. */
  descriptor: Float32Array;
}

const encoder = await OnnxFrameEncoder.load(path.join(packageRoot(), BUILTIN_PATCH_MANIFEST));
const frameEncoder = await createFrameEncoder({ kind: 'builtin-cnn' });
const CENTERING = { enabled: true, windowFrames: 200, minChange: 0.05 };

async function encodeRun(bag: string): Promise<Posed[]> {
  const centering = new PatchCentering(CENTERING, SHAPE);
  const descriptorCentering = new EmaCentering(CENTERING);
  const all = [];
  for await (const f of bagFrames(bag, DEMO_SOURCE)) all.push(f);
  const out: Posed[] = [];
  for (let i = 0; i < all.length; i += 16) {
    const chunk = all.slice(i, i + 16);
    const grids = await encoder.encode(chunk.map((f) => f.image));
    const descriptors = await frameEncoder.encode(chunk.map((f) => f.image));
    grids.forEach((grid, k) => {
      const centred = centering.apply(grid);
      out.push({
        pose: chunk[k].pose!,
        patches: multiScalePatches(centred, SHAPE, patchSizes),
        cells: multiScalePatches(centred, SHAPE, [1])[0],
        descriptor: descriptorCentering.apply(descriptors[k]),
      });
    });
  }
  return out;
}

/** The re-ranker's patch score of one frame pair (reranker.ts, comparePair). */
function patchScore(a: PatchSet[], b: PatchSet[]): number {
  let total = 0;
  for (let s = 0; s < a.length; s++) {
    const pairs = mutualNearestNeighbours(a[s], b[s], searchRadius);
    const inliers = translationConsensus(pairs, a[s], b[s], tolerance).inliers.length;
    const chance = pairs.length * chanceShare(a[s].cols, a[s].rows, searchRadius, tolerance);
    total += Math.max(0, inliers - chance) / a[s].count;
  }
  return total / a.length;
}

const map = await encodeRun(path.join(args.bags, 'map_run'));
const query = await encodeRun(path.join(args.bags, 'query_run'));
await Promise.all([encoder.close(), frameEncoder.close()]);
const answers = (await readFile(args.matches, 'utf8')).trim().split('\n').slice(1).map((line) => Number(line.split(',')[1]));

/** Distance from the camera and along-track offset (+ = ahead, along the query's heading) of a map row. */
function offset(q: number, m: number): { distance: number; along: number } {
  const a = query[q].pose;
  const b = map[m].pose.position;
  const yaw = 2 * Math.atan2(a.orientation.z, a.orientation.w);
  const dx = b.x - a.position.x;
  const dy = b.y - a.position.y;
  return { distance: Math.hypot(dx, dy), along: dx * Math.cos(yaw) + dy * Math.sin(yaw) };
}

const count = { sequence: 0, refined: 0, reachable: 0 };
const along = { sequence: [] as number[], refined: [] as number[] };
answers.forEach((answer, q) => {
  let best = answer;
  let bestScore = -1;
  let reachable = false;
  for (let d = -radius; d <= radius; d++) {
    const row = answer + d;
    if (row < 0 || row >= map.length) continue;
    let sum = 0;
    let n = 0;
    for (let j = Math.max(0, q - frames + 1); j <= q; j++) {
      const r = answers[j] + d;
      if (r >= 0 && r < map.length) {
        sum += patchScore(query[j].patches, map[r].patches);
        n++;
      }
    }
    if (n && sum / n > bestScore) [best, bestScore] = [row, sum / n];
    if (offset(q, row).distance < TOLERANCE_M) reachable = true;
  }
  const before = offset(q, answer);
  const after = offset(q, best);
  if (before.distance < TOLERANCE_M) count.sequence++;
  if (after.distance < TOLERANCE_M) count.refined++;
  if (reachable) count.reachable++;
  if (before.distance < 30) along.sequence.push(before.along);
  if (after.distance < 30) along.refined.push(after.along);
});
const median = (x: number[]): number => [...x].sort((a, b) => a - b)[x.length >> 1];
/** Per query frame, the map row nearest the camera. */
const nearestRows = query.map((_, q) => {
  let nearest = 0;
  map.forEach((_, m) => {
    if (offset(q, m).distance < offset(q, nearest).distance) nearest = m;
  });
  return nearest;
});
// The descriptor's choice within 6 rows of the row nearest the camera.
const own = { within: 0, along: [] as number[] };
query.forEach((qf, q) => {
  const nearest = nearestRows[q];
  let pick = nearest;
  for (let m = Math.max(0, nearest - 6); m <= Math.min(map.length - 1, nearest + 6); m++) {
    if (dot(qf.descriptor, map[m].descriptor) > dot(qf.descriptor, map[pick].descriptor)) pick = m;
  }
  if (offset(q, pick).distance < TOLERANCE_M) own.within++;
  own.along.push(offset(q, pick).along);
});
// The row-aligned cells' choice: one shift of the last `frames` frames' nearest rows.
const rowAligned = { within: 0, along: [] as number[] };
query.forEach((_, q) => {
  let best = 0;
  let bestScore = -Infinity;
  for (let s = -6; s <= 6; s++) {
    let sum = 0;
    let n = 0;
    for (let j = Math.max(0, q - frames + 1); j <= q; j++) {
      const r = nearestRows[j] + s;
      if (r >= 0 && r < map.length) {
        sum += rowAlignedSimilarity(query[j].cells, map[r].cells, Number(args.columns));
        n++;
      }
    }
    if (n && sum / n > bestScore) [best, bestScore] = [s, sum / n];
  }
  const pick = Math.min(map.length - 1, Math.max(0, nearestRows[q] + best));
  if (offset(q, pick).distance < TOLERANCE_M) rowAligned.within++;
  rowAligned.along.push(offset(q, pick).along);
});
console.log(
  `row-aligned cells' own choice within 6 rows of the nearest (${frames} frames, ${args.columns} columns): ${rowAligned.within} within ${TOLERANCE_M} m, ` +
    `median along-track offset ${median(rowAligned.along).toFixed(2)} m`,
);
console.log(
  `descriptor's own choice within 6 rows of the nearest: ${own.within} within ${TOLERANCE_M} m, median along-track offset ${median(own.along).toFixed(2)} m`,
);
console.log(
  `${answers.length} answers within ${TOLERANCE_M} m: sequence ${count.sequence}, patch-refined ${count.refined} ` +
    `(best row within ${radius}: ${count.reachable}); median along-track offset: sequence ${median(along.sequence).toFixed(2)} m, ` +
    `refined ${median(along.refined).toFixed(2)} m (frames ${frames}, radius ${radius})`,
);
