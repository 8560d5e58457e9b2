import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { alignedGroundTruth, groundTruthFromLists, type GroundTruth } from '../../src/eval/ground-truth.js';
import { computeMetrics, type QueryRecord } from '../../src/eval/metrics.js';
import { renderReportHtml, writeMetricsJson, writeReport, type ReportInput } from '../../src/sinks/report/report.js';

const N = 30;

/** A synthetic run: a clear diagonal, three wrong answers, query 29 without a true place. */
function syntheticRun(): { records: QueryRecord[]; gt: GroundTruth; data: Float32Array } {
  const lists = Array.from({ length: N }, (_, q) => (q === N - 1 ? [] : [q - 1, q, q + 1].filter((j) => j >= 0 && j < N)));
  const gt = groundTruthFromLists(lists, 'synthetic', N);
  const data = new Float32Array(N * N);
  for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) data[r * N + c] = Math.min(1, Math.abs(r - c) / 10);
  const wrong = new Set([5, 12, 29]);
  const records = Array.from({ length: N }, (_, q) => {
    const predicted = wrong.has(q) ? (q + 15) % N : q;
    return { queryIndex: q, ranked: [predicted, q], predicted, confidence: wrong.has(q) ? 0.99 : q / N, latencyMs: 1 + (q % 7) };
  });
  return { records, gt, data };
}

async function colourPng(hex: string): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 32, channels: 3, background: hex } }).png().toBuffer();
}

/** Every embedded PNG, decoded. */
async function embeddedPngs(html: string): Promise<{ width: number; height: number }[]> {
  const uris = [...html.matchAll(/data:image\/png;base64,([A-Za-z0-9+/=]+)/g)].map((m) => m[1]);
  return Promise.all(
    uris.map(async (b64) => {
      const meta = await sharp(Buffer.from(b64, 'base64')).metadata();
      return { width: meta.width!, height: meta.height! };
    }),
  );
}

function sectionIds(html: string): string[] {
  return [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);
}

describe('eval/report', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seqvpr-report-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a self-contained report.html with every section', async () => {
    const { records, gt, data } = syntheticRun();
    const metrics = computeMetrics(records, gt);
    const [red, blue] = [await colourPng('#c00'), await colourPng('#00c')];
    const input: ReportInput = {
      title: 'Synthetic <run>',
      facts: { encoder: 'patchnorm' },
      metrics,
      records,
      groundTruth: gt,
      differenceMatrix: { matrix: { rows: N, cols: N, data } },
      thumbnails: { source: { query: () => red, map: (j) => (j === 28 ? undefined : blue) }, good: 2, bad: 2, heightPx: 40 },
      stageTimings: { encode: { p50: 1.5, p95: 2.5 }, match: { p50: 0.3, p95: 0.9, p99: 1.2 } },
      configYaml: 'matcher: seqslam\nnote: "<script>alert(1)</script>"\n',
    };
    const path = await writeReport(dir, input);
    assert.equal(path, join(dir, 'report.html'));
    assert.deepEqual(await readdir(dir), ['report.html'], 'no temp file left behind');
    const html = await readFile(path, 'utf8');

    assert.deepEqual(sectionIds(html), ['headline', 'pr-curve', 'difference-matrix', 'latency', 'examples', 'stage-timings', 'config']);
    assert.equal((html.match(/<svg /g) ?? []).length, 3, 'PR curve, difference matrix, latency histogram');
    assert.ok(html.includes('<title>Synthetic &lt;run&gt;</title>'));
    assert.ok(!html.includes('<script'), 'config text is escaped, nothing executable');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!/<link|src="https?:|href="https?:|url\(/.test(html), 'no external resources');

    // Heatmap (30 x 30 cells) + ground-truth mask + thumbnails (2 good x 2 + 2 bad x 3, one map frame missing).
    const pngs = await embeddedPngs(html);
    assert.equal(pngs.filter((p) => p.width === N && p.height === N).length, 2);
    assert.ok(pngs.filter((p) => p.height === 40).length >= 8);
    assert.ok(html.includes('no image'), 'the best good example, map 28, has no image: a placeholder');

    // The PR curve marks recall at 100% precision: the most confident answers (0.99) are the wrong ones → 0.
    assert.equal(metrics.recallAtPrecision100, 0);
    assert.ok(html.includes('recall 0.0% at 100% precision'));
    // Chosen matches drawn: wrong (red) and no-truth (orange) dots exist.
    assert.ok(html.includes('fill="#ff2a2a"') && html.includes('fill="#ff9f1c"'));
    assert.match(html, /<td>match<\/td><td>0\.3 ms<\/td><td>0\.9 ms<\/td><td>1\.2 ms<\/td>/);
  });

  it('block-reduces a large matrix to the requested size', async () => {
    const rows = 50;
    const cols = 1000;
    const records: QueryRecord[] = [{ queryIndex: 0, ranked: [0], predicted: 0, confidence: 1 }];
    const gt = alignedGroundTruth(1, rows);
    const html = await renderReportHtml({
      metrics: computeMetrics(records, gt),
      records,
      groundTruth: gt,
      differenceMatrix: { matrix: { rows, cols, data: new Float32Array(rows * cols).map((_, k) => k % 7) }, maxSide: 100 },
    });
    const pngs = await embeddedPngs(html);
    assert.deepEqual(pngs[0], { width: 100, height: 50 });
    assert.ok(html.includes('block 1 × 10, min'));
  });

  it('says so when there is no ground truth, no latency and no optional input', async () => {
    const records: QueryRecord[] = [{ queryIndex: 0, ranked: [3], predicted: 3, confidence: 0.5 }];
    const gt = groundTruthFromLists([[]], 'empty.csv');
    const html = await renderReportHtml({ metrics: computeMetrics(records, gt), records, groundTruth: gt });
    assert.deepEqual(sectionIds(html), ['headline', 'pr-curve', 'latency']);
    assert.ok(html.includes('No query has ground truth'));
    assert.ok(html.includes('No latency was recorded'));
    assert.equal((html.match(/<svg /g) ?? []).length, 0);
  });

  it('writes metrics.json atomically', async () => {
    const { records, gt } = syntheticRun();
    const metrics = computeMetrics(records, gt);
    await writeMetricsJson(dir, metrics);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')), JSON.parse(JSON.stringify(metrics)));
    assert.deepEqual(await readdir(dir), ['metrics.json']);
  });

  it('renders real Nordland frames as thumbnails', async function () {
    const root = join(process.cwd(), '..', 'shared', 'data', 'nordland64');
    if (!existsSync(join(root, 'summer'))) this.skip(); // real data lives outside the repo; absent in a fresh clone
    const name = (i: number): string => `images-${String((i + 100) * 10).padStart(5, '0')}.png`;
    const records: QueryRecord[] = Array.from({ length: 20 }, (_, q) => ({ queryIndex: q, ranked: [q], predicted: q % 5 === 0 ? 19 - q : q, confidence: q / 20 }));
    const gt = alignedGroundTruth(1, 20);
    const html = await renderReportHtml({
      metrics: computeMetrics(records, gt),
      records,
      groundTruth: gt,
      thumbnails: { source: { query: (i) => join(root, 'winter', name(i)), map: (j) => join(root, 'summer', name(j)) }, good: 2, bad: 2 },
    });
    const thumbs = (await embeddedPngs(html)).filter((p) => p.height === 96);
    assert.equal(thumbs.length, 2 * 2 + 2 * 3);
    assert.ok(thumbs.every((p) => p.width === 192), '64x32 frames enlarged to 192x96');
  });
});
