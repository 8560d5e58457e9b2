import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvalError } from '../../src/core/errors.js';
import type { Pose } from '../../src/core/types.js';
import {
  alignedGroundTruth,
  groundTruthFromSpec,
  loadGroundTruthCsv,
  parseGroundTruthCsv,
  poseGroundTruth,
} from '../../src/eval/ground-truth.js';

const at = (x: number, y: number, z = 0): Pose => ({ position: { x, y, z }, orientation: { x: 0, y: 0, z: 0, w: 1 } });

describe('eval/ground-truth', () => {
  describe('aligned:TOL', () => {
    it('gives |i - j| <= TOL, clipped to the map', () => {
      const gt = alignedGroundTruth(1, 5);
      assert.deepEqual(gt.positives(0), [0, 1]);
      assert.deepEqual(gt.positives(2), [1, 2, 3]);
      assert.deepEqual(gt.positives(4), [3, 4]);
      assert.deepEqual(gt.positives(5), [4]); // a query past the map still touches its last frame
      assert.deepEqual(gt.positives(6), []);
      assert.equal(gt.hasPositives(5), true);
      assert.equal(gt.hasPositives(6), false);
      assert.equal(gt.description, 'aligned:1');
    });

    it('tolerance 0 is the exact frame', () => {
      assert.deepEqual(alignedGroundTruth(0, 3).positives(1), [1]);
    });

    it('rejects a negative or fractional tolerance', () => {
      assert.throws(() => alignedGroundTruth(-1, 5), EvalError);
      assert.throws(() => alignedGroundTruth(1.5, 5), EvalError);
    });
  });

  describe('CSV', () => {
    it('reads space-, semicolon-separated and empty positive lists', () => {
      const gt = parseGroundTruthCsv('\uFEFFquery,positives\r\n0,1 2\r\n1,3;4; 5\n2,\n\n4,"7 8"\n', 'gt.csv');
      assert.deepEqual(gt.positives(0), [1, 2]);
      assert.deepEqual(gt.positives(1), [3, 4, 5]);
      assert.deepEqual(gt.positives(2), []);
      assert.equal(gt.hasPositives(2), false);
      assert.deepEqual(gt.positives(3), [], 'a query without a row has no positive');
      assert.deepEqual(gt.positives(4), [7, 8]);
      assert.deepEqual(gt.positives(99), []);
    });

    it('reads the query,ref_positives header of public VPR benchmark lists the same way', () => {
      const text = '0,1 2\n2,5\n';
      const ref = parseGroundTruthCsv(`Query,Ref_Positives\n${text}`, 'gt.csv');
      const own = parseGroundTruthCsv(`query,positives\n${text}`, 'gt.csv');
      for (const q of [0, 1, 2, 3]) assert.deepEqual(ref.positives(q), own.positives(q));
      assert.deepEqual(ref.positives(0), [1, 2]);
    });

    it('sorts and de-duplicates positives', () => {
      assert.deepEqual(parseGroundTruthCsv('query,positives\n0,9 3 3 1\n', 'gt.csv').positives(0), [1, 3, 9]);
    });

    const errorCases: [string, string, RegExp][] = [
      ['a wrong header', 'q,pos\n0,1\n', /gt\.csv:1: expected the header "query,positives" or "query,ref_positives"/],
      ['a third column', 'query,ref_positives,extra\n0,1\n', /gt\.csv:1: expected the header/],
      ['an empty file', '\n\n', /gt\.csv: ground-truth CSV is empty/],
      ['a non-integer map index', 'query,positives\n0,1\n1,2 x\n', /gt\.csv:3: map index must be a non-negative integer, got "x"/],
      ['a negative query', 'query,positives\n-1,2\n', /gt\.csv:2: query index must be/],
      ['a missing comma', 'query,positives\n0 1\n', /gt\.csv:2: expected "query,positives"/],
      ['a duplicate query', 'query,positives\n0,1\n\n0,2\n', /gt\.csv:4: query 0 is listed twice \(first on line 2\)/],
      ['comma-separated positives', 'query,positives\n0,1,2\n', /gt\.csv:2: separate positives with spaces or semicolons/],
    ];
    for (const [what, text, message] of errorCases) {
      it(`rejects ${what} with file and line`, () => {
        assert.throws(() => parseGroundTruthCsv(text, 'gt.csv'), (e: unknown) => e instanceof EvalError && message.test(e.message));
      });
    }

    it('rejects a map index outside the map when the map size is known', () => {
      assert.throws(
        () => parseGroundTruthCsv('query,positives\n0,1\n1,5\n', 'gt.csv', 5),
        /gt\.csv:3: map index 5 is out of range; the map has 5 frames/,
      );
    });

    it('loads from a file and names a missing one', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'seqvpr-gt-'));
      try {
        const file = join(dir, 'gt.csv');
        await writeFile(file, 'query,positives\n0,2\n');
        assert.deepEqual((await loadGroundTruthCsv(file)).positives(0), [2]);
        await assert.rejects(loadGroundTruthCsv(join(dir, 'absent.csv')), (e: unknown) => e instanceof EvalError && e.message.includes('absent.csv'));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('pose distance', () => {
    const map = [at(0, 0), at(10, 0), at(20, 0), undefined, at(10, 0, 5), at(6, 8)];

    it('is inclusive at the threshold and uses 3-D distance', () => {
      const gt = poseGroundTruth([at(0, 0), at(10.5, 0), undefined], map, { thresholdM: 10 });
      // map 1 is exactly 10 m away (kept); map 5 at (6,8) is exactly 10 m (kept); map 4 is 5 m up from map 1.
      assert.deepEqual(gt.positives(0), [0, 1, 5]);
      assert.deepEqual(gt.positives(1), [1, 2, 4, 5]);
      assert.deepEqual(gt.positives(2), [], 'a query without a pose has no positive');
      assert.equal(gt.queryCount, 3);
    });

    it('planar ignores z', () => {
      const q = [at(10, 0, 0)];
      assert.deepEqual(poseGroundTruth(q, map, { thresholdM: 1 }).positives(0), [1]);
      assert.deepEqual(poseGroundTruth(q, map, { thresholdM: 1, planar: true }).positives(0), [1, 4]);
    });

    it('rejects a negative threshold', () => {
      assert.throws(() => poseGroundTruth([], map, { thresholdM: -1 }), EvalError);
    });
  });

  describe('spec', () => {
    it('builds aligned, pose and csv ground truth', async () => {
      assert.deepEqual((await groundTruthFromSpec('aligned:2', { mapSize: 10 })).positives(5), [3, 4, 5, 6, 7]);
      const poses = [at(0, 0), at(3, 0)];
      const gt = await groundTruthFromSpec('pose:3', { mapSize: 2, queryPoses: [at(0, 0)], mapPoses: poses });
      assert.deepEqual(gt.positives(0), [0, 1]);
      const dir = await mkdtemp(join(tmpdir(), 'seqvpr-gt-'));
      try {
        const file = join(dir, 'gt.csv');
        await writeFile(file, 'query,positives\n0,1\n');
        assert.deepEqual((await groundTruthFromSpec(file, { mapSize: 2 })).positives(0), [1]);
        assert.deepEqual((await groundTruthFromSpec(`csv:${file}`, { mapSize: 2 })).positives(0), [1]);
        await assert.rejects(groundTruthFromSpec(file, { mapSize: 1 }), /out of range/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('says what to write for a bad spec', async () => {
      await assert.rejects(groundTruthFromSpec('aligned:x', { mapSize: 3 }), /write aligned:TOL/);
      await assert.rejects(groundTruthFromSpec('pose:', { mapSize: 3 }), /write pose:METRES/);
      await assert.rejects(groundTruthFromSpec('pose:10', { mapSize: 3 }), /needs poses/);
    });
  });
});
