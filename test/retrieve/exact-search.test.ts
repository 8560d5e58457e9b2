import assert from 'node:assert/strict';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { exactSearch } from '../../src/retrieve/exact-search.js';
import { randomUnitVectors } from '../support/random-unit-vectors.js';

const m = (rows: number[][]): DescriptorMatrix => DescriptorMatrix.fromRows(rows.map((r) => Float32Array.from(r)));

describe('map/exactSearch', () => {
  it('returns the k nearest rows by cosine distance, best first', () => {
    const matrix = m([
      [1, 0],
      [0, 1],
      [-1, 0],
      [0.6, 0.8],
    ]);
    const hits = exactSearch(matrix, Float32Array.from([1, 0]), 3);
    assert.deepEqual(
      hits.map((h) => h.label),
      [0, 3, 1],
    );
    assert.ok(Math.abs(hits[0].distance - 0) < 1e-9);
    assert.ok(Math.abs(hits[1].distance - 0.4) < 1e-6);
    assert.ok(Math.abs(hits[2].distance - 1) < 1e-9);
  });

  it('breaks ties toward the lower row (argmin order)', () => {
    const matrix = m([
      [0, 1],
      [1, 0],
      [0, 1],
      [1, 0],
      [1, 0],
    ]);
    const hits = exactSearch(matrix, Float32Array.from([1, 0]), 2);
    assert.deepEqual(
      hits.map((h) => h.label),
      [1, 3],
    );
  });

  it('returns every row when k exceeds the row count, and nothing for k = 0 or no rows', () => {
    const matrix = m([
      [1, 0],
      [0, 1],
    ]);
    assert.equal(exactSearch(matrix, Float32Array.from([1, 0]), 10).length, 2);
    assert.deepEqual(exactSearch(matrix, Float32Array.from([1, 0]), 0), []);
    assert.deepEqual(exactSearch(new DescriptorMatrix(0, 2), Float32Array.from([1, 0]), 5), []);
  });

  it('agrees with a full sort on random data', () => {
    const rows = randomUnitVectors(500, 16, 7);
    const matrix = DescriptorMatrix.fromRows(rows);
    const [q] = randomUnitVectors(1, 16, 8);
    const full = rows
      .map((r, label) => ({ label, distance: 1 - r.reduce((s, x, i) => s + x * q[i], 0) }))
      .sort((a, b) => a.distance - b.distance || a.label - b.label)
      .slice(0, 25);
    const hits = exactSearch(matrix, q, 25);
    assert.deepEqual(
      hits.map((h) => h.label),
      full.map((h) => h.label),
    );
  });
});
