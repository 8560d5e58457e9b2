import assert from 'node:assert/strict';
import { AlongTrackRefiner, pairedT, rowAlignedSimilarity, type AlignedFrame, type AlongTrackMap } from '../../src/rerank/along-track-shift.js';
import { dot } from '../../src/core/vector.js';
import { multiScalePatches } from '../../src/rerank/patch-set.js';
import { quantised, randomGrid, SHAPE, shiftedGrid } from './helpers.js';

const { cellsX, cellsY, dim } = SHAPE;
const cells = (grid: Float32Array) => multiScalePatches(grid, SHAPE, [1])[0];

/**
 * A route whose map row R shows rows R..R+cellsY-1 of one tall scene: moving along the route moves
 * content up or down the image (as driving on expands it about the horizon), never across.
 */
const SCENE = randomGrid(7, { cellsX, cellsY: cellsY + 60, dim });
const mapRowGrid = (r: number) => SCENE.slice(r * cellsX * dim, (r + cellsY) * cellsX * dim);
const route: AlongTrackMap = { shape: SHAPE, rows: 60, row: (r) => quantised(mapRowGrid(r)) };
const anySession = () => true;

/** Query frames at true rows 30..39 seen from `dx` cells to the side, aligned by a path `lead` rows ahead. */
function window(dx: number, lead: number): AlignedFrame[] {
  return Array.from({ length: 10 }, (_, j) => ({ index: 100 + j, patches: shiftedGrid(mapRowGrid(30 + j), dx, 0, 500 + j), row: 30 + j + lead }));
}

describe('rowAlignedSimilarity', () => {
  it('scores a grid against itself 1, against its content moved across within the tolerance ~1, moved down ~0', () => {
    const g = randomGrid(1);
    assert.ok(Math.abs(rowAlignedSimilarity(cells(g), cells(g), 0) - 1) < 1e-6);
    const across = cells(shiftedGrid(g, 2, 0, 9));
    const interior = (cellsX - 2) / cellsX; // the 2 columns that came into view are new content
    assert.ok(rowAlignedSimilarity(cells(g), across, 2) > interior - 0.01, 'moved across within tolerance');
    assert.ok(rowAlignedSimilarity(cells(g), across, 0) < 0.4, 'moved across without tolerance');
    assert.ok(rowAlignedSimilarity(cells(g), cells(shiftedGrid(g, 0, 1, 9)), 4) < 0.7, 'moved down a row');
  });

  it('equals the plain loop over every cell and its row neighbours (the WebAssembly products)', () => {
    const q = cells(randomGrid(3));
    const m = cells(randomGrid(4));
    for (const columns of [0, 1, 4, cellsX]) {
      let total = 0;
      for (let y = 0; y < cellsY; y++) {
        for (let x = 0; x < cellsX; x++) {
          let best = -1;
          for (let xx = Math.max(0, x - columns); xx <= Math.min(cellsX - 1, x + columns); xx++) {
            best = Math.max(best, dot(q.vectors, m.vectors, dim, (y * cellsX + x) * dim, (y * cellsX + xx) * dim));
          }
          total += best;
        }
      }
      assert.equal(rowAlignedSimilarity(q, m, columns), total / (cellsX * cellsY), `columns ${columns}`);
    }
  });

  it('refuses grids of different shapes', () => {
    const other = multiScalePatches(randomGrid(2, { cellsX: 6, cellsY: 6, dim }), { cellsX: 6, cellsY: 6, dim }, [1])[0];
    assert.throws(() => rowAlignedSimilarity(cells(randomGrid(1)), other, 1), RangeError);
  });
});

