// The evaluation report: one self-contained report.html (inline CSS and SVG, images as data URIs)
// with headline numbers, PR curve, difference-matrix heatmap, latency histogram, example matches,
// per-stage timings and the config used. Also writes metrics.json.
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { pickExamples, thumbnailDataUri, type Example, type ThumbnailSource } from './examples.js';
import type { GroundTruth } from '../../eval/ground-truth.js';
import { reduceMatrix, renderHeatmapPng, renderMaskPng, type HeatmapMatrix } from './heatmap.js';
import { isCorrect, type EvalMetrics, type QueryRecord } from '../../eval/metrics.js';
import {
  addBars,
  addLegend,
  addMarker,
  addPolyline,
  addVerticalLine,
  createPlot,
  escapeXml,
  histogram,
  renderPlot,
  type Point,
} from './svg-plot.js';

export interface StageTiming {
  p50: number;
  p95: number;
  p99?: number;
  mean?: number;
  count?: number;
}

export interface ReportInput {
  title?: string;
  /** Short facts shown under the title (dataset, encoder, matcher…). */
  facts?: Record<string, string | number>;
  metrics: EvalMetrics;
  records: readonly QueryRecord[];
  groundTruth: GroundTruth;
  differenceMatrix?: {
    matrix: HeatmapMatrix;
    /** Query index of column 0 (columns are consecutive queries). Default 0. */
    firstQueryIndex?: number;
    /** Longest side of the drawn grid in cells. Default 800. */
    maxSide?: number;
    /** Block reduction; `min` keeps match valleys visible. Default 'min'. */
    reduce?: 'min' | 'mean';
  };
  thumbnails?: { source: ThumbnailSource; good?: number; bad?: number; heightPx?: number };
  stageTimings?: Record<string, StageTiming>;
  /** The configuration used, as YAML text. */
  configYaml?: string;
}

export const REPORT_FILE = 'report.html';
export const METRICS_FILE = 'metrics.json';

/** Writes `<outDir>/report.html` atomically and returns its path. */
export async function writeReport(outDir: string, input: ReportInput): Promise<string> {
  const path = join(outDir, REPORT_FILE);
  await writeFileAtomic(path, await renderReportHtml(input));
  return path;
}

/** Writes `<outDir>/metrics.json` atomically and returns its path. */
export async function writeMetricsJson(outDir: string, metrics: EvalMetrics): Promise<string> {
  const path = join(outDir, METRICS_FILE);
  await writeFileAtomic(path, `${JSON.stringify(metrics, null, 2)}\n`);
  return path;
}

