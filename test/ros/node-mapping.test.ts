// seqvpr_node in map and slam modes on the fake transport, with the real pipeline: the live map grows
// keyframe by keyframe (odometry poses interpolated at image stamps, a stop adds nothing), loop
// closures appear on the revisit only, slam matches a loaded map and extends it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stampToNs } from '../../src/bag/stamp.js';
import { loadMap } from '../../src/map/load-map.js';
import { UNKNOWN_VARIANCE } from '../../src/ros/message-types.js';
import {
  PERIOD_NS,
  T0,
  buildSavedMap,
  finishNode,
  imageMsg,
  nodeUnderTest,
  odometryMsg,
  placeImage,
  placePose,
  queryImages,
  stampOf,
  writePipelineConfig,
  type NodeUnderTest,
  type PlaceImage,
} from './helpers.js';

type Msg = Record<string, any>;

describe('seqvpr_node, map and slam modes (fake transport, real pipeline)', () => {
  let dir: string;
  let configFile: string;
  let t: NodeUnderTest | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-node-map-'));
    configFile = await writePipelineConfig(dir);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await finishNode(t);
    t = undefined;
  });

  describe('map mode', () => {
    /** Places 0..29 in daylight, then back over places 5..24 in other light: a revisit. */
    const route = [...Array.from({ length: 30 }, (_, i) => i), ...Array.from({ length: 20 }, (_, i) => 5 + i)];
    let frames: PlaceImage[];

    before(async () => {
      const first = await Promise.all(Array.from({ length: 30 }, (_, p) => placeImage(dir, `run-${p}`, p, { gain: 1, offset: 0, noise: 6, noiseSeed: 1 + p })));
      const revisit = await queryImages(dir, route.slice(30));
      frames = [...first, ...revisit];
    });

    const run = async (overrides: Record<string, any>) => {
      t = await nodeUnderTest({
        mode: 'map',
        config_file: configFile,
        loop_exclude_s: 2.0,
        loop_exclude_frames: 10,
        loop_min_confidence: 0.05,
        ...overrides,
      });
      assert.equal(await t.node.start(), true);
      return t;
    };

    it('closes loops on the revisit only, with the right earlier keyframes, and grows the map', async () => {
      const { port, node } = await run({});
      assert.equal(node.map?.size, 0, 'map mode starts empty');
      assert.ok(port.publisherOn('~/loop_closure'));
      assert.equal(port.publisherOn('~/place_match'), undefined, 'map mode publishes loop closures, not place matches');
      for (const [i, img] of frames.entries()) {
        port.publish('image', imageMsg(stampOf(i), img.mono8));
        await node.whenIdle();
      }
      assert.equal(node.map!.size, route.length, 'every frame became a keyframe');
      const loops = port.messages('~/loop_closure') as Msg[];
      assert.ok(loops.length >= 10, `most of the 20 revisit frames close a loop (${loops.length})`);
      for (const l of loops) {
        assert.ok(l.to_id >= 30, `no loop closure during the first pass (to ${l.to_id})`);
        assert.ok(Math.abs(route[l.from_id] - route[l.to_id]) <= 1, `loop ${l.to_id} -> ${l.from_id} joins the same place`);
        assert.equal(stampToNs(l.header.stamp), stampOf(l.to_id), 'stamped like the image that closed it');
        assert.deepEqual(l.to_stamp, l.header.stamp);
        assert.equal(stampToNs(l.from_stamp), stampOf(l.from_id));
        assert.ok(l.confidence >= 0.05);
        assert.equal(l.has_relative_pose, false);
        assert.equal(l.covariance[0], UNKNOWN_VARIANCE);
        assert.ok(l.correspondences.every((c: Msg) => c.map_index < l.to_id - 10), 'never inside the exclusion window');
      }
      port.advance(1000);
      const values = (port.messages('/diagnostics') as Msg[])[0].status[0].values as Msg[];
      const value = (key: string) => values.find((v) => v.key === key)?.value;
      assert.equal(value('loop closures without relative pose: no_odometry'), String(loops.length), 'no odometry: every closure counted with its reason');
      assert.equal(value('loop closures with relative pose'), '0');
    });

    it('with odometry, publishes the relative pose of each closure with a covariance from the data', async () => {
      const { port, node } = await run({ use_odometry: true, keyframe_distance_m: 0.5 });
      // The revisit's odometry has drifted 3 m ahead and 1 m left (the same places, other coordinates):
      // the closure's relative pose must still say "the same place".
      for (const [i, place] of route.entries()) {
        const drift = i >= 30 ? { x: 3, y: 1 } : { x: 0, y: 0 };
        const pose = { ...placePose(place), position: { x: 2 * place + drift.x, y: drift.y, z: 0 } };
        port.publish('odom', odometryMsg(stampOf(i) - 50_000_000n, pose));
        port.publish('odom', odometryMsg(stampOf(i) + 50_000_000n, pose));
        port.publish('image', imageMsg(stampOf(i), frames[i].mono8));
        await node.whenIdle();
      }
      const loops = port.messages('~/loop_closure') as Msg[];
      assert.ok(loops.length >= 10, `${loops.length} loop closures`);
      for (const l of loops) {
        assert.equal(l.has_relative_pose, true);
        const offPlace = 2 * (route[l.to_id] - route[l.from_id]);
        const p = l.relative_pose.position;
        assert.ok(Math.abs(p.x - offPlace) < 0.5 && Math.abs(p.y) < 0.5, `relative position ${p.x}, ${p.y} (true ${offPlace}, 0): the drift is removed`);
        assert.ok(l.covariance[0] > 0 && l.covariance[0] < UNKNOWN_VARIANCE && l.covariance[35] > 0 && l.covariance[35] < 1, 'a covariance from the data');
      }
      port.advance(1000);
      const values = (port.messages('/diagnostics') as Msg[])[0].status[0].values as Msg[];
      assert.equal(values.find((v) => v.key === 'loop closures with relative pose')?.value, String(loops.length));
    });

    it('loop_min_confidence applies at run time', async () => {
      const { port, node } = await run({});
      assert.deepEqual(port.setParameters([{ name: 'loop_min_confidence', value: 1.0 }]), { successful: true });
      for (const [i, img] of frames.entries()) {
        port.publish('image', imageMsg(stampOf(i), img.mono8));
        await node.whenIdle();
      }
      assert.equal(port.messages('~/loop_closure').length, 0);
      assert.equal(node.map!.size, route.length, 'the map grows all the same');
    });

    it('interpolates odometry poses at image stamps, keeps keyframes by distance, and saves a posed map', async () => {
      const saveDir = path.join(dir, 'mapped');
      const { port, node } = await run({ use_odometry: true, keyframe_distance_m: 1.0, save_map_path: saveDir });
      assert.equal(port.subscriptionsOn('odom')[0].type, 'nav_msgs/msg/Odometry');
      // Places 0..9, 2 m apart, with a stop at place 4 (three more frames standing still).
      const drive = [0, 1, 2, 3, 4, 4, 4, 4, 5, 6, 7, 8, 9];
      for (const [i, place] of drive.entries()) {
        const s = stampOf(i);
        // Odometry 50 ms either side of the image, half a metre either side of the place.
        const moving = i === 0 || drive[i - 1] !== place;
        const at = (dx: number) => ({ ...placePose(place), position: { x: 2 * place + (moving ? dx : 0), y: 0, z: 0 } });
        port.publish('odom', odometryMsg(s - 50_000_000n, at(-0.5)));
        port.publish('odom', odometryMsg(s + 50_000_000n, at(0.5)));
        port.publish('image', imageMsg(s, frames[place].mono8));
        await node.whenIdle();
      }
      assert.equal(node.map!.size, 10, 'the stop added nothing');
      assert.deepEqual(node.map!.frames.map((f) => f.pose!.position.x), Array.from({ length: 10 }, (_, p) => 2 * p), 'poses interpolated at the image stamps');
      port.advance(1000);
      const status = (port.messages('/diagnostics') as Msg[])[0].status[0];
      assert.equal(status.values.find((v: Msg) => v.key === 'frames not keyframes').value, '3');
      const saved = await port.callService('~/save_map', {});
      assert.equal(saved.success, true, String(saved.message));
      const reloaded = await loadMap(saveDir);
      assert.equal(reloaded.size, 10);
      assert.equal(reloaded.hasPoses, true);
    });

    it('survives a clock jump backwards: a new session starts and the map keeps growing', async () => {
      const { port, node } = await run({});
      for (let i = 0; i < 20; i++) {
        port.publish('image', imageMsg(stampOf(i), frames[i].mono8));
        await node.whenIdle();
      }
      const back = T0 - 600n * 1_000_000_000n;
      for (let i = 0; i < 10; i++) {
        port.publish('image', imageMsg(back + BigInt(i) * PERIOD_NS, frames[30 + i].mono8));
        await node.whenIdle();
      }
      assert.equal(node.badInputCount('clock_jump_backwards'), 1);
      assert.equal(node.badInputCount('processing_error'), 0);
      assert.equal(node.map!.size, 30);
      // Frames 30.. show places 5..14 again: after the jump the earlier session is searchable at once.
      const loops = port.messages('~/loop_closure') as Msg[];
      assert.ok(loops.length > 0, 'the revisit after the jump still closes loops');
      for (const l of loops) assert.ok(Math.abs(route[l.from_id] - route[30 + (l.to_id - 20)]) <= 1);
    });
  });

  describe('slam mode', () => {
    const PLACES = 30;
    let mapDir: string;
    let images: PlaceImage[];

    before(async () => {
      mapDir = path.join(dir, 'slam-map');
      // The loaded map's stamps lie an hour AFTER the live ones (another clock, e.g. simulated time):
      // its frames must be searchable all the same.
      await buildSavedMap(dir, configFile, mapDir, PLACES, T0 + 3600n * 1_000_000_000n);
      images = await queryImages(dir, Array.from({ length: PLACES }, (_, p) => p));
    });

    it('localises against the loaded map (poses, multi-session loop closures) and extends it', async () => {
      t = await nodeUnderTest({ mode: 'slam', map_path: mapDir, config_file: configFile, min_confidence: 0.0, loop_min_confidence: 0.05 });
      const { port, node } = t;
      assert.equal(await node.start(), true);
      assert.ok(port.publisherOn('~/place_match') && port.publisherOn('~/pose') && port.publisherOn('~/loop_closure'));
      for (let i = 0; i < 20; i++) {
        port.publish('image', imageMsg(stampOf(i), images[i].mono8));
        await node.whenIdle();
      }
      assert.equal(node.map!.size, PLACES + 20, 'the live frames extend the loaded map');
      assert.deepEqual(node.map!.sessionStarts, [0, PLACES], 'the live frames are a new session of the map');
      const matches = port.messages('~/place_match') as Msg[];
      assert.equal(matches.length, 20);
      const correct = matches.slice(4).filter((m, k) => Math.abs(m.map_index - (k + 4)) <= 1).length;
      assert.ok(correct >= 14, `matches land on the loaded map's frames (${correct} of 16)`);
      assert.ok(matches.every((m) => m.map_index < PLACES), 'the live frames are inside the exclusion window');
      const poses = port.messages('~/pose') as Msg[];
      assert.equal(poses.length, 20, 'loaded frames have map-frame poses');
      const loops = port.messages('~/loop_closure') as Msg[];
      assert.ok(loops.length > 0);
      for (const l of loops) {
        assert.ok(l.from_id < PLACES && l.to_id >= PLACES, 'from a loaded keyframe to a new one');
        assert.ok(Math.abs(l.from_id - (l.to_id - PLACES)) <= 1);
      }
    });
  });
});
