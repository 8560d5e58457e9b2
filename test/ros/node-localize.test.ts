// seqvpr_node in localize mode on the fake transport, with the real pipeline: lifecycle, raw and
// compressed images in, place matches and poses out (every message serialised as its ROS type),
// diagnostics, overload, bad input, services and run-time parameters.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { stampToNs } from '../../src/bag/stamp.js';
import { loadMap } from '../../src/map/load-map.js';
import { SENSOR_DATA_QOS } from '../../src/ros/port.js';
import { poseCovariance } from '../../src/ros/pose-covariance.js';
import {
  PERIOD_NS,
  T0,
  compressedMsg,
  finishNode,
  imageMsg,
  nodeUnderTest,
  odometryMsg,
  placePose,
  savedMapFixture,
  stampOf,
  type NodeUnderTest,
  type PlaceImage,
} from './helpers.js';

const PLACES = 40;
/** Query frames needed before the 5-frame window is full. */
const WINDOW = 5;

type Msg = Record<string, any>;

describe('seqvpr_node, localize mode (fake transport, real pipeline)', () => {
  let dir: string;
  let configFile: string;
  let mapDir: string;
  let images: PlaceImage[];
  let t: NodeUnderTest | undefined;

  before(async () => {
    ({ dir, configFile, mapDir, images } = await savedMapFixture('seqvpr-node-', PLACES));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await finishNode(t);
    t = undefined;
  });

  const start = async (overrides: Record<string, any> = {}, rosArgs: string[] = []) => {
    t = await nodeUnderTest({ map_path: mapDir, config_file: configFile, ...overrides }, rosArgs);
    return t;
  };

  /** Publishes query place i as a raw mono8 Image stamped stampOf(i) and waits until it is processed. */
  const feedRaw = async (i: number, place = i) => {
    t!.port.publish('image', imageMsg(stampOf(i), images[place].mono8));
    await t!.node.whenIdle();
  };

  it('matches raw images against the map and publishes place matches and poses stamped like the input', async () => {
    const { port, node } = await start({ min_confidence: 0.0 });
    assert.equal(await node.start(), true, 'autostart configures and activates');
    assert.equal(port.lifecycleState, 'active');
    assert.deepEqual(port.subscriptionsOn('image'), [{ type: 'sensor_msgs/msg/Image', qos: { ...SENSOR_DATA_QOS } }], 'sensor-data QoS by default');
    for (let i = 0; i < PLACES; i++) await feedRaw(i);

    const matches = port.messages('~/place_match') as Msg[];
    assert.equal(matches.length, PLACES, 'one place match per frame');
    let correct = 0;
    for (const [i, m] of matches.entries()) {
      assert.equal(stampToNs(m.header.stamp), stampOf(i), 'output stamp = input stamp');
      assert.equal(m.header.frame_id, 'camera_optical');
      assert.equal(m.map_id, mapDir);
      assert.equal(m.map_size, PLACES);
      assert.equal(m.query_index, i);
      assert.equal(m.candidates[0].map_index, m.map_index);
      assert.equal(m.correspondences.at(-1).map_index, m.map_index);
      assert.equal(m.has_pose, true);
      assert.equal(m.map_pose.position.x, 2 * m.map_index);
      if (i >= WINDOW - 1 && Math.abs(m.map_index - i) <= 1) correct++;
    }
    assert.ok(correct >= PLACES - WINDOW + 1 - 2, `full-window matches within one place of the truth: ${correct}`);

    const poses = port.messages('~/pose') as Msg[];
    assert.equal(poses.length, PLACES, 'min_confidence 0: a pose for every match');
    for (const [i, p] of poses.entries()) {
      const m = matches[i];
      assert.equal(p.header.frame_id, 'map');
      assert.equal(stampToNs(p.header.stamp), stampOf(i));
      assert.equal(p.pose.pose.position.x, 2 * m.map_index, 'the pose of the matched map frame');
      assert.deepEqual(p.pose.covariance, poseCovariance(m.confidence, 1.0));
    }
    assert.equal(node.badInputCount('processing_error'), 0);
  });

  it('with odometry, publishes the frames the motion gate holds back (a stop) with held=true and counts them in /diagnostics', async () => {
    const { port, node } = await start({ min_confidence: 0.0, use_odometry: true, diagnostics_period_s: 1.0 });
    assert.equal(await node.start(), true);
    // Places 0..11 at the map's spacing (2 m), standing at place 6 for three more frames.
    const STOP = 6;
    const route = [...Array.from({ length: STOP + 1 }, (_, p) => p), STOP, STOP, STOP, ...Array.from({ length: 5 }, (_, k) => STOP + 1 + k)];
    for (const [i, place] of route.entries()) {
      port.publish('odom', odometryMsg(stampOf(i) - 50_000_000n, placePose(place)));
      port.publish('odom', odometryMsg(stampOf(i) + 50_000_000n, placePose(place)));
      t!.port.publish('image', imageMsg(stampOf(i), images[place].mono8));
      await node.whenIdle();
    }
    const matches = port.messages('~/place_match') as Msg[];
    assert.equal(matches.length, route.length);
    const held = matches.map((m) => m.held);
    assert.deepEqual(held.slice(STOP + 1, STOP + 4), [true, true, true], 'the stop is held');
    assert.ok(held.slice(0, STOP + 1).every((h) => h === false), 'frames a spacing apart are matched');
    assert.ok(held.slice(STOP + 4).every((h) => h === false));
    for (const i of [STOP + 1, STOP + 2, STOP + 3]) {
      assert.equal(matches[i].map_index, matches[STOP].map_index, "a held frame repeats the window's answer");
      assert.equal(matches[i].query_index, i);
    }
    port.advance(1000);
    const [diag] = port.messages('/diagnostics') as Msg[];
    const value = (key: string) => diag.status[0].values.find((v: Msg) => v.key === key)?.value;
    assert.equal(value('place matches'), String(route.length));
    assert.equal(value('place matches held (motion gate)'), '3');
  });

  it('publishes ~/pose only at or above min_confidence, with a covariance that grows as confidence falls', async () => {
    const { port, node } = await start({ min_confidence: 0.15 });
    await node.start();
    for (let i = 0; i < PLACES; i++) await feedRaw(i);
    const matches = port.messages('~/place_match') as Msg[];
    const confident = matches.filter((m) => m.confidence >= 0.15);
    const poses = port.messages('~/pose') as Msg[];
    assert.ok(confident.length > 0 && confident.length < matches.length, `some but not all matches are confident (${confident.length})`);
    assert.deepEqual(poses.map((p) => p.header.stamp), confident.map((m) => m.header.stamp));
    const c = poseCovariance(0.5, 2);
    assert.equal(c[0], 16, 'sigma = scale / confidence = 4 m');
    assert.ok(poseCovariance(0.2, 2)[0] > c[0] && poseCovariance(0.2, 2)[35] > c[35]);
    assert.equal(c[1], 0, 'no correlations');
  });

  it('decodes CompressedImage (PNG and JPEG) when image_transport is compressed', async () => {
    const { port, node } = await start({ image_transport: 'compressed', min_confidence: 0.0 });
    await node.start();
    assert.equal(port.subscriptionsOn('image').length, 0);
    assert.equal(port.subscriptionsOn('image/compressed')[0].type, 'sensor_msgs/msg/CompressedImage');
    for (let i = 0; i < 12; i++) {
      const data = i % 2 ? images[i].jpeg : images[i].png;
      port.publish('image/compressed', compressedMsg(stampOf(i), data, i % 2 ? 'jpeg' : 'png'));
      await node.whenIdle();
    }
    const matches = port.messages('~/place_match') as Msg[];
    assert.equal(matches.length, 12);
    assert.ok(matches.slice(WINDOW).every((m, k) => Math.abs(m.map_index - (k + WINDOW)) <= 1), 'PNG and JPEG frames localise alike');
  });

  it('follows the lifecycle: nothing before activate, nothing after deactivate, released by cleanup', async () => {
    const { port, node } = await start({ autostart: false });
    assert.equal(await node.start(), true);
    assert.equal(port.lifecycleState, 'unconfigured', 'autostart false: waits for a lifecycle manager');
    assert.equal(port.publish('image', imageMsg(stampOf(0), images[0].mono8)), 0, 'no subscription while unconfigured');
    assert.equal(await port.transition('activate'), false, 'activate needs configure first');

    assert.equal(await port.transition('configure'), true);
    assert.equal(node.map?.size, PLACES);
    assert.ok(port.publisherOn('~/place_match') && port.publisherOn('~/pose') && port.publisherOn('/diagnostics'));
    assert.equal(port.publisherOn('~/loop_closure'), undefined, 'localize publishes no loop closures');
    assert.equal(port.publish('image', imageMsg(stampOf(0), images[0].mono8)), 0, 'inactive: not subscribed');
    port.advance(5000);
    assert.equal(port.messages('/diagnostics').length, 0, 'no diagnostics while inactive');

    assert.equal(await port.transition('activate'), true);
    for (let i = 0; i < 3; i++) await feedRaw(i);
    assert.equal(port.messages('~/place_match').length, 3);

    assert.equal(await port.transition('deactivate'), true);
    port.clearMessages();
    assert.equal(port.publish('image', imageMsg(stampOf(3), images[3].mono8)), 0);
    port.advance(5000);
    await node.whenIdle();
    assert.deepEqual([port.messages('~/place_match').length, port.messages('/diagnostics').length], [0, 0], 'silent after deactivate');

    assert.equal(await port.transition('cleanup'), true);
    assert.equal(node.map, undefined);
    assert.equal(port.publisherOn('~/place_match'), undefined, 'publishers released');
    // Configure again: the node comes back.
    assert.equal(await port.transition('configure'), true);
    assert.equal(await port.transition('activate'), true);
    await feedRaw(4);
    assert.equal(port.messages('~/place_match').length, 1);
  });

  it('a frame in flight when the node deactivates publishes nothing', async () => {
    const { port, node } = await start({});
    await node.start();
    port.publish('image', imageMsg(stampOf(0), images[0].mono8));
    const deactivated = port.transition('deactivate');
    await node.whenIdle();
    assert.equal(await deactivated, true);
    assert.equal(port.messages('~/place_match').length, 0);
  });

  it('fails configure with a clear message when localize has no map, and stays unconfigured', async () => {
    const { port, node } = await start({ map_path: '', autostart: true });
    assert.equal(await node.start(), false);
    assert.equal(port.lifecycleState, 'unconfigured');
    assert.ok(port.logsMatching(/mode localize needs map_path/).length === 1);
    const missing = await start({ map_path: path.join(dir, 'no-such-map') });
    assert.equal(await missing.node.start(), false);
    assert.equal(missing.port.lifecycleState, 'unconfigured');
    assert.ok(missing.port.logsMatching(/configure failed/).length === 1);
  });

  it('under overload keeps the newest frame, counts the drops and reports them in /diagnostics', async () => {
    const { port, node } = await start({ diagnostics_period_s: 1.0 });
    await node.start();
    for (let i = 0; i < 50; i++) port.publish('image', imageMsg(stampOf(i), images[i % PLACES].mono8));
    await node.whenIdle();
    const matches = port.messages('~/place_match') as Msg[];
    assert.equal(matches.length, 2, 'the first frame and the newest one waiting are processed');
    assert.equal(stampToNs(matches[1].header.stamp), stampOf(49), 'the newest frame wins');
    port.advance(1000);
    const [diag] = port.messages('/diagnostics') as Msg[];
    const status = diag.status[0];
    const value = (key: string) => status.values.find((v: Msg) => v.key === key)?.value;
    assert.equal(status.level, 1, 'WARN while frames are dropped');
    assert.match(status.message, /48 frames dropped/);
    assert.equal(value('frames received'), '50');
    assert.equal(value('frames processed'), '2');
    assert.equal(value('frames dropped (overload)'), '48');
    assert.equal(value('input rate (Hz)'), '50', '50 frames in the 1 s period');
    assert.equal(value('map size'), String(PLACES));
    assert.equal(value('model'), node.map!.info.encoder.id);
    assert.equal(value('execution provider'), 'js');
    assert.ok(Number(value('latency p95 (ms)')) >= Number(value('latency p50 (ms)')));
    assert.ok(Number(value('stage match p95 (ms)')) >= 0 && value('stage rerank p95 (ms)') === undefined, 'per-stage times, by the stages that ran');
    assert.equal(status.hardware_id, '/seqvpr_node');
    // The next period: nothing new arrived.
    port.advance(1000);
    const next = (port.messages('/diagnostics') as Msg[])[1].status[0];
    assert.equal(next.level, 1);
    assert.match(next.message, /no images on \/image$/, 'the name on the graph');
  });

  it('names its topics as remapped on the graph in the log and /diagnostics (seen on Jazzy: "no images on image/compressed" under a remap)', async () => {
    const remaps = ['-r', 'image/compressed:=/camera/image_raw/compressed', '-r', 'odom:=/robot/odom', '-r', 'other_node:image:=/wrong'];
    const { port, node } = await start({ image_transport: 'compressed', use_odometry: true }, remaps);
    await node.start();
    assert.equal(port.logsMatching(/^active: listening on/)[0]?.message, 'active: listening on /camera/image_raw/compressed (sensor_msgs/msg/CompressedImage) and /robot/odom');
    port.advance(1000);
    const status = (port.messages('/diagnostics') as Msg[])[0].status[0];
    assert.equal(status.values.find((v: Msg) => v.key === 'image topic')?.value, '/camera/image_raw/compressed');
    assert.equal(status.message, 'no images on /camera/image_raw/compressed');
  });

  it('counts every kind of bad input, logs each kind once per log_throttle_s, and keeps working', async () => {
    const { port, node } = await start({ log_throttle_s: 10.0, image_transport: 'raw' });
    await node.start();
    const good = (i: number) => port.publish('image', imageMsg(stampOf(i), images[i].mono8));
    good(0);
    await node.whenIdle();
    port.publish('image', imageMsg(stampOf(1), images[1].mono8, { encoding: '32FC1' }));
    port.publish('image', imageMsg(stampOf(2), images[2].mono8, { encoding: 'bayer_rggb16' }));
    port.publish('image', imageMsg(stampOf(3), new Uint8Array(0), { width: 0, height: 0, step: 0 }));
    port.publish('image', imageMsg(stampOf(4), images[4].mono8.subarray(0, 100)));
    port.publish('image', imageMsg(stampOf(0) - 50_000_000n, images[0].mono8)); // 50 ms before the last frame
    await node.whenIdle();
    good(5);
    await node.whenIdle();
    assert.equal(node.badInputCount('unsupported_encoding'), 2);
    assert.equal(node.badInputCount('empty_image'), 1);
    assert.equal(node.badInputCount('malformed_message'), 1);
    assert.equal(node.badInputCount('out_of_order_stamp'), 1);
    assert.equal(port.logsMatching(/unsupported_encoding/).length, 1, 'the second unsupported encoding is not logged again');
    assert.match(port.logsMatching(/unsupported_encoding/)[0].message, /"32FC1" is not supported; publish one of rgb8/);
    port.advance(11_000);
    port.publish('image', imageMsg(stampOf(6), images[6].mono8, { encoding: '32FC1' }));
    const again = port.logsMatching(/unsupported_encoding/);
    assert.equal(again.length, 2, 'logged again after log_throttle_s');
    assert.match(again[1].message, /1 more since the last report/);
    assert.equal(port.messages('~/place_match').length, 2, 'good frames before and after are processed');
  });

  it('skips a corrupt JPEG (counted as corrupt_image) and an image that is neither PNG nor JPEG', async () => {
    const { port, node } = await start({ image_transport: 'compressed' });
    await node.start();
    const corrupt = images[1].jpeg.slice(0, 200);
    port.publish('image/compressed', compressedMsg(stampOf(0), images[0].jpeg, 'jpeg'));
    await node.whenIdle();
    port.publish('image/compressed', compressedMsg(stampOf(1), corrupt, 'jpeg'));
    await node.whenIdle();
    port.publish('image/compressed', compressedMsg(stampOf(2), new TextEncoder().encode('not an image'), 'jpeg'));
    port.publish('image/compressed', compressedMsg(stampOf(3), new Uint8Array(0), 'jpeg'));
    port.publish('image/compressed', compressedMsg(stampOf(4), images[4].jpeg, 'jpeg'));
    await node.whenIdle();
    assert.equal(node.badInputCount('corrupt_image'), 1);
    assert.equal(node.badInputCount('unsupported_encoding'), 1);
    assert.equal(node.badInputCount('empty_image'), 1);
    assert.equal(port.messages('~/place_match').length, 2);
  });

  it('restarts the query window when stamps jump back (clock reset) and goes on matching', async () => {
    const { port, node } = await start({ min_confidence: 0.0 });
    await node.start();
    for (let i = 0; i < 10; i++) await feedRaw(i);
    // The clock restarts 1000 s earlier (a bag played again): the frames are processed, not skipped.
    const back = T0 - 1000n * 1_000_000_000n;
    for (let i = 0; i < 10; i++) {
      port.publish('image', imageMsg(back + BigInt(i) * PERIOD_NS, images[20 + i].mono8));
      await node.whenIdle();
    }
    assert.equal(node.badInputCount('clock_jump_backwards'), 1);
    assert.equal(node.badInputCount('out_of_order_stamp'), 0);
    const after = (port.messages('~/place_match') as Msg[]).slice(10);
    assert.equal(after.length, 10);
    assert.equal(after[0].correspondences.length, 1, 'the window restarted: one frame in it');
    assert.ok(after.slice(WINDOW).every((m, k) => Math.abs(m.map_index - (20 + WINDOW + k)) <= 1), 'and it localises again');
  });

  it('save_map writes the map; load_map switches maps, or keeps the old one with a reason', async () => {
    const { port, node } = await start({ save_map_path: path.join(dir, 'saved-copy'), min_confidence: 0.0 });
    assert.deepEqual(await port.callService('~/save_map', {}), { success: false, message: 'the node is not configured: configure it first (it has no map)' });
    await node.start();
    const saved = await port.callService('~/save_map', {});
    assert.equal(saved.success, true, String(saved.message));
    assert.equal((await loadMap(path.join(dir, 'saved-copy'))).size, PLACES);

    const bad = await port.callService('~/load_map', { map_path: path.join(dir, 'nowhere') });
    assert.equal(bad.success, false);
    assert.match(String(bad.message), /kept the previous map/);
    await feedRaw(0);
    assert.equal((port.messages('~/place_match') as Msg[])[0].map_id, mapDir, 'still the first map');

    const ok = await port.callService('~/load_map', { map_path: path.join(dir, 'saved-copy') });
    assert.equal(ok.success, true, String(ok.message));
    await feedRaw(1);
    const last = (port.messages('~/place_match') as Msg[]).at(-1)!;
    assert.equal(last.map_id, path.join(dir, 'saved-copy'));
    assert.equal(last.correspondences.length, 1, 'the query window restarted with the new map');
  });

  it('save_map after load_map writes to the loaded map’s folder, not over map_path (seen on Jazzy: map A overwritten by B)', async () => {
    const [a, b] = [path.join(dir, 'map-a'), path.join(dir, 'map-b')];
    await cp(mapDir, a, { recursive: true });
    await cp(mapDir, b, { recursive: true });
    const { port, node } = await start({ map_path: a, save_map_path: '' });
    await node.start();
    const inode = (folder: string) => statSync(path.join(folder, 'manifest.json')).ino;
    const [aBefore, bBefore] = [inode(a), inode(b)];
    assert.equal((await port.callService('~/load_map', { map_path: b })).success, true);
    assert.deepEqual(await port.callService('~/save_map', {}), { success: true, message: `saved ${PLACES} frames to ${b}` });
    assert.equal(inode(a), aBefore, 'map_path left alone');
    assert.notEqual(inode(b), bBefore, 'the loaded map written back (atomically: a new file)');
  });

  it('accepts live parameter changes, refuses invalid ones and configure-time ones while configured', async () => {
    const { port, node } = await start({ min_confidence: 0.0 });
    await node.start();
    await feedRaw(0);
    assert.equal(port.messages('~/pose').length, 1);
    assert.deepEqual(port.setParameters([{ name: 'min_confidence', value: 1.0 }]), { successful: true });
    assert.equal(node.parameters.min_confidence, 1.0);
    for (let i = 1; i < 8; i++) await feedRaw(i);
    const matches = port.messages('~/place_match') as Msg[];
    assert.equal(port.messages('~/pose').length, 1 + matches.slice(1).filter((m) => m.confidence >= 1).length, 'the new threshold applies at once');

    const refused = (name: string, value: any) => port.setParameters([{ name, value }]);
    assert.equal(refused('min_confidence', 1.5).successful, false, 'out of range');
    assert.equal(refused('min_confidence', 'high').successful, false, 'wrong type');
    assert.equal(refused('autostart', false).successful, false, 'read-only');
    const mode = refused('mode', 'map');
    assert.equal(mode.successful, false);
    assert.match(mode.successful ? '' : mode.reason, /read at configure/);
    assert.equal(node.parameters.mode, 'localize');

    assert.deepEqual(port.setParameters([{ name: 'publish_candidates', value: false }]), { successful: true });
    await feedRaw(8);
    assert.equal((port.messages('~/place_match') as Msg[]).at(-1)!.candidates.length, 1, 'the winner only');

    await port.transition('deactivate');
    await port.transition('cleanup');
    assert.deepEqual(port.setParameters([{ name: 'image_transport', value: 'compressed' }]), { successful: true }, 'unconfigured: accepted');
    assert.equal(refused('image_transport', 'theora').successful, false);
  });

  it("warns about unknown parameters in the params file and leaves the client library's own parameters alone", async () => {
    const { port } = await start({ min_confidnce: 0.5 });
    assert.equal(port.logsMatching(/ignoring unknown parameters min_confidnce \(seqvpr_node has mode, /).length, 1);
    // use_sim_time is declared by rclnodejs itself; the node must not veto it.
    port.declareParameter({ name: 'use_sim_time', type: 'bool', description: 'ROS time from /clock', readOnly: false }, false);
    assert.deepEqual(port.setParameters([{ name: 'use_sim_time', value: true }]), { successful: true });
  });
});