describe('AlongTrackRefiner', () => {
  it('moves an answer that runs ahead of a sideways-shifted camera back to the camera', () => {
    const refiner = new AlongTrackRefiner({ rows: 4, columns: 4, minT: 2, confidenceRows: 0 });
    assert.equal(refiner.refine(window(3, 2), route, anySession).shift, -2);
    assert.equal(refiner.refine(window(3, -3), route, anySession).shift, 3);
    assert.equal(refiner.refine(window(3, 0), route, anySession).shift, 0);
  });

  it('cannot see the place when the sideways shift exceeds the column tolerance', () => {
    const result = new AlongTrackRefiner({ rows: 4, columns: 1, minT: 2, confidenceRows: 0 }).refine(window(3, 2), route, anySession);
    assert.ok(Math.max(...result.similarities) < 0.5, `similarities ${result.similarities.map((s) => s.toFixed(2))}`);
  });

  it('stays put without a clear gain (unrelated query frames) or beyond the shift range', () => {
    const unrelated = window(0, 0).map((f, j) => ({ ...f, patches: randomGrid(900 + j) }));
    assert.equal(new AlongTrackRefiner({ rows: 4, columns: 4, minT: 2, confidenceRows: 0 }).refine(unrelated, route, anySession).shift, 0);
    assert.equal(new AlongTrackRefiner({ rows: 1, columns: 4, minT: 2, confidenceRows: 0 }).refine(window(3, 3), route, anySession).shift, 0, 'the best in range is no better');
  });

  it('never moves across a session boundary, the map ends or frames without features', () => {
    const split = (a: number, b: number) => a >= 32 === b >= 32; // a second drive starts at row 32
    assert.equal(new AlongTrackRefiner({ rows: 4, columns: 4, minT: 2, confidenceRows: 0 }).refine(window(3, 2), route, split).shift, 0);
    const atEnd: AlongTrackMap = { ...route, rows: 44 };
    const r = new AlongTrackRefiner({ rows: 4, columns: 4, minT: 2, confidenceRows: 0 }).refine(window(3, 2), atEnd, anySession);
    assert.equal(r.shift, -2);
    assert.ok(Number.isNaN(r.similarities[8]), 'shift +4 runs off the map');
    const blind = window(3, 2).map((f, j) => (j === 4 ? { ...f, patches: undefined } : f));
    assert.equal(new AlongTrackRefiner({ rows: 4, columns: 4, minT: 2, confidenceRows: 0 }).refine(blind, route, anySession).shift, 0);
  });

  it('says how sure the position along the place is: sure on a sharp match, a near-uniform share on unrelated frames', () => {
    const sure = new AlongTrackRefiner({ rows: 4, columns: 4, minT: 2, confidenceRows: 1 }).refine(window(3, 0), route, anySession);
    assert.ok(sure.localization > 0.99, `sharp: ${sure.localization}`);
    const unrelated = window(0, 0).map((f, j) => ({ ...f, patches: randomGrid(900 + j) }));
    const flat = new AlongTrackRefiner({ rows: 4, columns: 4, minT: 2, confidenceRows: 1 }).refine(unrelated, route, anySession);
    assert.ok(flat.localization < 0.7, `flat: ${flat.localization} (uniform would be 3 of 9 shifts)`);
    assert.equal(new AlongTrackRefiner({ rows: 4, columns: 4, minT: 2, confidenceRows: 0 }).refine(unrelated, route, anySession).localization, 1, 'off');
  });

  it('reuses similarities while a query frame stays in the window', () => {
    let reads = 0;
    const counted: AlongTrackMap = { ...route, row: (r) => (reads++, route.row(r)) };
    const refiner = new AlongTrackRefiner({ rows: 4, columns: 4, minT: 2, confidenceRows: 0 });
    refiner.refine(window(3, 2), counted, anySession);
    const first = reads;
    refiner.refine(window(3, 2), counted, anySession);
    assert.equal(reads, first, 'a second call over the same window reads no map row');
  });
});

describe('pairedT', () => {
  it('is infinite for a constant gain, 0 without one, and grows with consistency', () => {
    assert.equal(pairedT([2, 3, 4], [1, 2, 3]), Infinity);
    assert.equal(pairedT([1, 2], [1, 2]), 0);
    assert.ok(pairedT([1.1, 1.2, 1.1, 1.2], [1, 1, 1, 1]) > pairedT([1.5, 0.9, 1.4, 0.8], [1, 1, 1, 1]));
  });
});
