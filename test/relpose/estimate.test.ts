import assert from 'node:assert/strict';
import type { Pose } from '../../src/core/types.js';
import { alongTrackSpread } from '../../src/relpose/along-track.js';
import { estimateRelativePose } from '../../src/relpose/estimate.js';
import { compose, fromPose, inverse, rotationAngle, toPose, yawRotation, type Rigid } from '../../src/relpose/rigid.js';
import { planar } from '../support/poses.js';

// A path as a function of arc length s: position and heading (planar, or with a climb).
type Path = (s: number) => Pose;
const straight: Path = (s) => planar(s, 0, 0);
const curved: Path = (s) => {
  const r = 20;
  return planar(r * Math.sin(s / r), r * (1 - Math.cos(s / r)), (s / r) * (180 / Math.PI));
};
const climbing: Path = (s) => {
  // Straight up a 10% slope: pitch about y (nose up = negative pitch in ROS).
  const pitch = -Math.atan(0.1);
  const c = Math.cos(pitch / 2);
  const sn = Math.sin(pitch / 2);
  return { position: { x: s * Math.cos(Math.atan(0.1)), y: 0, z: s * Math.sin(Math.atan(0.1)) }, orientation: { x: 0, y: sn, z: 0, w: c } };
};

/** Seen in another odometry frame: odom = G^-1 * world. */
function inFrame(G: Rigid, p: Pose): Pose {
  return toPose(compose(inverse(G), fromPose(p)));
}

interface Case {
  /** Arc lengths of the map frames and the query frames (true positions on the path). */
  mapS: number[];
  queryS: number[];
  path: Path;
  /** Odometry frame of the query run, relative to the map run's. */
  G: Rigid;
}

/** Pairs each query frame with the nearest map frame (what sequence matching does), anchor = last pair. */
function build(c: Case) {
  const pairs = c.queryS.map((s) => {
    let best = 0;
    c.mapS.forEach((m, k) => {
      if (Math.abs(m - s) < Math.abs(c.mapS[best] - s)) best = k;
    });
    return { query: inFrame(c.G, c.path(s)), map: c.path(c.mapS[best]), trueQuery: c.path(s) };
  });
  const last = pairs[pairs.length - 1];
  const truth = compose(inverse(fromPose(last.map)), fromPose(last.trueQuery));
  return { pairs: pairs.map(({ query, map }) => ({ query, map })), anchor: { query: last.query, map: last.map }, truth };
}

function errors(pose: Pose, truth: Rigid) {
  const e = compose(inverse(truth), fromPose(pose));
  return { position: Math.hypot(...e.t), angle: rotationAngle(e.R) };
}

const range = (from: number, step: number, count: number) => Array.from({ length: count }, (_, i) => from + i * step);
const G2: Rigid = { R: yawRotation(0.7), t: [35, -12, 0] };

