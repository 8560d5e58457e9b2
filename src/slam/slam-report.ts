// OUT/slam: metrics.json (ate.odometry, ate.optimized in metres, closures, the false-closure
// experiment) and report.html with the ground truth, the drifting odometry and the optimised
// trajectory drawn over each other.
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { addLegend, addPolyline, createPlot, escapeXml, renderPlot } from '../sinks/report/svg-plot.js';
import type { Pose2 } from './pose-graph.js';
import type { SlamEvalResult } from './slam-eval.js';

export const SLAM_METRICS_FILE = 'metrics.json';
export const SLAM_REPORT_FILE = 'report.html';

const COLOURS = { truth: '#333333', odometry: '#d62728', optimized: '#2ca02c', closure: '#1f77b4' };

function trajectoryPlot(r: SlamEvalResult): string {
  const all = [...r.truth, ...r.odometry, ...r.optimized];
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const [x0, y0] = [Math.min(...xs), Math.min(...ys)];
  const span = Math.max(Math.max(...xs) - x0, Math.max(...ys) - y0, 1e-6);
  const plot = createPlot({
    width: 640,
    height: 640,
    x: { domain: [x0 - 0.05 * span, x0 + 1.05 * span], label: 'x (m)' },
    y: { domain: [y0 - 0.05 * span, y0 + 1.05 * span], label: 'y (m)' },
    title: 'trajectories (odometry frame, first pose shared); loop closures link odometry poses',
  });
  const line = (poses: readonly Pose2[]) => poses.map((p) => [p.x, p.y] as const);
  // On the drifting odometry: after optimisation a closure's two poses coincide, so drawn there a
  // link is a dot; here it spans the drift the closure corrects.
  for (const e of r.edges) {
    const a = r.odometry[e.from];
    const b = r.odometry[e.to];
    addPolyline(plot, [[a.x, a.y], [b.x, b.y]], { colour: COLOURS.closure, width: 1 });
  }
  addPolyline(plot, line(r.truth), { colour: COLOURS.truth, width: 1.5, dash: '5 3' });
  addPolyline(plot, line(r.odometry), { colour: COLOURS.odometry, width: 1.5 });
  addPolyline(plot, line(r.optimized), { colour: COLOURS.optimized, width: 1.5 });
  addLegend(plot, [
    { label: 'ground truth', colour: COLOURS.truth },
    { label: 'drifting odometry', colour: COLOURS.odometry },
    { label: 'optimised (closures)', colour: COLOURS.optimized },
    { label: 'loop closure', colour: COLOURS.closure },
  ]);
  return renderPlot(plot, 'ground truth, odometry and optimised trajectories');
}

export function renderSlamHtml(r: SlamEvalResult, title: string): string {
  const m = r.metrics;
  const f = (v: number, d = 2) => v.toFixed(d);
  const fc = m.falseClosure;
  const rows: [string, string][] = [
    ['keyframes', String(m.keyframes)],
    ['odometry drift', `scale ${f(100 * m.drift.scaleError, 1)}%, heading bias ${f((m.drift.headingBiasPerM * 180) / Math.PI, 3)} deg/m, noise ${m.drift.translationNoise} m/sqrt(m), ${m.drift.headingNoise} rad/sqrt(m)`],
    ['loop closures (false)', `${m.closures.detected} (${m.closures.false})`],
    ['with relative pose', `${m.closures.withRelativePose}; without: ${Object.entries(m.closures.withoutRelativePose).map(([k, v]) => `${v} (${k})`).join(', ') || 'none'}`],
    ...(m.closures.relativePoseError
      ? ([['relative-pose error (median)', `${f(m.closures.relativePoseError.medianM)} m, ${f(m.closures.relativePoseError.medianDeg, 1)} deg; ${f(100 * m.closures.relativePoseError.within3Sigma, 0)}% within 3 sigma`]] as [string, string][])
      : []),
    ['ATE without robust loss', `${f(m.ate.optimizedWithoutRobustLoss)} m`],
    ['optimiser', `Ceres, ${m.optimizer.iterations} iterations, ${m.optimizer.converged ? 'converged' : 'not converged'}, loss ${m.optimizer.loss}`],
    ...(fc
      ? ([['one false closure', `keyframe ${fc.to} "is" keyframe ${fc.from} (${f(fc.trueDistanceM, 0)} m apart); estimator: ${fc.estimator}; ATE with robust loss ${f(fc.ate.robustLoss)} m, without ${f(fc.ate.noRobustLoss)} m`]] as [string, string][])
      : []),
  ];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}th{text-align:left;padding-right:12px;vertical-align:top}</style></head><body>
<h1>${escapeXml(title)}</h1>
<p>Trajectory error (ATE RMSE after rigid alignment): odometry <b>${f(m.ate.odometry)} m</b>, optimised with our loop closures <b>${f(m.ate.optimized)} m</b> (${f(m.ate.ratio)} of the odometry's).</p>
${trajectoryPlot(r)}
<table>${rows.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`).join('')}</table>
</body></html>
`;
}

export async function writeSlamOutputs(outDir: string, r: SlamEvalResult, title: string): Promise<{ metrics: string; report: string }> {
  const metrics = path.join(outDir, SLAM_METRICS_FILE);
  const report = path.join(outDir, SLAM_REPORT_FILE);
  await writeFileAtomic(metrics, JSON.stringify(r.metrics, null, 1) + '\n');
  await writeFileAtomic(report, renderSlamHtml(r, title));
  return { metrics, report };
}
