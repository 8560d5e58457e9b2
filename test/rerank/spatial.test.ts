import assert from 'node:assert/strict';
import { mutualNearestNeighbours, type GridVectors } from '../../src/rerank/mutual-nn.js';
import { multiScalePatches, type PatchSet } from '../../src/rerank/patch-set.js';
import { chanceShare, translationConsensus } from '../../src/rerank/spatial.js';
import { dot } from '../../src/core/vector.js';
import { mirroredGrid, quantised, randomGrid, SHAPE, shiftedGrid } from './helpers.js';

/** A one-row grid of the given vectors. */
function vectors(rows: number[][]): GridVectors {
  return { vectors: Float32Array.from(rows.flat()), count: rows.length, dim: rows[0]?.length ?? 1, cols: rows.length, rows: 1 };
}

/** Share of query patches agreeing on one displacement, and that displacement. */
function consistency(q: PatchSet, m: PatchSet, radius?: number): { score: number; dx: number; dy: number; pairs: number } {
  const pairs = mutualNearestNeighbours(q, m, radius);
  const c = translationConsensus(pairs, q, m, 1);
  return { score: c.inliers.length / q.count, dx: c.dx, dy: c.dy, pairs: pairs.length };
}

describe('mutualNearestNeighbours', () => {
  it('pairs patches that are each other\'s nearest, in query order', () => {
    const q = vectors([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const m = vectors([[0, 0.8, 0.6], [1, 0, 0], [0, 0.6, 0.8]]);
    const pairs = mutualNearestNeighbours(q, m);
    assert.deepEqual(pairs.map((p) => [p.query, p.map]), [[0, 1], [1, 0], [2, 2]]);
    assert.ok(Math.abs(pairs[1].similarity - 0.8) < 1e-6);
  });

  it('drops a one-sided nearest neighbour', () => {
    // Both query patches' nearest is map 0, whose nearest is query 1: query 0 stays unpaired.
    const q = vectors([[1, 0], [0.8, 0.6]]);
    const m = vectors([[0.6, 0.8], [-1, 0]]);
    const pairs = mutualNearestNeighbours(q, m);
    assert.deepEqual(pairs.map((p) => [p.query, p.map]), [[1, 0]]);
  });

  it('returns nothing for an empty side', () => {
    assert.deepEqual(mutualNearestNeighbours({ vectors: new Float32Array(0), count: 0, dim: 2, cols: 0, rows: 1 }, vectors([[1, 0]])), []);
  });

  it('with a search radius, only pairs patches at most that many grid steps apart', () => {
    // Query 0's twin is map 3 and query 3's nearest is map 0 (3 steps away): found with radius 3, not with radius 2.
    const q = vectors([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0.6, 0.8]]);
    const m = vectors([[0, 0.8, 0.6], [0, 1, 0], [0, 0, 1], [1, 0, 0]]);
    assert.deepEqual(mutualNearestNeighbours(q, m, 3).map((p) => [p.query, p.map]), [[0, 3], [1, 1], [2, 2], [3, 0]]);
    assert.deepEqual(mutualNearestNeighbours(q, m, 2).map((p) => [p.query, p.map]), [[1, 1], [2, 2]]);
    assert.throws(() => mutualNearestNeighbours(q, vectors([[1, 0, 0]]), 2), RangeError);
  });
});

/**
 * The rule written as plainly as possible (every query patch, then its window's map patches in
 * ascending order; the best kept as float32 like the reported similarity): the reference the
 * blocked implementation must match bit for bit.
 */
function plainMutualNearestNeighbours(q: GridVectors, m: GridVectors, radius = Number.POSITIVE_INFINITY) {
  const rowBest = new Int32Array(q.count).fill(-1);
  const rowSim = new Float32Array(q.count).fill(-Infinity);
  const colBest = new Int32Array(m.count).fill(-1);
  const colSim = new Float32Array(m.count).fill(-Infinity);
  for (let i = 0; i < q.count; i++) {
    const ix = i % q.cols;
    const iy = Math.floor(i / q.cols);
    for (let j = 0; j < m.count; j++) {
      const jx = j % m.cols;
      const jy = Math.floor(j / m.cols);
      if (Math.abs(jx - ix) > radius || Math.abs(jy - iy) > radius) continue;
      const s = dot(q.vectors, m.vectors, q.dim, i * q.dim, j * m.dim);
      if (s > rowSim[i]) [rowSim[i], rowBest[i]] = [s, j];
      if (s > colSim[j]) [colSim[j], colBest[j]] = [s, i];
    }
  }
  const pairs = [];
  for (let i = 0; i < q.count; i++) if (rowBest[i] >= 0 && colBest[rowBest[i]] === i) pairs.push({ query: i, map: rowBest[i], similarity: rowSim[i] });
  return pairs;
}

describe('mutualNearestNeighbours against the plain rule', () => {
  it('gives exactly the plain loop\'s pairs and similarities (odd and even grids, any radius, ties from int8 cells)', () => {
    for (const shape of [SHAPE, { cellsX: 7, cellsY: 5, dim: 5 }]) {
      for (let seed = 0; seed < 6; seed++) {
        const query = randomGrid(40 + seed, shape);
        // int8 copies of a shifted scene: many exact ties between patches
        const map = Float32Array.from(quantised(shiftedGrid(query, seed % 3, 1, 90 + seed, shape)), (v) => v / 127);
        for (const size of [1, 2, 3]) {
          const [q] = multiScalePatches(query, shape, [size]);
          const [m] = multiScalePatches(seed % 2 ? map : quantised(query), shape, [size]);
          for (const radius of [0, 1, 3, Number.POSITIVE_INFINITY]) {
            assert.deepEqual(mutualNearestNeighbours(q, m, radius), plainMutualNearestNeighbours(q, m, radius), `seed ${seed} size ${size} radius ${radius}`);
          }
        }
      }
    }
  });

  it('with no radius, grids of different layouts are compared all against all (a small query grid, a large map grid, and the reverse)', () => {
    const small = { cellsX: 3, cellsY: 2, dim: 5 };
    const large = { cellsX: 9, cellsY: 4, dim: 5 };
    const [a] = multiScalePatches(randomGrid(7, small), small, [1]);
    const [b] = multiScalePatches(randomGrid(8, large), large, [2]);
    for (const [q, m] of [[a, b], [b, a]]) {
      const pairs = mutualNearestNeighbours(q, m);
      assert.ok(pairs.length > 0);
      assert.deepEqual(pairs, plainMutualNearestNeighbours(q, m));
    }
  });
});

describe('multiScalePatches', () => {
  it('pools s x s windows with stride 1, centred positions, unit vectors', () => {
    const grid = randomGrid(1);
    const [p1, p2, p3] = multiScalePatches(grid, SHAPE, [1, 2, 3]);
    assert.deepEqual([p1.count, p2.count, p3.count], [72, 55, 40]);
    assert.deepEqual([p2.x[0], p2.y[0], p3.x[p3.count - 1], p3.y[p3.count - 1]], [0.5, 0.5, 10, 4]);
    for (let p = 0; p < p2.count; p++) {
      const v = p2.vectors.subarray(p * SHAPE.dim, (p + 1) * SHAPE.dim);
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
    }
  });

  it('skips sizes larger than the grid and refuses a grid of the wrong size', () => {
    assert.equal(multiScalePatches(randomGrid(1), SHAPE, [7]).length, 0);
    assert.throws(() => multiScalePatches(new Float32Array(5), SHAPE, [1]), RangeError);
  });
});

describe('spatial scoring (translation consensus of mutual matches)', () => {
  const query = randomGrid(7);

  it('a known shift: the matches agree on it and most overlapping patches count', () => {
    for (const [dx, dy] of [[2, 1], [-3, 0], [0, 0]]) {
      const map = shiftedGrid(query, dx, dy, 99);
      for (const [q, m] of zip(multiScalePatches(query, SHAPE, [1, 2]), multiScalePatches(quantised(map), SHAPE, [1, 2]))) {
        const c = consistency(q, m);
        assert.ok(Math.abs(c.dx - dx) < 1e-9 && Math.abs(c.dy - dy) < 1e-9, `size ${q.size}: (${c.dx}, ${c.dy}) for (${dx}, ${dy})`);
        // Patches fully inside the overlap: (cols - |dx|) x (rows - |dy|) of them.
        const overlap = ((q.cols - Math.abs(dx)) * (q.rows - Math.abs(dy))) / q.count;
        assert.ok(c.score >= overlap - 1e-9, `size ${q.size} shift (${dx},${dy}): ${c.score} < ${overlap}`);
      }
    }
  });

  it('a mirrored scene: many mutual matches, but they disagree on the displacement', () => {
    const [q] = multiScalePatches(query, SHAPE, [1]);
    const [m] = multiScalePatches(mirroredGrid(query), SHAPE, [1]);
    const c = consistency(q, m);
    assert.equal(c.pairs, q.count, 'every cell still finds its mirrored twin');
    // x displacement is 11 - 2x: pairs agree only across 2 neighbouring columns of 12.
    assert.ok(c.score <= 2 / 12 + 1e-9, `mirrored score ${c.score}`);
  });

  it('no overlap: unrelated content scores near zero', () => {
    for (const seed of [11, 12, 13]) {
      const [q, m] = [multiScalePatches(query, SHAPE, [1])[0], multiScalePatches(randomGrid(seed), SHAPE, [1])[0]];
      const c = consistency(q, m);
      assert.ok(c.score < 0.1, `unrelated score ${c.score} (seed ${seed})`);
    }
  });

  it('chance share: one (2t+1)^2 box of the (2r+1)^2 searched displacements, r capped by the grid', () => {
    assert.equal(chanceShare(16, 8, 3, 1), (3 / 7) * (3 / 7));
    assert.equal(chanceShare(16, 3, 3, 1), (3 / 7) * (3 / 5));
    assert.equal(chanceShare(16, 8, 3, 0), 1 / 49);
    assert.equal(chanceShare(2, 1, 3, 1), 1);
  });

  it('no pairs: no inliers, zero displacement', () => {
    assert.deepEqual(translationConsensus([], { x: [], y: [] }, { x: [], y: [] }, 1), { inliers: [], dx: 0, dy: 0 });
  });
});

function zip<A, B>(a: A[], b: B[]): [A, B][] {
  return a.map((x, i) => [x, b[i]]);
}
