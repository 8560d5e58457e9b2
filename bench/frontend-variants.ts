// Which learned frame projection helps the DEFAULT pipeline? Fitted on frames 0..999 of nordland64,
// chosen on 1001..1199 (frame Recall@1, as `seqvpr train frontend` chooses), then measured on
// 1200..2399 through the offline replica of the default pipeline (bench/pipeline-replica.ts) at
// L = 1, 5 and 10. Variants:
//   - untrained (the built-in CNN descriptor, centred);
//   - the shipped closed form (PCA 256, within-place whitening, LDA; output size and shrinkage chosen);
//   - within-place whitening in the full descriptor space, no PCA cut and no LDA (Radenović's learned
//     whitening keeping every dimension; shrinkage chosen). The scatter of ~1000 differences has rank
//     <= 1000, so it is decomposed through their 1000 x 1000 Gram matrix, and directions it never saw
//     keep their scale.
//
//   npx tsx bench/frontend-variants.ts [--data DIR] [--out out/confidence]
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { DescriptorMatrix } from '../src/core/matrix.js';
import { l2NormalizeInPlace } from '../src/core/vector.js';
import { alignedGroundTruth } from '../src/eval/ground-truth.js';
import { computeMetrics } from '../src/eval/metrics.js';
import { exactSearch } from '../src/retrieve/exact-search.js';
import { pipelineConfigSchema } from '../src/pipeline/config.js';
import { windowConfidence } from '../src/pipeline/recognizer.js';
import { composeProjection, fitDiscriminativeProjection, projectRows, reduceTrainingPair } from '../src/train/frontend/discriminative.js';
import { matmul, matmulTransB, symmetricEigen } from '../src/train/linalg.js';
import type { TraversalPair } from '../src/train/seqnet/sequences.js';
import { nordlandSeasons, stretchDescriptors } from './nordland-data.js';
import { replica } from './pipeline-replica.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/nordland64' },
    out: { type: 'string', default: 'out/confidence' },
  },
});
const TRAIN = { start: 0, end: 1000 };
const VAL = { start: 1001, end: 1200 };
const SHRINKAGES = [0.01, 0.03, 0.1, 0.3, 1];
const OUTPUT_DIMS = [64, 128, 256];

const configFile = path.resolve('config/default.yaml');
const config = pipelineConfigSchema.parse(YAML.parse(await readFile(configFile, 'utf8')));
const { summer, winter } = nordlandSeasons(args.data!);
const fitDb = await stretchDescriptors(configFile, summer, args.out!, 'summer', { start: 0, end: 1200 });
const fitQuery = await stretchDescriptors(configFile, winter, args.out!, 'winter', { start: 0, end: 1200 });
const testDb = await stretchDescriptors(configFile, summer, args.out!, 'summer', { start: 1200, end: 2400 });
const testQuery = await stretchDescriptors(configFile, winter, args.out!, 'winter', { start: 1200, end: 2400 });
const positives = (q: number): number[] => [q - 1, q, q + 1].filter((j) => j >= 0 && j < fitDb.rows);
const train: TraversalPair = { db: fitDb, query: fitQuery, dbRows: TRAIN, queryRows: TRAIN, positives };

type Map = (x: DescriptorMatrix) => DescriptorMatrix;
const normalized = (x: DescriptorMatrix): DescriptorMatrix => {
  for (let r = 0; r < x.rows; r++) l2NormalizeInPlace(x.row(r));
  return x;
};
const rows = (x: DescriptorMatrix, r: { start: number; end: number }): DescriptorMatrix => new DescriptorMatrix(r.end - r.start, x.dim, x.data.slice(r.start * x.dim, r.end * x.dim));

/** Frame Recall@1 (tolerance 1) of the validation stretch after `map`. */
function valRecall(map: Map): number {
  const db = map(rows(fitDb, VAL));
  const q = map(rows(fitQuery, VAL));
  let hits = 0;
  for (let i = 0; i < q.rows; i++) if (Math.abs(exactSearch(db, q.row(i), 1)[0].label - i) <= 1) hits++;
  return hits / q.rows;
}

