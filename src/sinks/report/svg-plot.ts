// Tiny SVG plotting kit (scales, nice ticks, axes, polylines, bars, markers) for the HTML reports:
// evaluation, loop closures, training curves. Output is plain SVG text, no external resources.

export type Point = readonly [number, number];
export type Scale = (v: number) => number;

/** Escapes text for XML/HTML element content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Maps [d0, d1] linearly onto [r0, r1] (a degenerate domain maps to the middle of the range). */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** About `count` round tick values (1, 2, 5 × 10^k steps) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  // Round to the step's decimals so 0.1 + 0.2 prints as 0.3.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toFixed(decimals)));
  return ticks;
}

/** Short tick label: no trailing zeros, thousands as "k". */
export function formatTick(v: number): string {
  if (Math.abs(v) >= 10000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

export interface AxisSpec {
  domain: readonly [number, number];
  label?: string;
  ticks?: number;
  format?: (v: number) => string;
}

export interface PlotOptions {
  width?: number;
  height?: number;
  margin?: { top: number; right: number; bottom: number; left: number };
  x: AxisSpec;
  y: AxisSpec;
  title?: string;
  /** Draw grid lines (default true; off for image plots such as heatmaps). */
  grid?: boolean;
}

/** A plot under construction: scales from data to pixels and the SVG parts drawn so far. */
export interface Plot {
  readonly width: number;
  readonly height: number;
  readonly x: Scale;
  readonly y: Scale;
  /** Pixel box of the data area. */
  readonly area: { left: number; top: number; right: number; bottom: number };
  readonly parts: string[];
}

const AXIS_STYLE = 'stroke="#555" stroke-width="1"';
const GRID_STYLE = 'stroke="#e3e3e3" stroke-width="1"';
/** Text attributes; one fill only (a second would make the SVG invalid XML: browsers refuse standalone .svg files with one). */
const textStyle = (fill = '#333'): string => `font-family="system-ui, sans-serif" font-size="11" fill="${fill}"`;
const TEXT_STYLE = textStyle();

/** Creates a plot with grid, axes, ticks and labels drawn. Add series with the helpers below. */
export function createPlot(opts: PlotOptions): Plot {
  const width = opts.width ?? 480;
  const height = opts.height ?? 320;
  const m = opts.margin ?? { top: opts.title ? 28 : 12, right: 16, bottom: 42, left: 52 };
  const area = { left: m.left, top: m.top, right: width - m.right, bottom: height - m.bottom };
  const x = linearScale(opts.x.domain[0], opts.x.domain[1], area.left, area.right);
  const y = linearScale(opts.y.domain[0], opts.y.domain[1], area.bottom, area.top);
  const fx = opts.x.format ?? formatTick;
  const fy = opts.y.format ?? formatTick;
  const parts: string[] = [];
  const grid = opts.grid ?? true;
  const ticksOf = (a: AxisSpec, n: number): number[] =>
    niceTicks(Math.min(a.domain[0], a.domain[1]), Math.max(a.domain[0], a.domain[1]), a.ticks ?? n);
  for (const t of ticksOf(opts.x, 6)) {
    const px = r(x(t));
    if (grid) parts.push(`<line x1="${px}" y1="${area.top}" x2="${px}" y2="${area.bottom}" ${GRID_STYLE}/>`);
    parts.push(`<line x1="${px}" y1="${area.bottom}" x2="${px}" y2="${area.bottom + 4}" ${AXIS_STYLE}/>`);
    parts.push(`<text x="${px}" y="${area.bottom + 16}" text-anchor="middle" ${TEXT_STYLE}>${escapeXml(fx(t))}</text>`);
  }
  for (const t of ticksOf(opts.y, 5)) {
    const py = r(y(t));
    if (grid) parts.push(`<line x1="${area.left}" y1="${py}" x2="${area.right}" y2="${py}" ${GRID_STYLE}/>`);
    parts.push(`<line x1="${area.left - 4}" y1="${py}" x2="${area.left}" y2="${py}" ${AXIS_STYLE}/>`);
    parts.push(`<text x="${area.left - 7}" y="${py + 4}" text-anchor="end" ${TEXT_STYLE}>${escapeXml(fy(t))}</text>`);
  }
  parts.push(
    `<polyline points="${area.left},${area.top} ${area.left},${area.bottom} ${area.right},${area.bottom}" fill="none" ${AXIS_STYLE}/>`,
  );
  if (opts.x.label) {
    parts.push(
      `<text x="${r((area.left + area.right) / 2)}" y="${height - 8}" text-anchor="middle" ${TEXT_STYLE}>${escapeXml(opts.x.label)}</text>`,
    );
  }
  if (opts.y.label) {
    const cy = r((area.top + area.bottom) / 2);
    parts.push(
      `<text x="14" y="${cy}" text-anchor="middle" transform="rotate(-90 14 ${cy})" ${TEXT_STYLE}>${escapeXml(opts.y.label)}</text>`,
    );
  }
  if (opts.title) {
    parts.push(`<text x="${area.left}" y="16" font-weight="600" ${TEXT_STYLE}>${escapeXml(opts.title)}</text>`);
  }
  return { width, height, x, y, area, parts };
}

export interface LineStyle {
  colour?: string;
  width?: number;
  dash?: string;
  /** Draw as a step function (horizontal then vertical), as for precision-recall curves. */
  step?: boolean;
}

/** Adds a polyline through data points. */
export function addPolyline(plot: Plot, points: readonly Point[], style: LineStyle = {}): void {
  if (points.length === 0) return;
  const px: Point[] = [];
  points.forEach(([a, b], i) => {
    if (style.step && i > 0) px.push([plot.x(a), plot.y(points[i - 1][1])]);
    px.push([plot.x(a), plot.y(b)]);
  });
  const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : '';
  plot.parts.push(
    `<polyline points="${px.map(([a, b]) => `${r(a)},${r(b)}`).join(' ')}" fill="none" stroke="${style.colour ?? '#1f77b4'}" stroke-width="${style.width ?? 2}" stroke-linejoin="round"${dash}/>`,
  );
}

export interface Bar {
  x0: number;
  x1: number;
  value: number;
}

/** Adds vertical bars from y = 0 (histograms). */
export function addBars(plot: Plot, bars: readonly Bar[], colour = '#4c78a8'): void {
  const y0 = plot.y(0);
  for (const b of bars) {
    const left = plot.x(b.x0);
    const w = Math.max(0.5, plot.x(b.x1) - left - 1);
    const top = plot.y(b.value);
    plot.parts.push(`<rect x="${r(left)}" y="${r(top)}" width="${r(w)}" height="${r(y0 - top)}" fill="${colour}"/>`);
  }
}

/** Adds a labelled circle marker at a data point. */
export function addMarker(plot: Plot, at: Point, label: string, colour = '#d62728'): void {
  const cx = r(plot.x(at[0]));
  const cy = r(plot.y(at[1]));
  plot.parts.push(`<circle cx="${cx}" cy="${cy}" r="5" fill="${colour}" stroke="#fff" stroke-width="1.5"/>`);
  const leftSide = cx > (plot.area.left + plot.area.right) / 2;
  plot.parts.push(
    `<text x="${leftSide ? cx - 9 : cx + 9}" y="${cy + 16}" text-anchor="${leftSide ? 'end' : 'start'}" ${textStyle(colour)}>${escapeXml(label)}</text>`,
  );
}

/** Adds a vertical reference line with a label at the top (e.g. a percentile). */
export function addVerticalLine(plot: Plot, xValue: number, label: string, colour = '#888'): void {
  const px = r(plot.x(xValue));
  plot.parts.push(
    `<line x1="${px}" y1="${plot.area.top}" x2="${px}" y2="${plot.area.bottom}" stroke="${colour}" stroke-width="1" stroke-dasharray="4 3"/>`,
  );
  plot.parts.push(`<text x="${px + 3}" y="${plot.area.top + 10}" ${textStyle(colour)}>${escapeXml(label)}</text>`);
}

/**
 * Adds a legend: in the top-right corner of the data area, or `outside` in the right margin (leave
 * ~150 px of margin for it), where it cannot hide data such as a heatmap.
 */
export function addLegend(
  plot: Plot,
  entries: readonly { label: string; colour: string }[],
  placement: 'inside' | 'outside' = 'inside',
): void {
  const x = placement === 'outside' ? plot.area.right + 12 : plot.area.right - 130;
  entries.forEach((e, i) => {
    const y = plot.area.top + 8 + i * 16;
    plot.parts.push(`<rect x="${x}" y="${y - 8}" width="12" height="10" fill="${e.colour}" stroke="#999" stroke-width="0.5"/>`);
    plot.parts.push(`<text x="${x + 17}" y="${y + 1}" ${TEXT_STYLE}>${escapeXml(e.label)}</text>`);
  });
}

/** Equal-width histogram of values over [min, max]. */
export function histogram(values: readonly number[], binCount: number, min?: number, max?: number): Bar[] {
  if (values.length === 0) return [];
  const lo = min ?? values.reduce((a, v) => Math.min(a, v), Infinity);
  let hi = max ?? values.reduce((a, v) => Math.max(a, v), -Infinity);
  if (hi <= lo) hi = lo + 1;
  const w = (hi - lo) / binCount;
  const counts = new Array<number>(binCount).fill(0);
  for (const v of values) counts[Math.min(binCount - 1, Math.max(0, Math.floor((v - lo) / w)))]++;
  return counts.map((value, i) => ({ x0: lo + i * w, x1: lo + (i + 1) * w, value }));
}

/** Serialises the plot as a standalone <svg> element. */
export function renderPlot(plot: Plot, ariaLabel = 'plot'): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${plot.width} ${plot.height}" width="${plot.width}" height="${plot.height}" role="img" aria-label="${escapeXml(ariaLabel)}">${plot.parts.join('')}</svg>`;
}

function r(v: number): number {
  return Math.round(v * 10) / 10;
}
