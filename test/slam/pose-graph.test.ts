import assert from 'node:assert/strict';
import { CERES_INSTALL_HINT, PoseGraphError, ceresInstalled, ensurePoseGraphTool, graphToText, optimizePoseGraph, parsePoses, poseGraphBinary, type GraphEdge, type Pose2 } from '../../src/slam/pose-graph.js';
import { existsSync } from 'node:fs';

const cov = (sxy: number, syaw: number) => [sxy * sxy, 0, 0, 0, sxy * sxy, 0, 0, 0, syaw * syaw];
const edge = (kind: GraphEdge['kind'], from: number, to: number, x: number, y: number, yaw: number, c = cov(0.1, 0.01)): GraphEdge => ({ kind, from, to, delta: { x, y, yaw }, covariance: c });
const poses = (list: Pose2[]) => new Map(list.map((p, i) => [i, p]));

describe('pose-graph optimiser availability', () => {
  it('without the program and without Ceres, says in one line how to install it', async () => {
    await assert.rejects(ensurePoseGraphTool(() => {}, { binary: '/nonexistent/seqvpr-pose-graph', ceres: () => false }), (e: unknown) => {
      assert.ok(e instanceof PoseGraphError);
      assert.equal(e.message, CERES_INSTALL_HINT);
      assert.ok(!e.message.includes('\n') && /apt-get install libceres-dev/.test(e.message));
      return true;
    });
  });
});

describe('pose-graph optimiser (tools/pose-graph, Ceres)', function () {
  this.timeout(180_000);
  before(async function () {
    if (!existsSync(poseGraphBinary()) && !ceresInstalled()) {
      console.log('    skipped: Ceres is not installed (apt-get install libceres-dev) and tools/pose-graph is not built');
      this.skip();
    }
    await ensurePoseGraphTool();
  });

  it('writes and reads the text format', () => {
    const text = graphToText({ poses: poses([{ x: 0, y: 0, yaw: 0 }, { x: 1, y: 2, yaw: 0.5 }]), edges: [edge('odom', 0, 1, 1, 2, 0.5)] });
    assert.match(text, /^POSE 0 0\.0+ 0\.0+ 0\.0+$/m);
    assert.match(text, /^EDGE odom 0 1 1\.0+ 2\.0+ 0\.50+ 0\.0100+ 0\.0+ 0\.0+ 0\.0100+ 0\.0+ 0\.000100+$/m);
    assert.deepEqual(parsePoses('POSE 3 1 2 0.25\n# x\n'), new Map([[3, { x: 1, y: 2, yaw: 0.25 }]]));
  });

  it('solves a tiny graph with a known least-squares answer', async () => {
    // Odometry says 1 m, 1 m; a closure says pose 2 is 2.2 m from pose 0; equal weights.
    // Normal equations: 2 x1 - x2 = 0, 2 x2 - x1 = 3.2  =>  x1 = 3.2/3, x2 = 6.4/3.
    const r = await optimizePoseGraph(
      { poses: poses([{ x: 0, y: 0, yaw: 0 }, { x: 1, y: 0, yaw: 0 }, { x: 2, y: 0, yaw: 0 }]), edges: [edge('odom', 0, 1, 1, 0, 0), edge('odom', 1, 2, 1, 0, 0), edge('loop', 0, 2, 2.2, 0, 0)] },
      { loss: 'none' },
    );
    assert.ok(r.converged);
    assert.ok(Math.abs(r.poses.get(1)!.x - 3.2 / 3) < 1e-6, `x1 ${r.poses.get(1)!.x}`);
    assert.ok(Math.abs(r.poses.get(2)!.x - 6.4 / 3) < 1e-6, `x2 ${r.poses.get(2)!.x}`);
    assert.equal(r.poses.get(0)!.x, 0, 'the first pose is the fixed gauge');
    assert.ok(r.finalCost < r.initialCost);
  });

  it('closes a square whose odometry drifted in heading', async () => {
    // True square of side 10 m, turning left 90 degrees at each corner; odometry over-turns by
    // 0.05 rad per corner. The closure (pose 4 = pose 0) pulls it back.
    const odom: GraphEdge[] = [];
    const init: Pose2[] = [{ x: 0, y: 0, yaw: 0 }];
    for (let k = 0; k < 4; k++) {
      odom.push(edge('odom', k, k + 1, 10, 0, Math.PI / 2 + 0.05, cov(0.1, 0.05)));
      const p = init[k];
      init.push({ x: p.x + 10 * Math.cos(p.yaw), y: p.y + 10 * Math.sin(p.yaw), yaw: p.yaw + Math.PI / 2 + 0.05 });
    }
    const before = Math.hypot(init[4].x, init[4].y);
    const r = await optimizePoseGraph({ poses: poses(init), edges: [...odom, edge('loop', 0, 4, 0, 0, 0, cov(0.05, 0.01))] }, { loss: 'none' });
    const end = r.poses.get(4)!;
    assert.ok(before > 1, `drift before ${before}`);
    assert.ok(Math.hypot(end.x, end.y) < 0.2, `end after ${end.x}, ${end.y}`);
    // The corners land near the true square.
    const corner2 = r.poses.get(2)!;
    assert.ok(Math.hypot(corner2.x - 10, corner2.y - 10) < 1, `corner 2 at ${corner2.x}, ${corner2.y}`);
  });

  it('a robust loss limits what a false closure does', async () => {
    // Eleven poses 1 m apart on a line; a true closure 0->10 and a false one claiming 2 == 8.
    const init = Array.from({ length: 11 }, (_, i) => ({ x: i, y: 0, yaw: 0 }));
    const edges = [
      ...init.slice(1).map((_, i) => edge('odom', i, i + 1, 1, 0, 0, cov(0.05, 0.01))),
      edge('loop', 0, 10, 10, 0, 0, cov(0.05, 0.01)),
      edge('loop', 2, 8, 0, 0, 0, cov(0.05, 0.01)),
    ];
    const err = (p: Map<number, Pose2>) => Math.sqrt([...p].reduce((s, [i, q]) => s + (q.x - i) ** 2 + q.y ** 2, 0) / p.size);
    const plain = await optimizePoseGraph({ poses: poses(init), edges }, { loss: 'none' });
    const robust = await optimizePoseGraph({ poses: poses(init), edges }, { loss: 'cauchy' });
    assert.ok(err(plain.poses) > 1, `without a robust loss the false closure bends the line (${err(plain.poses)})`);
    assert.ok(err(robust.poses) < err(plain.poses) / 3, `robust ${err(robust.poses)} vs plain ${err(plain.poses)}`);
  });

  it('refuses a bad graph with a clear error', async () => {
    await assert.rejects(optimizePoseGraph({ poses: poses([{ x: 0, y: 0, yaw: 0 }]), edges: [edge('odom', 0, 5, 1, 0, 0)] }), /unknown pose/);
    await assert.rejects(optimizePoseGraph({ poses: poses([{ x: 0, y: 0, yaw: 0 }, { x: 1, y: 0, yaw: 0 }]), edges: [edge('odom', 0, 1, 1, 0, 0, [1, 0, 0, 0, -1, 0, 0, 0, 1])] }), /positive definite/);
  });
});
