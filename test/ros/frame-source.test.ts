// The node's frame source on its own: topics in, checked keyframes out on frames$.
import assert from 'node:assert/strict';
import { FakeTransport } from '../../src/ros/fake-transport.js';
import { RosFrameSource, type LiveFrame } from '../../src/ros/frame-source.js';
import type { BadInputReason } from '../../src/ros/input.js';
import { NodeStats } from '../../src/ros/node-stats.js';
import { declareNodeParams } from '../../src/ros/params.js';
import { TOPICS } from '../../src/ros/topics.js';
import { HEIGHT, WIDTH, imageMsg, stampOf } from './helpers.js';

function sourceUnderTest(overrides: Record<string, number | boolean | string> = {}) {
  const port = new FakeTransport({ parameterOverrides: overrides, startTimeNs: stampOf(0) });
  const params = declareNodeParams(port);
  const bad: BadInputReason[] = [];
  const source = new RosFrameSource({ port, params: () => params, stats: new NodeStats(port.now()), badInput: (reason) => bad.push(reason) });
  const frames: LiveFrame[] = [];
  source.frames$.subscribe((f) => frames.push(f));
  const send = (i: number) => port.publish(TOPICS.image, imageMsg(stampOf(i), new Uint8Array(WIDTH * HEIGHT)));
  return { source, frames, bad, send };
}

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
});
