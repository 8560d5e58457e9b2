// The node's small parts on hand-made cases: stamp order, odometry buffer, rate-limited log, pose
// covariance, the fake transport's state machine and clock.
import assert from 'node:assert/strict';
import { FakeTransport } from '../../src/ros/fake-transport.js';
import { NodeStats } from '../../src/ros/node-stats.js';
import { StampGuard } from '../../src/ros/input.js';
import { OdometryBuffer } from '../../src/ros/odometry-buffer.js';
import { poseCovariance } from '../../src/ros/pose-covariance.js';
import { ThrottledLog } from '../../src/ros/throttled-log.js';
import { typeDescriptor } from '../../src/ros/rclnodejs-adapter.js';

const at = (x: number) => ({ position: { x, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } });
const S = 1_000_000_000n;

describe('seqvpr_node parts', () => {
  it('NodeStats: reports each stage the frames went through by its name (re-ranking: rerank, patches), per period', () => {
    const stats = new NodeStats(0n);
    const context = { mode: 'localize', imageTopic: 'image', mapId: 'm', mapSize: 1, model: 'x', executionProvider: 'cpu', matcher: 'seqslam' };
    stats.processedFrame({ decode: 1, encode: 3, retrieve: 2, match: 1, rerank: 4, total: 11 });
    stats.processedFrame({ decode: 1, encode: 3, retrieve: 2, match: 1, patches: 5, rerank: 6, total: 18 });
    const { values } = stats.report(S, context);
    assert.equal(values['frames processed'], 2);
    assert.ok(Math.abs(Number(values['stage rerank p95 (ms)']) - 6) <= 6 * 0.05, 'p95 of 4 and 6 ms (histogram buckets are 5% wide)');
    assert.ok(Math.abs(Number(values['stage patches p50 (ms)']) - 5) <= 5 * 0.05);
    assert.ok(Math.abs(Number(values['latency p95 (ms)']) - 18) <= 18 * 0.05);
    assert.equal(values['stage total p50 (ms)'], undefined, 'the total is the latency line');
    assert.equal(values['stage sequence p50 (ms)'], undefined, 'stages that did not run are left out');
    // A new period: no frames, no stage lines.
    assert.equal(Object.keys(stats.report(2n * S, context).values).some((k) => k.startsWith('stage ')), false);
  });

  it('StampGuard: increasing is in order, a little back is out of order, far back is a clock jump', () => {
    const g = new StampGuard(S);
    assert.deepEqual([10n * S, 11n * S, 11n * S, 11n * S - S / 2n, 12n * S].map((s) => g.check(s)), ['in_order', 'in_order', 'out_of_order', 'out_of_order', 'in_order']);
    assert.equal(g.check(5n * S), 'jumped_back');
    assert.equal(g.check(5n * S + 1n), 'in_order', 'the jump is the new reference');
  });

  it('OdometryBuffer: interpolates, keeps only the recent span, restarts when the clock goes back', () => {
    const b = new OdometryBuffer({ keepNs: 2n * S, maxSamples: 100 });
    for (let i = 0; i <= 10; i++) b.add(BigInt(i) * S, at(i));
    assert.equal(b.size, 3, 'samples older than 2 s behind the newest are gone');
    assert.equal(b.poseAt(9n * S + S / 4n)!.position.x, 9.25);
    assert.equal(b.poseAt(3n * S), undefined, 'dropped samples give no pose');
    assert.equal(b.poseAt(10n * S + S / 10n)!.position.x, 10.1, 'an image ahead of the odometry: the motion carried on');
    b.add(9n * S + S / 2n, at(100)); // late sample, inserted in order
    assert.equal(b.poseAt(9n * S + S / 2n)!.position.x, 100);
    b.add(1n * S, at(-1)); // 9 s back: the clock restarted
    assert.equal(b.size, 1);
    assert.equal(b.poseAt(1n * S)!.position.x, -1);
    const capped = new OdometryBuffer({ keepNs: 100n * S, maxSamples: 4 });
    for (let i = 0; i < 10; i++) capped.add(BigInt(i) * S, at(i));
    assert.equal(capped.size, 4);
  });

  it('ThrottledLog: once per period per key, then says how many were left out', () => {
    const lines: string[] = [];
    let now = 0n;
    const log = new ThrottledLog({ info() {}, warn: (m) => lines.push(m), error() {} }, () => now, () => 5);
    log.warn('a', 'A');
    log.warn('a', 'A');
    log.warn('b', 'B');
    now = 4n * S;
    log.warn('a', 'A');
    now = 5n * S;
    log.warn('a', 'A');
    assert.deepEqual(lines, ['A', 'B', 'A (2 more since the last report)']);
  });

  it('poseCovariance: diagonal, sigma = scale / confidence, orientation capped at pi', () => {
    const c = poseCovariance(0.25, 1);
    assert.deepEqual([c[0], c[7], c[14]], [16, 16, 16]);
    assert.equal(c[21], 1, '(0.25 rad / 0.25)^2');
    assert.equal(c.filter((v, i) => i % 7 !== 0 && v !== 0).length, 0);
    assert.equal(poseCovariance(0, 1)[0], 10000, 'confidence floored at 0.01');
    assert.equal(poseCovariance(0.01, 1)[35], Math.PI ** 2);
  });

  it('typeDescriptor splits ROS type names and refuses others', () => {
    assert.deepEqual(typeDescriptor('seqvpr/msg/PlaceMatch'), { package: 'seqvpr', type: 'msg', name: 'PlaceMatch' });
    assert.throws(() => typeDescriptor('sensor_msgs/Image'), /package\/msg\|srv\/Name/);
  });

  it('FakeTransport: lifecycle state machine, timers on the settable clock, destroyed publishers refuse', async () => {
    const port = new FakeTransport();
    const calls: string[] = [];
    let failActivate = true;
    port.setLifecycleHooks({
      onConfigure: async () => void calls.push('configure'),
      onActivate: async () => {
        calls.push('activate');
        if (failActivate) throw new Error('camera missing');
      },
      onDeactivate: async () => void calls.push('deactivate'),
      onCleanup: async () => void calls.push('cleanup'),
      onShutdown: async (from) => void calls.push(`shutdown from ${from}`),
    });
    assert.equal(await port.transition('deactivate'), false);
    assert.equal(await port.transition('configure'), true);
    assert.equal(await port.transition('activate'), false, 'a failing hook fails the transition');
    assert.equal(port.lifecycleState, 'inactive');
    failActivate = false;
    assert.equal(await port.transition('activate'), true);
    assert.equal(await port.transition('shutdown'), true);
    assert.equal(port.lifecycleState, 'finalized');
    assert.deepEqual(calls, ['configure', 'activate', 'activate', 'shutdown from active']);

    const ticks: bigint[] = [];
    const timer = port.createTimer(250, () => ticks.push(port.now()));
    port.advance(1000);
    assert.deepEqual(ticks, [250_000_000n, 500_000_000n, 750_000_000n, 1_000_000_000n]);
    timer.cancel();
    port.advance(1000);
    assert.equal(ticks.length, 4);

    const pub = port.createPublisher('std_msgs/msg/String', 'chatter', { reliability: 'reliable', durability: 'volatile', depth: 1 });
    pub.publish({ data: 'x' });
    pub.destroy();
    assert.throws(() => pub.publish({ data: 'y' }), /destroyed/);
    assert.deepEqual(port.messages('chatter'), [{ data: 'x' }]);
  });
});