export async function renderReportHtml(input: ReportInput): Promise<string> {
  const title = input.title ?? 'seqvpr evaluation';
  const sections = [
    headlineSection(input),
    prSection(input.metrics),
    input.differenceMatrix ? await matrixSection(input) : '',
    latencySection(input),
    input.thumbnails ? await examplesSection(input) : '',
    input.stageTimings ? stageSection(input.stageTimings) : '',
    input.configYaml !== undefined ? configSection(input.configYaml) : '',
  ];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title><style>${CSS}</style></head>
<body><main>
<header><h1>${escapeXml(title)}</h1>${factsLine(input)}</header>
${sections.filter((s) => s !== '').join('\n')}
</main></body></html>
`;
}

const CSS = `
body{margin:0;background:#f6f7f9;color:#222;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:1100px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 10px}
header p{margin:0;color:#666}
section{background:#fff;border:1px solid #e2e4e8;border-radius:8px;padding:16px 18px;margin-top:16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{flex:1 1 100px;border:1px solid #e2e4e8;border-radius:6px;padding:10px 12px;background:#fbfbfc}
.card b{display:block;white-space:nowrap;font-size:22px;font-weight:650;color:#1b4f8a}
.card span{color:#666;font-size:12px}
table{border-collapse:collapse;margin-top:12px}
td,th{border-bottom:1px solid #eceef1;padding:4px 12px;text-align:right;font-variant-numeric:tabular-nums}
th:first-child,td:first-child{text-align:left}
.note{color:#666;font-size:12px;margin:8px 0 0}
.plots{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
svg{max-width:100%;height:auto}
.examples{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:10px}
.ex{border:1px solid #e2e4e8;border-radius:6px;padding:8px;font-size:12px}
.ex.good{border-left:4px solid #2ca02c}.ex.bad{border-left:4px solid #d62728}
.ex .imgs{display:flex;gap:6px;margin-top:4px}
.ex figure{margin:0;text-align:center;color:#666;flex:0 1 calc((100% - 12px) / 3);min-width:0}
.ex img{display:block;width:100%;height:auto;image-rendering:pixelated;border-radius:3px}
.ex .missing{height:60px;background:#eee;display:flex;align-items:center;justify-content:center}
pre{background:#f3f4f6;border-radius:6px;padding:10px;overflow:auto;font-size:12px}
`;

function factsLine(input: ReportInput): string {
  const facts = {
    'ground truth': input.metrics.groundTruth,
    ...input.facts,
    generated: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  return `<p>${Object.entries(facts)
    .map(([k, v]) => `${escapeXml(k)}: <b>${escapeXml(String(v))}</b>`)
    .join(' · ')}</p>`;
}

function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`;
}

function ms(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return v >= 100 ? `${v.toFixed(0)} ms` : `${Number(v.toPrecision(3))} ms`;
}

function card(value: string, caption: string): string {
  return `<div class="card"><b>${escapeXml(value)}</b><span>${escapeXml(caption)}</span></div>`;
}

function headlineSection({ metrics: m }: ReportInput): string {
  const cards = [
    card(pct(m.recall['1']), 'Recall@1'),
    card(pct(m.recall['5']), 'Recall@5'),
    card(pct(m.averagePrecision), 'average precision'),
    card(pct(m.recallAtPrecision100), 'recall @ 100% precision'),
    card(ms(m.latencyMs?.p50), 'latency p50'),
    card(m.framesPerSecond === null ? '—' : m.framesPerSecond.toFixed(1), 'frames / s'),
    card(`${m.queriesWithGroundTruth} / ${m.queries}`, 'queries with ground truth'),
  ];
  const ns = Object.keys(m.recall);
  const rows = ns
    .map((n) => `<tr><td>Recall@${escapeXml(n)}</td><td>${pct(m.recall[n])}</td><td>${pct(m.recallAllQueries[n])}</td></tr>`)
    .join('');
  const a = m.acceptAll;
  return `<section id="headline"><h2>Headline</h2><div class="cards">${cards.join('')}</div>
<table><thead><tr><th></th><th>queries with ground truth (SeqNet)</th><th>all queries (Patch-NetVLAD)</th></tr></thead><tbody>${rows}</tbody></table>
<p class="note">Accepting every answer: ${a.truePositives} correct, ${a.falsePositives} wrong
(${a.falsePositivesWithoutGroundTruth} of them for queries with no true place), precision ${pct(a.precision)};
counting only queries with ground truth (CaseVPR) ${pct(a.precisionGroundTruthOnly)}.
${
    m.thresholdAtPrecision100 === null
      ? 'No threshold gives 100% precision: the most confident answer is already wrong.'
      : `Accepting confidence ≥ ${Number(m.thresholdAtPrecision100.toPrecision(4))} gives 100% precision.`
  }</p></section>`;
}

function prSection(m: EvalMetrics): string {
  if (m.averagePrecision === null) {
    return `<section id="pr-curve"><h2>Precision–recall</h2><p class="note">No query has ground truth, so recall is undefined. ${m.acceptAll.falsePositives} answers were accepted, all wrong.</p></section>`;
  }
  const plot = createPlot({
    width: 460,
    height: 340,
    x: { domain: [0, 1], label: 'recall (of queries with ground truth)' },
    y: { domain: [0, 1.02], label: 'precision', ticks: 5 },
  });
  const pts: Point[] = m.precisionRecall.map((p) => [p.recall as number, p.precision]);
  // Step curve from recall 0 at the first precision, as the non-interpolated AP integrates it.
  if (pts.length > 0) addPolyline(plot, [[0, pts[0][1]], ...pts], { step: true, colour: '#1f77b4' });
  const r100 = m.recallAtPrecision100 as number;
  addMarker(plot, [r100, 1], `recall ${pct(r100)} at 100% precision`);
  return `<section id="pr-curve"><h2>Precision–recall (top-1 answer, threshold on confidence)</h2>
<div class="plots">${renderPlot(plot, 'precision-recall curve')}</div>
<p class="note">AP ${pct(m.averagePrecision)} (non-interpolated: Σ (R<sub>k</sub> − R<sub>k−1</sub>)·P<sub>k</sub>). A confident wrong answer for a query with no true place counts as a false positive (a false loop closure).</p></section>`;
}

async function matrixSection(input: ReportInput): Promise<string> {
  const dm = input.differenceMatrix!;
  const first = dm.firstQueryIndex ?? 0;
  const grid = reduceMatrix(dm.matrix, dm.maxSide ?? 800, dm.reduce ?? 'min');
  const heat = await renderHeatmapPng(grid);
  const gtCells: [number, number][] = [];
  for (let c = 0; c < grid.sourceCols; c++) {
    for (const m of input.groundTruth.positives(first + c)) gtCells.push([m, c]);
  }
  const mask = await renderMaskPng(grid, gtCells, [255, 255, 255, 110]);

  // Keep the source's aspect (map frames vs query frames), within 1:4 so thin matrices stay readable.
  const aspect = Math.min(4, Math.max(0.25, grid.sourceRows / grid.sourceCols));
  const areaW = aspect > 1 ? Math.round(640 / aspect) : 640;
  const areaH = Math.round(areaW * aspect);
  const margin = { top: 12, right: 160, bottom: 42, left: 60 };
  const plot = createPlot({
    width: areaW + margin.left + margin.right,
    height: areaH + margin.top + margin.bottom,
    margin,
    grid: false,
    x: { domain: [first, first + grid.sourceCols], label: 'query frame' },
    y: { domain: [grid.sourceRows, 0], label: 'map frame' },
  });
  const { left, top } = plot.area;
  const img = (png: Buffer): string =>
    `<image x="${left}" y="${top}" width="${areaW}" height="${areaH}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,${png.toString('base64')}"/>`;
  // The images go under the axes: insert them first.
  plot.parts.unshift(img(heat.png), img(mask));

  const colours = { correct: '#39ff14', wrong: '#ff2a2a', noTruth: '#ff9f1c' };
  const radius = Math.max(1.2, Math.min(3, (areaW / grid.sourceCols) * 0.6));
  // Layers: correct (translucent) under no-truth under wrong, so errors are never hidden by the
  // dense diagonal of correct answers. One dot per pixel and layer keeps big runs small.
  const layers = { correct: new Map<string, string>(), noTruth: new Map<string, string>(), wrong: new Map<string, string>() };
  for (const r of input.records) {
    const c = r.queryIndex - first;
    if (r.predicted === null || c < 0 || c >= grid.sourceCols || r.predicted >= grid.sourceRows) continue;
    const layer = isCorrect(r, input.groundTruth) ? 'correct' : input.groundTruth.hasPositives(r.queryIndex) ? 'wrong' : 'noTruth';
    const x = Math.round(plot.x(r.queryIndex + 0.5));
    const y = Math.round(plot.y(r.predicted + 0.5));
    const opacity = layer === 'correct' ? ' fill-opacity="0.55"' : '';
    layers[layer].set(`${x},${y}`, `<circle cx="${x}" cy="${y}" r="${radius}" fill="${colours[layer]}"${opacity}/>`);
  }
  plot.parts.push(...layers.correct.values(), ...layers.noTruth.values(), ...layers.wrong.values());
  addLegend(plot, [
    { label: 'ground truth', colour: '#c8c8c8' },
    { label: 'correct match', colour: colours.correct },
    { label: 'wrong match', colour: colours.wrong },
    { label: 'match, no true place', colour: colours.noTruth },
  ], 'outside');
  const [lo, hi] = heat.range;
  return `<section id="difference-matrix"><h2>Difference matrix and chosen matches</h2>
<div class="plots">${renderPlot(plot, 'difference matrix')}</div>
<p class="note">${grid.sourceRows} map × ${grid.sourceCols} query frames, drawn as ${grid.rows} × ${grid.cols} cells
(block ${grid.rowBlock} × ${grid.colBlock}, ${dm.reduce ?? 'min'}). Dark = similar; colour scale ${Number(lo.toPrecision(3))} … ${Number(hi.toPrecision(3))} (2nd–98th percentile); grey band = ground truth.</p></section>`;
}

function latencySection({ metrics, records }: ReportInput): string {
  const lat = metrics.latencyMs;
  const values = records.flatMap((r) => (r.latencyMs === undefined ? [] : [r.latencyMs]));
  if (lat === null || values.length === 0) {
    return `<section id="latency"><h2>Latency</h2><p class="note">No latency was recorded for these queries.</p></section>`;
  }
  // Clip the axis above p99 so one slow outlier does not squash the histogram; overflow joins the last bar.
  const hi = Math.min(lat.max, lat.p99 * 1.5) || 1;
  const bars = histogram(values, 30, 0, hi);
  const peak = Math.max(...bars.map((b) => b.value));
  const plot = createPlot({
    width: 520,
    height: 280,
    x: { domain: [0, hi], label: 'latency per query (ms)' },
    y: { domain: [0, peak * 1.1], label: 'queries' },
  });
  addBars(plot, bars);
  addVerticalLine(plot, lat.p50, 'p50', '#2ca02c');
  addVerticalLine(plot, lat.p95, 'p95', '#ff7f0e');
  addVerticalLine(plot, lat.p99, 'p99', '#d62728');
  const clipped = lat.max > hi ? ` Values above ${ms(hi)} (max ${ms(lat.max)}) are counted in the last bar.` : '';
  return `<section id="latency"><h2>Latency</h2><div class="plots">${renderPlot(plot, 'latency histogram')}</div>
<p class="note">p50 ${ms(lat.p50)} · p95 ${ms(lat.p95)} · p99 ${ms(lat.p99)} · mean ${ms(lat.mean)} · max ${ms(lat.max)} (percentiles by linear interpolation).${clipped}</p></section>`;
}

async function examplesSection(input: ReportInput): Promise<string> {
  const t = input.thumbnails!;
  const examples = pickExamples(input.records, input.groundTruth, { good: t.good ?? 6, bad: t.bad ?? 6 });
  if (examples.length === 0) {
    return `<section id="examples"><h2>Example matches</h2><p class="note">No query was answered.</p></section>`;
  }
  const height = t.heightPx ?? 96;
  const fig = async (label: string, ref: ReturnType<ThumbnailSource['map']>): Promise<string> =>
    ref === undefined
      ? `<figure><div class="missing">no image</div>${escapeXml(label)}</figure>`
      : `<figure><img alt="${escapeXml(label)}" src="${await thumbnailDataUri(ref, height)}">${escapeXml(label)}</figure>`;
  const cardOf = async (e: Example): Promise<string> => {
    const r = e.record;
    const pred = r.predicted as number;
    const figures = [await fig(`query ${r.queryIndex}`, t.source.query(r.queryIndex)), await fig(`match ${pred}`, t.source.map(pred))];
    if (e.kind === 'bad' && e.truth !== null) figures.push(await fig(`true ${e.truth}`, t.source.map(e.truth)));
    const verdict = e.kind === 'good' ? 'correct' : e.truth === null ? 'wrong (no true place)' : 'wrong';
    return `<div class="ex ${e.kind}"><b>${verdict}</b> · confidence ${r.confidence.toFixed(3)}<div class="imgs">${figures.join('')}</div></div>`;
  };
  const cards: string[] = [];
  for (const e of examples) cards.push(await cardOf(e));
  return `<section id="examples"><h2>Example matches</h2>
<p class="note">Green: the most confident correct answers. Red: the most confident wrong ones, which a confidence threshold lets through first.</p>
<div class="examples">${cards.join('')}</div></section>`;
}

function stageSection(stages: Record<string, StageTiming>): string {
  const hasP99 = Object.values(stages).some((s) => s.p99 !== undefined);
  const hasMean = Object.values(stages).some((s) => s.mean !== undefined);
  const hasCount = Object.values(stages).some((s) => s.count !== undefined);
  const head = ['stage', 'p50', 'p95', ...(hasP99 ? ['p99'] : []), ...(hasMean ? ['mean'] : []), ...(hasCount ? ['count'] : [])];
  const rows = Object.entries(stages).map(([name, s]) => {
    const cells = [escapeXml(name), ms(s.p50), ms(s.p95)];
    if (hasP99) cells.push(ms(s.p99));
    if (hasMean) cells.push(ms(s.mean));
    if (hasCount) cells.push(s.count === undefined ? '—' : String(s.count));
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<section id="stage-timings"><h2>Per-stage timing</h2><table><thead><tr>${head
    .map((h) => `<th>${h}</th>`)
    .join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function configSection(yaml: string): string {
  return `<section id="config"><h2>Configuration</h2><pre>${escapeXml(yaml)}</pre></section>`;
}
