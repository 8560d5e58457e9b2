// The node's frame source on its own: topics in, checked keyframes out on frames$.
import assert from 'node:assert/strict';
import { FakeTransport } from '../../src/ros/fake-transport.js';
import { RosFrameSource, type LiveFrame } from '../../src/ros/frame-source.js';
import type { BadInputReason } from '../../src/ros/input.js';
import { NodeStats } from '../../src/ros/node-stats.js';
import { declareNodeParams } from '../../src/ros/params.js';
import { TOPICS } from '../../src/ros/topics.js';
import { HEIGHT, WIDTH, imageMsg, odometryMsg, stampOf } from './helpers.js';

function sourceUnderTest(overrides: Record<string, number | boolean | string> = {}) {
  const port = new FakeTransport({ parameterOverrides: overrides, startTimeNs: stampOf(0) });
  const params = declareNodeParams(port);
  const bad: BadInputReason[] = [];
  const stats = new NodeStats(port.now());
  const source = new RosFrameSource({ port, params: () => params, stats, badInput: (reason) => bad.push(reason) });
  const frames: LiveFrame[] = [];
  source.frames$.subscribe((f) => frames.push(f));
  const send = (i: number) => port.publish(TOPICS.image, imageMsg(stampOf(i), new Uint8Array(WIDTH * HEIGHT)));
  /** Odometry at `stamp`: by default moving 1 m per second along x. */
  const odom = (stamp: bigint, x = Number(stamp - stampOf(0)) / 1e9) =>
    port.publish(TOPICS.odometry, odometryMsg(stamp, { position: { x, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } }));
  return { port, source, frames, bad, send, odom, stats };
}

const MS = 1_000_000n;

describe('RosFrameSource', () => {
  it('emits checked frames in arrival order and skips late ones', () => {
    const { frames, bad, send } = sourceUnderTest();
    send(0);
    send(2);
    send(1); // late (less than CLOCK_JUMP_NS behind): skipped
    send(3);
    assert.deepEqual(
      frames.map((f) => [f.stamp, f.source]),
      [
        [stampOf(0), `/${TOPICS.image}#0`],
        [stampOf(2), `/${TOPICS.image}#1`],
        [stampOf(3), `/${TOPICS.image}#3`],
      ],
    );
    assert.deepEqual(bad, ['out_of_order_stamp']);
  });

  it('passes a clock jump back on once, as a restart of the query window', () => {
    const { source, frames, bad, send } = sourceUnderTest();
    send(100);
    send(0); // 10 s back
    assert.equal(frames.length, 2);
    assert.deepEqual(bad, ['clock_jump_backwards']);
    assert.equal(source.takeRestart(), true);
    assert.equal(source.takeRestart(), false);
  });

  it('thins to keyframes and stops on stop()', () => {
    const { source, frames, send } = sourceUnderTest({ keyframe_period_s: 0.25 });
    for (let i = 0; i < 6; i++) send(i); // 0.1 s apart
    assert.deepEqual(frames.map((f) => f.stamp), [stampOf(0), stampOf(3)]);
    source.stop();
    send(10);
    assert.equal(frames.length, 2);
  });

  describe('with odometry', () => {
    const x = (f: LiveFrame) => f.pose!.position.x;

    it('holds an image until the odometry after its stamp comes, then interpolates (as a replay of the bag)', () => {
      const { port, frames, send, odom, stats } = sourceUnderTest({ use_odometry: true });
      odom(stampOf(0) - 40n * MS);
      odom(stampOf(0) - 20n * MS);
      send(0);
      assert.equal(frames.length, 0, 'its odometry is still on the way');
      port.advance(10);
      odom(stampOf(0) + 20n * MS, -0.02); // the vehicle braked to a stop at -20 ms
      assert.equal(frames.length, 1);
      assert.ok(Math.abs(x(frames[0]) + 0.02) < 1e-9, 'interpolated between the samples around the stamp (carried on it would be 0)');
      assert.equal(stats.odometryLate, 0);
    });

    it('carries the motion on when the odometry is later than odometry_wait_s, and counts it', () => {
      const { port, frames, send, odom, stats } = sourceUnderTest({ use_odometry: true, odometry_wait_s: 0.05 });
      odom(stampOf(0) - 40n * MS);
      odom(stampOf(0) - 20n * MS);
      send(0);
      port.advance(49);
      assert.equal(frames.length, 0);
      port.advance(2);
      assert.equal(frames.length, 1, 'released by the timer');
      assert.ok(Math.abs(x(frames[0])) < 1e-9, 'the last two samples carried on to the stamp');
      assert.equal(stats.odometryLate, 1);
      const context = { mode: 'localize', imageTopic: '/image', mapId: 'm', mapSize: 1, model: 'x', executionProvider: 'cpu', matcher: 'seqslam' };
      const report = stats.report(port.now(), context);
      assert.equal(report.level, 'warn', 'odometry that does not come is a problem to see');
      assert.match(report.message, /1 images without their odometry within odometry_wait_s/);
      assert.ok(Math.abs(Number(report.values['odometry wait (ms)']) - 50) < 2, String(report.values['odometry wait (ms)']));
    });

    it('keeps arrival order and lets the oldest go when more than qos_depth wait', () => {
      const { port, frames, send, odom, stats } = sourceUnderTest({ use_odometry: true, qos_depth: 2 });
      odom(stampOf(0) - 100n * MS);
      odom(stampOf(0) - 50n * MS);
      for (let i = 0; i < 3; i++) send(i); // 0.1 s apart: no odometry reaches any of them
      assert.deepEqual(frames.map((f) => f.stamp), [stampOf(0)], 'the third waiting pushed the first on');
      odom(stampOf(1) + 10n * MS);
      assert.deepEqual(frames.map((f) => f.stamp), [stampOf(0), stampOf(1)], 'the second is reached; the third still waits');
      assert.equal(stats.odometryLate, 1);
      port.advance(100);
      assert.deepEqual(frames.map((f) => f.stamp), [stampOf(0), stampOf(1), stampOf(2)], 'and the third goes on by the timer');
    });

    it('with odometry_wait_s 0, never holds an image', () => {
      const { frames, send, odom } = sourceUnderTest({ use_odometry: true, odometry_wait_s: 0.0 });
      odom(stampOf(0) - 100n * MS);
      odom(stampOf(0) - 50n * MS);
      send(0);
      assert.equal(frames.length, 1);
      assert.ok(Math.abs(x(frames[0])) < 1e-9);
    });

    it('lets the waiting images go before a clock jump back, and drops them on stop()', () => {
      const { source, frames, send, odom } = sourceUnderTest({ use_odometry: true });
      odom(stampOf(99));
      send(100);
      send(0); // 10 s back
      assert.deepEqual(frames.map((f) => f.stamp), [stampOf(100), stampOf(0)], 'the jumped image finds odometry newer than itself: not held');
      assert.equal(source.takeRestart(), true);
      send(1);
      send(2);
      const before = frames.length;
      source.stop();
      odom(stampOf(5));
      assert.equal(frames.length, before, 'nothing after stop()');
    });
  });
});
