import assert from 'node:assert/strict';
import sharp from 'sharp';
import { EvalError } from '../../src/core/errors.js';
import { pickExamples, thumbnailDataUri } from '../../src/sinks/report/examples.js';
import { groundTruthFromLists } from '../../src/eval/ground-truth.js';
import type { QueryRecord } from '../../src/eval/metrics.js';

const rec = (queryIndex: number, predicted: number | null, confidence: number): QueryRecord => ({
  queryIndex,
  ranked: predicted === null ? [] : [predicted],
  predicted,
  confidence,
});

describe('eval/examples', () => {
  it('picks the most confident correct and the most confident wrong answers', () => {
    const gt = groundTruthFromLists([[0], [1], [2, 3], [], [4]], 'hand');
    const records = [rec(0, 0, 0.2), rec(1, 1, 0.9), rec(2, 9, 0.5), rec(3, 7, 0.8), rec(4, null, 1)];
    const ex = pickExamples(records, gt, { good: 1, bad: 5 });
    assert.deepEqual(
      ex.map((e) => [e.kind, e.record.queryIndex, e.truth]),
      [
        ['good', 1, 1],
        ['bad', 3, null], // no true place: wrong, and the most confident wrong one
        ['bad', 2, 3], // the positive nearest to the wrong prediction 9
      ],
    );
  });

  it('makes PNG data URIs of the requested height from bytes or a file path', async () => {
    const small = await sharp({ create: { width: 8, height: 4, channels: 3, background: '#f00' } }).png().toBuffer();
    const uri = await thumbnailDataUri(small, 16);
    assert.match(uri, /^data:image\/png;base64,/);
    const meta = await sharp(Buffer.from(uri.split(',')[1], 'base64')).metadata();
    assert.deepEqual([meta.width, meta.height], [32, 16]);
    await assert.rejects(thumbnailDataUri('/nonexistent/frame.png'), (e: unknown) => e instanceof EvalError && e.message.includes('/nonexistent/frame.png'));
    await assert.rejects(thumbnailDataUri(new Uint8Array([1, 2, 3])), /3-byte buffer/);
  });
});
