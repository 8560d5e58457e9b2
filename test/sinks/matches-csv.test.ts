import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { alignedGroundTruth } from '../../src/eval/ground-truth.js';
import { writeMatchesCsv } from '../../src/sinks/matches-csv.js';

describe('matches.csv', () => {
  it('has one line per query, with the held flag of answers the motion gate repeated', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-matches-csv-'));
    try {
      const frames = [0, 1, 2].map((index) => ({ index, stamp: BigInt(index), source: `m${index}.png` }));
      const records = [
        { queryIndex: 0, ranked: [0], predicted: 0, confidence: 0.5, latencyMs: 3 },
        { queryIndex: 1, ranked: [0], predicted: 0, confidence: 0.5, held: true },
        { queryIndex: 2, ranked: [], predicted: null, confidence: 0 },
      ];
      const file = await writeMatchesCsv(dir, records, alignedGroundTruth(0, 3), { frames });
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      assert.deepEqual(lines, [
        'query,predicted,map_source,confidence,correct,has_ground_truth,latency_ms,held',
        '0,0,"m0.png",0.5000,1,1,3.00,0',
        '1,0,"m0.png",0.5000,0,1,,1',
        '2,,"",0.0000,0,1,,0',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
