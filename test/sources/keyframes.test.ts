import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import type { Frame, Pose } from '../../src/core/types.js';
import { KeyframeSelector, keyframeConfigSchema, selectKeyframes } from '../../src/sources/keyframes.js';

const MS = 1_000_000n;

function pose(x: number, y: number, z = 0): Pose {
  return { position: { x, y, z }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
}

function frame(index: number, stampMs: number, p?: Pose, source?: string): Frame {
  return { index, stamp: BigInt(stampMs) * MS, frameId: 'cam', image: { kind: 'file', path: `f${index}.png` }, pose: p, source };
}

/** Indices of the frames the selector keeps. */
function kept(selector: KeyframeSelector, frames: Frame[]): number[] {
  return frames.filter((f) => selector.accept(f)).map((f) => f.index);
}

async function* stream(frames: Frame[]): AsyncGenerator<Frame> {
  yield* frames;
}

describe('keyframe selection', () => {
  it('keeps everything without a rule', () => {
    assert.deepEqual(kept(new KeyframeSelector(), [frame(0, 0), frame(1, 1), frame(2, 1)]), [0, 1, 2]);
  });

  it('keeps frames once minDistanceM (planar) is covered, and none while standing still', () => {
    // Drive 0 -> 2.5 m in 0.5 m steps, stop for 10 s (jitter below 1 cm, z changes ignored), drive on.
    const xs = [0, 0.5, 1, 1.5, 2, 2.5];
    const frames = xs.map((x, i) => frame(i, i * 100, pose(x, 0)));
    for (let i = 0; i < 100; i++) frames.push(frame(6 + i, 600 + i * 100, pose(2.5 + (i % 2) * 0.005, 0, i)));
    frames.push(frame(106, 11000, pose(2.5, 0.6)), frame(107, 11100, pose(2.5, 0.7)), frame(108, 11200, pose(2.5, 1.6)));
    const selector = new KeyframeSelector({ minDistanceM: 1, minPeriodMs: 1000 });
    assert.deepEqual(kept(selector, frames), [0, 2, 4, 108]);
  });

  it('onGrid carries the overshoot over (keyframes nearer minDistanceM apart on average), and a stop still adds none', () => {
    // 0.65 m per frame, spacing 0.9 m: without the carry every second frame (1.3 m apart).
    const frames = Array.from({ length: 10 }, (_, i) => frame(i, i * 100, pose(0.65 * i, 0)));
    assert.deepEqual(kept(new KeyframeSelector({ minDistanceM: 0.9 }), frames), [0, 2, 4, 6, 8]);
    const grid = kept(new KeyframeSelector({ minDistanceM: 0.9, onGrid: true }), frames);
    assert.deepEqual(grid, [0, 2, 3, 5, 6, 8, 9]);
    // 0.975 m apart on average (5.85 m / 6), not 1.3: the carry (capped at 0.45 m) keeps them near the spacing.
    assert.ok((0.65 * grid.at(-1)!) / (grid.length - 1) < 1);
    // The carry is at most half a spacing: standing still (pose noise) after a keyframe adds none.
    const stop = new KeyframeSelector({ minDistanceM: 1, onGrid: true });
    const still = [frame(0, 0, pose(0, 0)), frame(1, 100, pose(1.9, 0)), ...Array.from({ length: 20 }, (_, i) => frame(2 + i, 200 + 100 * i, pose(1.9 + (i % 2) * 0.01, 0)))];
    assert.deepEqual(kept(stop, still), [0, 1]);
  });

  it('measures distance as planar Euclidean', () => {
    const selector = new KeyframeSelector({ minDistanceM: 5 });
    assert.deepEqual(kept(selector, [frame(0, 0, pose(0, 0)), frame(1, 1, pose(3, 3.99)), frame(2, 2, pose(3, 4))]), [0, 2]);
  });

  it('falls back to minPeriodMs for frames without poses', () => {
    const frames = [0, 300, 900, 1000, 1500, 2000, 2999, 3000].map((t, i) => frame(i, t));
    assert.deepEqual(kept(new KeyframeSelector({ minPeriodMs: 1000 }), frames), [0, 3, 5, 7]);
    // minDistanceM alone cannot judge pose-less frames: it keeps them all.
    assert.deepEqual(kept(new KeyframeSelector({ minDistanceM: 1 }), frames.slice(0, 3)), [0, 1, 2]);
    // A posed frame after a pose-less keyframe is judged by time too.
    const mixed = [frame(0, 0), frame(1, 500, pose(0, 0)), frame(2, 1000, pose(0, 0)), frame(3, 1100, pose(0.2, 0)), frame(4, 1200, pose(2, 0))];
    assert.deepEqual(kept(new KeyframeSelector({ minDistanceM: 1, minPeriodMs: 1000 }), mixed), [0, 2, 4]);
  });

  it('starts over when the clock goes backwards', () => {
    const selector = new KeyframeSelector({ minPeriodMs: 1000 });
    assert.deepEqual(kept(selector, [frame(0, 5000), frame(1, 5500), frame(2, 100), frame(3, 600), frame(4, 1100)]), [0, 2, 4]);
  });

  it('reset() makes the next frame a keyframe', () => {
    const selector = new KeyframeSelector({ minPeriodMs: 1000 });
    assert.equal(selector.accept(frame(0, 0)), true);
    assert.equal(selector.accept(frame(1, 10)), false);
    selector.reset();
    assert.equal(selector.accept(frame(2, 20)), true);
  });

  it('rejects invalid configs with the key named', () => {
    assert.throws(() => new KeyframeSelector({ minDistanceM: -1 }), (e: Error) => e instanceof ConfigError && /minDistanceM/.test(e.message));
    assert.throws(() => new KeyframeSelector({ minPeriodMS: 5 } as never), /minPeriodMS/);
    assert.deepEqual(keyframeConfigSchema.parse({ minPeriodMs: 200 }), { minPeriodMs: 200 });
  });

  it('selectKeyframes re-indexes kept frames and keeps the original in source', async () => {
    const frames = [frame(0, 0, undefined, 'a.png'), frame(1, 100), frame(2, 1000), frame(3, 1500, undefined, '/cam#3'), frame(4, 2000)];
    const out: Frame[] = [];
    for await (const f of selectKeyframes(stream(frames), new KeyframeSelector({ minPeriodMs: 1000 }))) out.push(f);
    assert.deepEqual(out.map((f) => [f.index, f.source, f.stamp]), [[0, 'a.png', 0n], [1, '#2', 1000n * MS], [2, '#4', 2000n * MS]]);
    assert.equal(frames[2].index, 2, 'input frames are not modified');
  });
});
