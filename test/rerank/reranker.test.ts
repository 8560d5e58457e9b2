import assert from 'node:assert/strict';
import type { MatchOutput } from '../../src/match/types.js';
import { PatchReranker, sampleColumns, type PatchRows, type WindowFrame } from '../../src/rerank/reranker.js';
import { quantised, randomGrid, SHAPE, shiftedGrid } from './helpers.js';

const COLS = 5;
const trajectory = (end: number) => Array.from({ length: COLS }, (_, t) => end - (COLS - 1 - t));

/** Sequence candidates: 20 narrowly ahead of 60, then 100; the matcher's winner is 20. */
function matcherOutput(): MatchOutput {
  return {
    mapIndex: 20,
    score: 0.3,
    confidence: 1 - 0.3 / 0.32,
    candidates: [
      { mapIndex: 20, distance: 0.3 },
      { mapIndex: 60, distance: 0.32 },
      { mapIndex: 100, distance: 0.5 },
    ],
    path: trajectory(20),
    pathOf: trajectory,
    sharpness: () => 1,
  };
}

const window: WindowFrame[] = Array.from({ length: COLS }, (_, i) => ({ index: 500 + i, patches: randomGrid(1000 + i) }));

/** Map rows 56..60 show the query frames moved 1 cell right; every other row is unrelated. */
function mapRows(): PatchRows & { reads: number } {
  const rows = new Map<number, Int8Array>();
  window.forEach((f, t) => rows.set(56 + t, quantised(shiftedGrid(f.patches!, 1, 0, 77 + t))));
  return {
    shape: SHAPE,
    rows: 1000,
    reads: 0,
    row(index) {
      this.reads++;
      return rows.get(index) ?? quantised(randomGrid(5000 + index));
    },
  };
}

const options = { candidates: 3, frames: 3, patchSizes: [1, 2], tolerance: 1, weight: 0.5, searchRadius: 3, alongTrack: { rows: 0, columns: 4, minT: 2, confidenceRows: 0 } };

