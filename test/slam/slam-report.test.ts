// The SLAM report's trajectory plot: loop closures are drawn where a reader can see them.
import assert from 'node:assert/strict';
import { DEFAULT_DRIFT } from '../../src/slam/drift.js';
import type { SlamEvalResult } from '../../src/slam/slam-eval.js';
import { renderSlamHtml } from '../../src/slam/slam-report.js';

describe('slam report', () => {
  it('draws each loop closure between its two odometry poses (after optimisation they coincide: a link there is a dot)', () => {
    // A square driven twice: the odometry drifts 8 m by the second pass, the optimised poses agree.
    const square = [[0, 0], [20, 0], [20, 20], [0, 20]];
    const truth = [...square, ...square].map(([x, y]) => ({ x, y, yaw: 0 }));
    const odometry = truth.map((p, i) => ({ ...p, x: p.x + (i >= 4 ? 8 : 0) }));
    const result: SlamEvalResult = {
      metrics: {
        keyframes: 8,
        drift: DEFAULT_DRIFT,
        ate: { odometry: 4, optimized: 0.1, optimizedWithoutRobustLoss: 0.1, ratio: 0.025 },
        closures: { detected: 1, false: 0, withRelativePose: 1, withoutRelativePose: {}, relativePoseError: null },
        falseClosure: null,
        optimizer: { iterations: 3, converged: true, initialCost: 1, finalCost: 0, loss: 'cauchy' },
      },
      truth,
      odometry,
      optimized: truth,
      edges: [{ from: 5, to: 1 }],
    };
    const html = renderSlamHtml(result, 't');
    const links = [...html.matchAll(/<polyline points="([^"]+)"[^>]*stroke="#1f77b4"/g)].map((m) => m[1].split(' ').map((p) => p.split(',').map(Number)));
    assert.equal(links.length, 1);
    const [[x1, y1], [x2, y2]] = links[0];
    assert.ok(Math.hypot(x2 - x1, y2 - y1) > 20, `the link is ${Math.hypot(x2 - x1, y2 - y1)} px long`);
  });
});
