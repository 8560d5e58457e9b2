// loops.html: what a SLAM user checks before trusting the closures: how many, how confident,
// where on the trajectory (when poses exist), and which were wrong against ground truth.
import path from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import type { MapFrameMeta } from '../../core/types.js';
import { addPolyline, createPlot, escapeXml, renderPlot, type Plot } from './svg-plot.js';
import type { LoopClosure } from '../../loops/live-mapper.js';
import { isCorrectLoop, type LoopScores } from '../../loops/loop-eval.js';

export const LOOPS_REPORT_FILE = 'loops.html';

export interface LoopsReportInput {
  title: string;
  facts: Record<string, string | number>;
  loops: readonly LoopClosure[];
  frames: readonly MapFrameMeta[];
  scores: LoopScores | null;
}

const COLOURS = { correct: '#2ca02c', wrong: '#d62728', unknown: '#1f77b4' };

function colourOf(loop: LoopClosure, input: LoopsReportInput): string {
  if (!input.scores) return COLOURS.unknown;
  const ok = isCorrectLoop(loop, input.frames, input.scores.toleranceM);
  return ok === null ? COLOURS.unknown : ok ? COLOURS.correct : COLOURS.wrong;
}

function dot(plot: Plot, x: number, y: number, colour: string): void {
  plot.parts.push(`<circle cx="${plot.x(x).toFixed(1)}" cy="${plot.y(y).toFixed(1)}" r="2.5" fill="${colour}" fill-opacity="0.8"/>`);
}

/** Keyframe index against matched keyframe index: loops of a revisit form a line parallel to the diagonal. */
function indexPlot(input: LoopsReportInput): string {
  const n = Math.max(1, input.frames.length);
  const plot = createPlot({
    width: 520,
    height: 420,
    x: { domain: [0, n], label: 'keyframe (query)' },
    y: { domain: [0, n], label: 'matched earlier keyframe' },
  });
  addPolyline(plot, [[0, 0], [n, n]], { colour: '#bbb', width: 1, dash: '4 3' });
  for (const loop of input.loops) dot(plot, loop.queryIndex, loop.matchIndex, colourOf(loop, input));
  return renderPlot(plot, 'loop closures by keyframe index');
}

/** The trajectory from poses with every loop closure drawn as an edge between its two keyframes. */
function trajectoryPlot(input: LoopsReportInput): string | null {
  const posed = input.frames.filter((f) => f.pose);
  if (posed.length < 2) return null;
  const xs = posed.map((f) => f.pose!.position.x);
  const ys = posed.map((f) => f.pose!.position.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const span = Math.max(x1 - x0, y1 - y0, 1e-6);
  const plot = createPlot({
    width: 520,
    height: 520,
    x: { domain: [x0 - 0.05 * span, x0 + 1.05 * span], label: 'x (m)' },
    y: { domain: [y0 - 0.05 * span, y0 + 1.05 * span], label: 'y (m)' },
  });
  addPolyline(plot, posed.map((f) => [f.pose!.position.x, f.pose!.position.y] as const), { colour: '#888', width: 1.5 });
  for (const loop of input.loops) {
    const a = input.frames[loop.queryIndex]?.pose;
    const b = input.frames[loop.matchIndex]?.pose;
    if (!a || !b) continue;
    addPolyline(plot, [[a.position.x, a.position.y], [b.position.x, b.position.y]], { colour: colourOf(loop, input), width: 1.5 });
  }
  return renderPlot(plot, 'trajectory with loop closures');
}

export function renderLoopsHtml(input: LoopsReportInput): string {
  const s = input.scores;
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(1)}%`);
  const headline = s
    ? `<p><b>${s.loops}</b> loop closures, <b>${s.correct}</b> correct within ${s.toleranceM} m: precision <b>${pct(s.precision)}</b>, ` +
      `recall of revisited keyframes <b>${pct(s.recall)}</b> (${s.revisits} keyframes revisit an earlier place).</p>`
    : `<p><b>${input.loops.length}</b> loop closures (no poses: correctness not checked).</p>`;
  const facts = Object.entries(input.facts)
    .map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(String(v))}</td></tr>`)
    .join('');
  const trajectory = trajectoryPlot(input);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(input.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1150px}th{text-align:left;padding-right:12px}
.plots{display:flex;flex-wrap:wrap;gap:16px}.legend span{margin-right:14px}</style></head><body>
<h1>${escapeXml(input.title)}</h1>
${headline}
<p class="legend"><span style="color:${COLOURS.correct}">&#9679; correct</span><span style="color:${COLOURS.wrong}">&#9679; wrong</span><span style="color:${COLOURS.unknown}">&#9679; not checked</span></p>
<div class="plots">${trajectory ?? ''}${indexPlot(input)}</div>
<h2>Run</h2><table>${facts}</table>
</body></html>
`;
}

export async function writeLoopsReport(outDir: string, input: LoopsReportInput): Promise<string> {
  const file = path.join(outDir, LOOPS_REPORT_FILE);
  await writeFileAtomic(file, renderLoopsHtml(input));
  return file;
}