describe('PatchReranker', () => {
  it('lets patch evidence overturn a narrow sequence lead, and keeps the agreeing patch pairs', () => {
    const r = new PatchReranker(options).rerank(matcherOutput(), window, mapRows());
    assert.equal(r.mapIndex, 60);
    assert.deepEqual(r.path, trajectory(60));
    assert.deepEqual(r.candidates.map((c) => c.mapIndex), [60, 20, 100]);
    assert.ok(r.patchScore > 0.5, `patch score ${r.patchScore}`);
    // Fused = sequence x (1 - w x patch); confidence = 1 - winner / best rival.
    assert.ok(Math.abs(r.score - 0.32 * (1 - 0.5 * r.patchScore)) < 1e-12);
    assert.equal(r.confidence, 0, 'the sequence chose another place: the answer is not trusted');
    // Compared frames: columns 4, 2, 0 (newest first), each against its trajectory row.
    assert.deepEqual(r.patchMatches.frames.map((f) => [f.queryIndex, f.mapIndex]), [[504, 60], [502, 58], [500, 56]]);
    assert.deepEqual(r.patchMatches.grid, { cellsX: SHAPE.cellsX, cellsY: SHAPE.cellsY });
    for (const f of r.patchMatches.frames) {
      assert.ok(Math.abs(f.shift.x - 1) < 1e-9 && Math.abs(f.shift.y) < 1e-9);
      assert.ok(f.pairs.length > 0 && f.pairs.every((p) => Math.abs(p.map.x - p.query.x - 1) <= 1 && p.map.y === p.query.y));
    }
  });

  it('confirms the sequence winner without raising its confidence, and lowers it when a rival has the patch support', () => {
    const sure = { ...matcherOutput(), confidence: 0.2, candidates: [{ mapIndex: 60, distance: 0.3 }, { mapIndex: 20, distance: 0.4 }], mapIndex: 60, path: trajectory(60) };
    const r = new PatchReranker(options).rerank(sure, window, mapRows());
    assert.equal(r.mapIndex, 60);
    assert.equal(r.confidence, 0.2, 'fused uniqueness is higher, the sequence-only confidence caps it');
    const candidates = [{ mapIndex: 20, distance: 0.3 }, { mapIndex: 100, distance: 0.33 }, { mapIndex: 60, distance: 0.35 }];
    const doubtful = { ...sure, mapIndex: 20, path: trajectory(20), confidence: 1 - 0.3 / 0.33, candidates };
    const d = new PatchReranker({ ...options, weight: 0.1 }).rerank(doubtful, window, mapRows());
    assert.equal(d.mapIndex, 20);
    assert.equal(d.candidates[1].mapIndex, 60, 'the place with consistent patches is now the rival');
    assert.ok(d.confidence < doubtful.confidence - 1e-3, `the rival at 60 has consistent patches: ${d.confidence}`);
  });

  it('another visit of the winner\'s place is no rival (map poses), unless no other place is left', () => {
    const candidates = [{ mapIndex: 20, distance: 0.3 }, { mapIndex: 100, distance: 0.33 }, { mapIndex: 60, distance: 0.35 }];
    const doubtful = { ...matcherOutput(), mapIndex: 20, path: trajectory(20), confidence: 1 - 0.3 / 0.33, candidates };
    const reranker = () => new PatchReranker({ ...options, weight: 0.1 });
    const byRow = reranker().rerank(doubtful, window, mapRows());
    // Row 60 (patch support, the rival by row) is another visit of row 20's place: row 100 is the rival.
    const byPlace = reranker().rerank(doubtful, window, mapRows(), (a, b) => (a === 20 && b === 60) || (a === 60 && b === 20));
    assert.equal(byPlace.mapIndex, 20);
    assert.ok(byPlace.confidence > byRow.confidence + 1e-3, `${byRow.confidence} -> ${byPlace.confidence}`);
    assert.deepEqual(byPlace.candidates, byRow.candidates);
    // Every candidate the same place: the old rival stays.
    assert.equal(reranker().rerank(doubtful, window, mapRows(), () => true).confidence, byRow.confidence);
  });

  it('with alongTrack, moves a winner whose path runs ahead of what its frames show, and keeps a right one', () => {
    const along = { ...options, alongTrack: { rows: 3, columns: 2, minT: 2, confidenceRows: 0 } };
    const ahead = { ...matcherOutput(), mapIndex: 62, path: trajectory(62), confidence: 0.2, candidates: [{ mapIndex: 62, distance: 0.3 }, { mapIndex: 100, distance: 0.5 }] };
    const r = new PatchReranker(along).rerank(ahead, window, mapRows());
    assert.equal(r.alongTrackShift, -2);
    assert.equal(r.mapIndex, 60);
    assert.deepEqual(r.path, trajectory(60));
    assert.deepEqual(r.candidates.map((c) => c.mapIndex), [60, 100]);
    assert.deepEqual(r.patchMatches.frames.map((f) => f.mapIndex), [62, 60, 58], 'the patch evidence keeps the rows it compared');
    const right = { ...ahead, mapIndex: 60, path: trajectory(60), candidates: [{ mapIndex: 60, distance: 0.3 }, { mapIndex: 100, distance: 0.5 }] };
    const kept = new PatchReranker(along).rerank(right, window, mapRows());
    assert.equal(kept.alongTrackShift, 0);
    assert.equal(kept.mapIndex, 60);
    // A candidate at the row the winner moves to is the winner now, not a rival listed twice.
    const listed = { ...ahead, candidates: [...ahead.candidates, { mapIndex: 200, distance: 0.55 }, { mapIndex: 60, distance: 0.6 }] };
    assert.deepEqual(new PatchReranker(along).rerank(listed, window, mapRows()).candidates.map((c) => c.mapIndex), [60, 100, 200]);
    // Rows 56..61 from two drives (a session starts at 59): the move would cross it, so it does not happen.
    const split = new PatchReranker(along).rerank(ahead, window, mapRows(), undefined, (a, b) => a >= 59 === b >= 59);
    assert.equal(split.mapIndex, 62);
  });

  it('with alongTrack.confidenceRows, scales the confidence by how sure the position along the place is', () => {
    const sure = { ...matcherOutput(), confidence: 0.2, candidates: [{ mapIndex: 60, distance: 0.3 }, { mapIndex: 20, distance: 0.4 }], mapIndex: 60, path: trajectory(60) };
    const scaled = { ...options, alongTrack: { rows: 3, columns: 2, minT: 2, confidenceRows: 1 } };
    const sharp = new PatchReranker(scaled).rerank(sure, window, mapRows());
    assert.ok(sharp.confidence > 0.2 * 0.99, `a sharp position keeps its confidence: ${sharp.confidence}`);
    // Rows 50 to 70 all show what row 60 shows: the place is clear, the position along it is not.
    const repeated: PatchRows = { shape: SHAPE, rows: 1000, row: (i) => (i >= 50 && i <= 70 ? mapRows().row(60) : quantised(randomGrid(9000 + i))) };
    const flat = new PatchReranker(scaled).rerank(sure, window, repeated);
    const unscaled = new PatchReranker({ ...scaled, alongTrack: { ...scaled.alongTrack, confidenceRows: 0 } }).rerank(sure, window, repeated);
    assert.ok(flat.confidence < 0.8 * unscaled.confidence, `${flat.confidence} vs ${unscaled.confidence} unscaled`);
  });

  it('with weight 0 keeps the sequence order and the sequence uniqueness', () => {
    const r = new PatchReranker({ ...options, weight: 0 }).rerank(matcherOutput(), window, mapRows());
    assert.equal(r.mapIndex, 20);
    assert.ok(Math.abs(r.confidence - (1 - 0.3 / 0.32)) < 1e-12);
  });

  it('a wrong answer with no patch support stays unconfident', () => {
    // Every map row unrelated: the patch scores are all low, the sequence margin decides, and the
    // confidence stays about what the sequence alone gave.
    const unrelated: PatchRows = { shape: SHAPE, rows: 1000, row: (i) => quantised(randomGrid(9000 + i)) };
    const r = new PatchReranker(options).rerank(matcherOutput(), window, unrelated);
    assert.ok(r.patchScore < 0.1);
    assert.ok(r.confidence < 0.1, `confidence ${r.confidence}`);
  });

  it('caps the confidence by the matcher\'s sharpness of the winner, and gives 0 without a rival', () => {
    const sure = { ...matcherOutput(), confidence: 0.2, candidates: [{ mapIndex: 60, distance: 0.3 }, { mapIndex: 20, distance: 0.4 }], mapIndex: 60, path: trajectory(60) };
    const blunt = { ...sure, sharpness: (row: number) => (row === 60 ? 0.05 : 1) };
    assert.equal(new PatchReranker(options).rerank(blunt, window, mapRows()).confidence, 0.05);
    const alone = { ...matcherOutput(), candidates: [{ mapIndex: 20, distance: 0.3 }] };
    assert.equal(new PatchReranker(options).rerank(alone, window, mapRows()).confidence, 0);
  });

  it('reuses comparisons while the query frames stay in the window; frames without patches give no evidence', () => {
    const reranker = new PatchReranker(options);
    const map = mapRows();
    reranker.rerank(matcherOutput(), window, map);
    const reads = map.reads;
    reranker.rerank(matcherOutput(), window, map);
    assert.equal(map.reads, reads, 'nothing recomputed');
    const blind = window.map((f) => ({ index: f.index + 100, patches: undefined }));
    const r = reranker.rerank(matcherOutput(), blind, map);
    assert.equal(r.mapIndex, 20);
    assert.equal(r.patchScore, 0);
    // A run's first frame, centred by its own mean, is all zeros: no evidence, no correspondences.
    const zeros = window.map((f) => ({ index: f.index + 200, patches: new Float32Array(f.patches!.length) }));
    const z = reranker.rerank(matcherOutput(), zeros, map);
    assert.equal(z.patchScore, 0);
    assert.deepEqual(z.patchMatches.frames.map((f) => f.pairs.length), [0, 0, 0]);
  });
});

describe('sampleColumns', () => {
  it('spreads the compared frames over the window, newest first and always included', () => {
    assert.deepEqual(sampleColumns(10, 5), [9, 7, 4, 2, 0]);
    assert.deepEqual(sampleColumns(10, 1), [9]);
    assert.deepEqual(sampleColumns(3, 5), [2, 1, 0]);
  });
});
