// Training curves as one SVG: mean triplet loss per epoch (left) and validation Recall@1/5 (right),
// the chosen (best) epoch marked.
import { addLegend, addMarker, addPolyline, createPlot, renderPlot, type Point } from '../../sinks/report/svg-plot.js';
import type { EpochRecord } from './trainer.js';

export function trainingPlotSvg(history: readonly EpochRecord[], bestEpoch: number): string {
  const epochs = history.map((r) => r.epoch);
  const xDomain: [number, number] = [0, Math.max(1, ...epochs)];
  const trained = history.filter((r) => r.epoch > 0);
  const maxLoss = Math.max(1e-6, ...trained.map((r) => r.loss));
  const loss = createPlot({ x: { domain: xDomain, label: 'epoch' }, y: { domain: [0, maxLoss * 1.05], label: 'mean batch loss' }, title: 'triplet loss' });
  addPolyline(loss, trained.map((r): Point => [r.epoch, r.loss]), { colour: '#d62728' });

  const recalls = history.flatMap((r) => [r.val.r1, r.val.r5]);
  const lo = Math.max(0, Math.floor((Math.min(...recalls) - 0.02) * 20) / 20);
  const rec = createPlot({ x: { domain: xDomain, label: 'epoch' }, y: { domain: [lo, 1], label: 'validation recall' }, title: 'validation recall (sequence descriptor)' });
  addPolyline(rec, history.map((r): Point => [r.epoch, r.val.r1]), { colour: '#1f77b4' });
  addPolyline(rec, history.map((r): Point => [r.epoch, r.val.r5]), { colour: '#2ca02c' });
  const best = history.find((r) => r.epoch === bestEpoch);
  if (best) addMarker(rec, [best.epoch, best.val.r5], `best R@5 ${best.val.r5.toFixed(3)} (epoch ${best.epoch})`, '#2ca02c');
  addLegend(rec, [
    { label: 'R@1', colour: '#1f77b4' },
    { label: 'R@5', colour: '#2ca02c' },
  ]);
  const width = loss.width + rec.width;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${loss.height}" width="${width}" height="${loss.height}">` +
    `<g>${renderPlot(loss, 'training loss')}</g><g transform="translate(${loss.width},0)">${renderPlot(rec, 'validation recall')}</g></svg>\n`
  );
}
