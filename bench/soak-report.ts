// Memory curves of the soak test: samples of process.memoryUsage() (after a full GC when node runs
// with --expose-gc), a plateau verdict, and the curve as a markdown table and an SVG plot.
import { addLegend, addPolyline, createPlot, renderPlot } from '../src/sinks/report/svg-plot.js';

export interface MemorySample {
  /** Frames through the pipeline when sampled (for overload runs: frames offered). */
  frames: number;
  seconds: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Frames in a live map when sampled (0 outside map mode). */
  mapFrames: number;
  /** RSS / heapUsed the run is expected to have grown by (a live map's payload); 0 when nothing should grow. */
  expected: number;
  expectedHeap: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** True when samples are taken after a full garbage collection (node --expose-gc). */
export const collectsGarbage = typeof gc === 'function';

export function sampleMemory(frames: number, startMs: number, mapFrames = 0): MemorySample {
  gc?.();
  const m = process.memoryUsage();
  return {
    frames,
    seconds: (performance.now() - startMs) / 1000,
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    mapFrames,
    expected: 0,
    expectedHeap: 0,
  };
}

export interface Verdict {
  /** Relative growth of (value - expected) from the middle of the run to its end, for RSS and heapUsed. */
  rssGrowth: number;
  heapGrowth: number;
  /** Least-squares slope of (rss - expected) over the second half, bytes per frame. */
  rssSlopePerFrame: number;
  heapSlopePerFrame: number;
  plateau: boolean;
  text: string;
}

export interface VerdictOptions {
  /** Largest relative RSS growth over the second half that still counts as a plateau (default 0.05). */
  rssTolerance?: number;
  /** The same for heapUsed (default 0.10: the heap is small, so a JS-side leak shows early). */
  heapTolerance?: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

/**
 * Plateau or not: memory left after subtracting the expected growth is compared between the middle
 * of the run (median of the 3 samples nearest its middle frame) and its end (median of the last 3).
 * The first half is warm-up (caches, JIT, allocator pools filling up) and is not judged.
 */
export function plateauVerdict(samples: readonly MemorySample[], options: VerdictOptions = {}): Verdict {
  const rssTolerance = options.rssTolerance ?? 0.05;
  const heapTolerance = options.heapTolerance ?? 0.1;
  if (samples.length < 6) throw new Error(`a verdict needs at least 6 memory samples, got ${samples.length}`);
  const lastFrame = samples.at(-1)!.frames;
  const byMiddle = [...samples].sort((a, b) => Math.abs(a.frames - lastFrame / 2) - Math.abs(b.frames - lastFrame / 2)).slice(0, 3);
  const end = samples.slice(-3);
  const rssOf = (s: MemorySample) => s.rss - s.expected;
  const heapOf = (s: MemorySample) => s.heapUsed - s.expectedHeap;
  const growth = (f: (s: MemorySample) => number) => {
    const mid = median(byMiddle.map(f));
    return (median(end.map(f)) - mid) / mid;
  };
  const second = samples.filter((s) => s.frames >= lastFrame / 2);
  const rssGrowth = growth(rssOf);
  const heapGrowth = growth(heapOf);
  const rssSlopePerFrame = slope(second.map((s) => [s.frames, rssOf(s)]));
  const heapSlopePerFrame = slope(second.map((s) => [s.frames, heapOf(s)]));
  const plateau = rssGrowth < rssTolerance && heapGrowth < heapTolerance;
  const pct = (v: number) => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}%`;
  const minus = samples.some((s) => s.expected > 0 || s.expectedHeap > 0) ? ' minus the expected map payload' : '';
  const text =
    `${plateau ? 'PLATEAU' : 'GROWING'}: over the second half (frames ${Math.round(lastFrame / 2)}..${lastFrame}) ` +
    `RSS${minus} changed ${pct(rssGrowth)} (limit ${pct(rssTolerance)}), heapUsed${minus} ${pct(heapGrowth)} (limit ${pct(heapTolerance)}); ` +
    `slopes ${rssSlopePerFrame.toFixed(1)} B/frame RSS, ${heapSlopePerFrame.toFixed(1)} B/frame heap ` +
    `(${((rssSlopePerFrame * 1e6) / 2 ** 20).toFixed(0)} MiB per million frames)`;
  return { rssGrowth, heapGrowth, rssSlopePerFrame, heapSlopePerFrame, plateau, text };
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** The curve as a markdown table of about `rows` evenly spaced samples (first and last always in). */
export function memoryTable(samples: readonly MemorySample[], rows = 21): string {
  const step = Math.max(1, Math.round((samples.length - 1) / (rows - 1)));
  const picked = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
  const withExpected = samples.some((s) => s.expected > 0 || s.expectedHeap > 0);
  const head = [
    'frames',
    'time (s)',
    'RSS (MiB)',
    'heapUsed (MiB)',
    'external (MiB)',
    'arrayBuffers (MiB)',
    ...(withExpected ? ['map frames', 'expected map RSS / heap (MiB)', 'RSS - map (MiB)', 'heapUsed - map (MiB)'] : []),
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const s of picked) {
    const cells = [String(s.frames), s.seconds.toFixed(0), mb(s.rss), mb(s.heapUsed), mb(s.external), mb(s.arrayBuffers)];
    if (withExpected) cells.push(String(s.mapFrames), `${mb(s.expected)} / ${mb(s.expectedHeap)}`, mb(s.rss - s.expected), mb(s.heapUsed - s.expectedHeap));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** RSS and heapUsed (and RSS minus expected payload, when there is one) against frames, as an SVG. */
export function memoryPlot(samples: readonly MemorySample[], title: string): string {
  const maxFrames = samples.at(-1)?.frames ?? 1;
  const maxMb = Math.max(...samples.map((s) => s.rss)) / 2 ** 20;
  const plot = createPlot({
    width: 640,
    height: 320,
    title,
    x: { domain: [0, maxFrames], label: 'frames' },
    y: { domain: [0, Math.ceil(maxMb * 1.1)], label: 'MiB' },
  });
  const series: { label: string; colour: string; value: (s: MemorySample) => number }[] = [
    { label: 'RSS', colour: '#1f77b4', value: (s) => s.rss },
    { label: 'heapUsed', colour: '#ff7f0e', value: (s) => s.heapUsed },
  ];
  if (samples.some((s) => s.expected > 0)) series.push({ label: 'RSS - map payload', colour: '#2ca02c', value: (s) => s.rss - s.expected });
  for (const s of series) addPolyline(plot, samples.map((x) => [x.frames, s.value(x) / 2 ** 20]), { colour: s.colour });
  addLegend(plot, series);
  return renderPlot(plot, title);
}