describe('relative pose from aligned trajectories', () => {
  const cases: Record<string, Case> = {
    straight: { path: straight, mapS: range(0, 1, 40), queryS: range(10.3, 0.7, 12), G: G2 },
    curved: { path: curved, mapS: range(0, 1, 40), queryS: range(8.2, 1.3, 10), G: G2 },
    // Reversed speed: the query drives on, backs up 3 m (facing the same way), then drives on.
    'reversed speed': { path: straight, mapS: range(0, 1, 40), queryS: [10, 11, 12, 13, 12, 11, 10, 11, 12, 13, 14, 15], G: G2 },
    // A stop: eight frames at one place, then on.
    'a stop': { path: curved, mapS: range(0, 1, 40), queryS: [...range(10, 0.9, 4), ...Array(8).fill(12.7), ...range(13.6, 0.9, 4)], G: G2 },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(`recovers the known offset: ${name}`, () => {
      const { pairs, anchor, truth } = build(c);
      const r = estimateRelativePose({ pairs, anchor, mapSpacingM: 1 });
      assert.ok(r.ok, `failed: ${!r.ok && r.detail}`);
      assert.equal(r.motion, 'planar');
      const e = errors(r.pose, truth);
      assert.ok(e.position < 0.5, `position error ${e.position.toFixed(3)} m`);
      assert.ok(e.angle < (1 * Math.PI) / 180, `heading error ${((e.angle * 180) / Math.PI).toFixed(3)} deg`);
      // The covariance covers the error (3 sigma on x and y).
      const t = fromPose(r.pose).t;
      const tt = truth.t;
      assert.ok(Math.abs(t[0] - tt[0]) <= 3 * Math.sqrt(r.covariance[0]), 'x within 3 sigma');
      assert.ok(Math.abs(t[1] - tt[1]) <= 3 * Math.sqrt(r.covariance[7]), 'y within 3 sigma');
      // The alignment found the odometry frames' offset.
      assert.ok(Math.abs(Math.atan2(r.alignment.R[3], r.alignment.R[0]) - 0.7) < 0.02);
    });
  }

  it('handles 3-D motion (a climb) with a full SE(3) offset', () => {
    const G: Rigid = { R: compose({ R: yawRotation(-1.1), t: [0, 0, 0] }, fromPose({ position: { x: 0, y: 0, z: 0 }, orientation: { x: 0.2, y: 0, z: 0, w: Math.sqrt(1 - 0.04) } })).R, t: [3, 4, 5] };
    const { pairs, anchor, truth } = build({ path: climbing, mapS: range(0, 1, 40), queryS: range(5.4, 0.8, 12), G });
    const r = estimateRelativePose({ pairs, anchor, mapSpacingM: 1 });
    assert.ok(r.ok);
    assert.equal(r.motion, '3d');
    const e = errors(r.pose, truth);
    assert.ok(e.position < 0.5, `position error ${e.position}`);
    assert.ok(e.angle < 0.02, `rotation error ${e.angle}`);
  });

  it('says why when it cannot estimate', () => {
    const { pairs, anchor } = build({ path: straight, mapS: range(0, 1, 40), queryS: range(10, 1, 12), G: G2 });
    const few = estimateRelativePose({ pairs: pairs.slice(0, 2), anchor, mapSpacingM: 1 });
    assert.ok(!few.ok && few.reason === 'too_few_pairs');
    // A false match: the query segment's shape (a curve) cannot be laid onto a straight map segment.
    const bent = build({ path: curved, mapS: range(0, 1, 60), queryS: range(20, 2, 15), G: G2 });
    const wrong = estimateRelativePose({ pairs: bent.pairs.map((p, k) => ({ query: p.query, map: straight(10 + 2 * k) })), anchor: bent.anchor, mapSpacingM: 1, maxResidualRmsM: 1 });
    assert.ok(!wrong.ok && wrong.reason === 'inconsistent_odometry', JSON.stringify(wrong));
  });

  it('fuses image evidence of the lateral offset and heading', () => {
    // The query drove 0.8 m to the left of the map run: positions alone cannot see that.
    const shifted: Path = (s) => planar(s, 0.8, 2);
    const pairs = range(10, 1, 10).map((s) => ({ query: inFrame(G2, shifted(s)), map: straight(s) }));
    const anchor = pairs[pairs.length - 1];
    const blind = estimateRelativePose({ pairs, anchor, mapSpacingM: 1 });
    const seen = estimateRelativePose({ pairs, anchor, mapSpacingM: 1, image: { lateralM: 0.8, lateralStdM: 0.1, yawRad: (2 * Math.PI) / 180, yawStdRad: 0.005 } });
    assert.ok(blind.ok && seen.ok);
    assert.ok(Math.abs(blind.pose.position.y) < 0.1, 'without evidence the lanes look the same');
    assert.ok(Math.abs(seen.pose.position.y - 0.8) < 0.1, `with evidence: y ${seen.pose.position.y}`);
    assert.ok(seen.covariance[7] < blind.covariance[7], 'lateral variance shrinks');
    assert.ok(seen.covariance[35] < blind.covariance[35], 'heading variance shrinks');
  });
});

describe('relative-pose covariance', () => {
  const base = () => build({ path: straight, mapS: range(0, 1, 40), queryS: range(10.3, 0.7, 12), G: G2 });

  it('grows with the along-track ambiguity and the frame spacing', () => {
    const { pairs, anchor } = base();
    const sharp = estimateRelativePose({ pairs, anchor, mapSpacingM: 1, alongTrackStdM: 0 });
    const flat = estimateRelativePose({ pairs, anchor, mapSpacingM: 1, alongTrackStdM: 3 });
    const sparse = estimateRelativePose({ pairs, anchor, mapSpacingM: 4, alongTrackStdM: 0 });
    assert.ok(sharp.ok && flat.ok && sparse.ok);
    // Travel is along x here: the along-track variance is covariance[0].
    assert.ok(flat.covariance[0] > sharp.covariance[0] + 8, `${flat.covariance[0]} vs ${sharp.covariance[0]}`);
    assert.ok(sparse.covariance[0] > sharp.covariance[0], 'wider spacing, larger variance');
    assert.ok(Math.abs(flat.covariance[7] - sharp.covariance[7]) < 1e-9, 'lateral unaffected');
  });

  it('grows with the residuals and with a shorter matched segment', () => {
    const clean = base();
    const noisy = { ...clean, pairs: clean.pairs.map((p, k) => ({ ...p, query: { ...p.query, position: { ...p.query.position, x: p.query.position.x + (k % 2 ? 0.6 : -0.6) } } })) };
    const a = estimateRelativePose({ ...clean, mapSpacingM: 1 });
    const b = estimateRelativePose({ ...noisy, mapSpacingM: 1 });
    assert.ok(a.ok && b.ok);
    assert.ok(b.covariance[0] > a.covariance[0], 'noisier pairs, larger along-track variance');
    const short = estimateRelativePose({ pairs: clean.pairs.slice(-3), anchor: clean.anchor, mapSpacingM: 1 });
    assert.ok(short.ok);
    assert.ok(short.covariance[35] > a.covariance[35], 'three pairs pin the heading less than twelve');
  });

  it('along-track spread: zero for a sharp valley, large for a flat one', () => {
    const shifts = [-3, -2, -1, 0, 1, 2, 3];
    const sharp = alongTrackSpread({ shifts, costs: [0.9, 0.8, 0.6, 0.2, 0.6, 0.8, 0.9], costStdErr: 0.02 });
    const flat = alongTrackSpread({ shifts, costs: [0.21, 0.2, 0.2, 0.2, 0.2, 0.2, 0.21], costStdErr: 0.02 });
    assert.ok(sharp < 0.01, `sharp ${sharp}`);
    assert.ok(flat > 1.5, `flat ${flat}`);
  });
});
