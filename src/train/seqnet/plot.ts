// Training curves as one SVG: mean triplet loss per epoch (left) and validation Recall@1/5 (right),
// the chosen (best) epoch marked.
import { addLegend, addMarker, addPolyline, createPlot, renderPlot, type Point } from '../../sinks/report/svg-plot.js';
import type { EpochRecord } from './trainer.js';

export interface TrainingPlotOptions {
  /** The recall the best epoch was chosen by (the trainer's selectBy; default R@5). */
  selectBy?: 'r1' | 'r5';
  /** What was validated: a sequence descriptor (SeqNet) or frame descriptors (a trained frontend). */
  descriptor?: 'sequence' | 'frame';
}

export function trainingPlotSvg(history: readonly EpochRecord[], bestEpoch: number, options: TrainingPlotOptions = {}): string {
  const { selectBy = 'r5', descriptor = 'sequence' } = options;
  const epochs = history.map((r) => r.epoch);
  const xDomain: [number, number] = [0, Math.max(1, ...epochs)];
  const trained = history.filter((r) => r.epoch > 0);
  const maxLoss = Math.max(1e-6, ...trained.map((r) => r.loss));
  const loss = createPlot({ x: { domain: xDomain, label: 'epoch' }, y: { domain: [0, maxLoss * 1.05], label: 'mean batch loss' }, title: 'triplet loss' });
  addPolyline(loss, trained.map((r): Point => [r.epoch, r.loss]), { colour: '#d62728' });

  const recalls = history.flatMap((r) => [r.val.r1, r.val.r5]);
  const lo = Math.max(0, Math.floor((Math.min(...recalls) - 0.02) * 20) / 20);
  const rec = createPlot({ x: { domain: xDomain, label: 'epoch' }, y: { domain: [lo, 1], label: 'validation recall' }, title: `validation recall (${descriptor} descriptor)` });
  addPolyline(rec, history.map((r): Point => [r.epoch, r.val.r1]), { colour: '#1f77b4' });
  addPolyline(rec, history.map((r): Point => [r.epoch, r.val.r5]), { colour: '#2ca02c' });
  const best = history.find((r) => r.epoch === bestEpoch);
  const [key, label, colour] = selectBy === 'r1' ? (['r1', 'R@1', '#1f77b4'] as const) : (['r5', 'R@5', '#2ca02c'] as const);
  if (best) addMarker(rec, [best.epoch, best.val[key]], `best ${label} ${best.val[key].toFixed(3)} (epoch ${best.epoch})`, colour);
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