/** The within-place scatter of the training differences (each query and its most similar positive), as eigenpairs. */
function withinScatter(): { values: Float64Array; vectors: Float32Array; rank: number; mean: number } {
  const d = fitDb.dim;
  const diffs = new DescriptorMatrix(TRAIN.end - TRAIN.start, d);
  for (let q = TRAIN.start; q < TRAIN.end; q++) {
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const j of positives(q).filter((j) => j < TRAIN.end)) {
      let s = 0;
      for (let c = 0; c < d; c++) s += (fitDb.data[j * d + c] - fitQuery.data[q * d + c]) ** 2;
      if (s < bestDistance) [best, bestDistance] = [j, s];
    }
    for (let c = 0; c < d; c++) diffs.data[(q - TRAIN.start) * d + c] = fitDb.data[best * d + c] - fitQuery.data[q * d + c];
  }
  const n = diffs.rows;
  const gram = matmulTransB(diffs.data, diffs.data, n, d, n, new Float64Array(n * n));
  for (let i = 0; i < gram.length; i++) gram[i] /= n;
  const eig = symmetricEigen(gram, n);
  const trace = eig.values.reduce((a, b) => a + Math.max(0, b), 0);
  let rank = 0;
  while (rank < n && eig.values[rank] > trace * 1e-9) rank++;
  // u_i = Dᵀ v_i / sqrt(n mu_i): the scatter's unit eigenvectors in descriptor space.
  const vectors = matmul(Float32Array.from(eig.vectors.subarray(0, rank * n)), diffs.data, rank, n, d, new Float32Array(rank * d));
  for (let i = 0; i < rank; i++) {
    const s = 1 / Math.sqrt(n * eig.values[i]);
    for (let c = 0; c < d; c++) vectors[i * d + c] *= s;
  }
  return { values: eig.values.slice(0, rank), vectors, rank, mean: trace / d };
}

/** x -> x + Σ_i (sqrt(ρ / (λ_i + ρ)) − 1) u_i u_iᵀ x, i.e. ρ^½ S^-½ x with S = scatter + ρ I (the scale is free: L2 follows). */
function fullWhitening(s: ReturnType<typeof withinScatter>, shrinkage: number): Map {
  const rho = shrinkage * s.mean;
  return (x) => {
    const coords = new Float32Array(x.rows * s.rank);
    matmulTransB(x.data, s.vectors, x.rows, x.dim, s.rank, coords);
    for (let r = 0; r < x.rows; r++) for (let i = 0; i < s.rank; i++) coords[r * s.rank + i] *= Math.sqrt(rho / (s.values[i] + rho)) - 1;
    const out = new DescriptorMatrix(x.rows, x.dim);
    matmul(coords, s.vectors, x.rows, s.rank, x.dim, out.data);
    for (let i = 0; i < out.data.length; i++) out.data[i] += x.data[i];
    return normalized(out);
  };
}

const best = <T>(items: T[], score: (t: T) => number): T => items.reduce((a, b) => (score(b) > score(a) ? b : a));
const variants: { name: string; map: Map; val: number }[] = [];
variants.push({ name: 'untrained', map: (x) => x, val: valRecall((x) => x) });

const space = reduceTrainingPair(train, 256);
const closed = OUTPUT_DIMS.flatMap((outputDim) =>
  SHRINKAGES.map((regularization) => {
    const weight = composeProjection(space, fitDiscriminativeProjection(space, { outputDim, regularization }).head);
    const map: Map = (x) => normalized(projectRows(x, weight, outputDim));
    return { name: `closed form (PCA 256, LDA ${outputDim}, shrinkage ${regularization})`, map, val: valRecall(map) };
  }),
);
variants.push(best(closed, (c) => c.val));

const scatter = withinScatter();
const full = SHRINKAGES.map((shrinkage) => {
  const map = fullWhitening(scatter, shrinkage);
  return { name: `full-space whitening, ${fitDb.dim}-D (shrinkage ${shrinkage})`, map, val: valRecall(map) };
});
variants.push(best(full, (c) => c.val));

console.log('| projection (chosen on frames 1001-1199) | val frame R@1 | test single R@1 | L = 5 R@1 | L = 5 AP | L = 5 R@100%P | L = 10 R@1 | L = 10 AP | L = 10 R@100%P |');
console.log('|---|---|---|---|---|---|---|---|---|');
const gt = alignedGroundTruth(1, testDb.rows);
for (const v of variants) {
  const db = v.map(testDb);
  const q = v.map(testQuery);
  let single = 0;
  for (let i = 0; i < q.rows; i++) if (Math.abs(exactSearch(db, q.row(i), 1)[0].label - i) <= 1) single++;
  const cells = [v.name, v.val.toFixed(3), (single / q.rows).toFixed(3)];
  for (const L of [5, 10]) {
    const answers = replica(db, q, L, config);
    const m = computeMetrics(answers.map((a) => ({ queryIndex: a.query, ranked: [a.winner], predicted: a.winner, confidence: windowConfidence(a.confidence, a.cols, L) })), gt);
    cells.push(m.recall['1']!.toFixed(3), m.averagePrecision!.toFixed(3), m.recallAtPrecision100!.toFixed(3));
  }
  console.log(`| ${cells.join(' | ')} |`);
}
