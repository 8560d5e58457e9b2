// seqvpr's ROS 2 messages: converters, strict CDR round trips, definition text, results bags.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@foxglove/rosmsg';
import { openBag } from '../../src/bag/reader.js';
import { stampToNs } from '../../src/bag/stamp.js';
import { MapFormatError } from '../../src/core/errors.js';
import type { MapFrameMeta, PlaceMatch, Pose } from '../../src/core/types.js';
import type { LoopClosure } from '../../src/loops/live-mapper.js';
import { DIAGNOSTIC_ARRAY_TYPE, LOOP_CLOSURE_TYPE, PLACE_MATCH_TYPE, POSE_WITH_COVARIANCE_STAMPED_TYPE, RosMessageError, UNKNOWN_VARIANCE } from '../../src/ros/message-types.js';
import { deserializeMessage, serializeMessage } from '../../src/ros/cdr.js';
import { messageDefinitionText } from '../../src/ros/msg-definitions.js';
import { toDiagnosticArrayMsg, toLoopClosureMsg, toPlaceMatchMsg, toPoseWithCovarianceStampedMsg } from '../../src/ros/messages.js';
import { ResultsBagWriter } from '../../src/sinks/results-bag.js';

/** Above 2^53 ns: a Number would round it. */
const T = 1_700_000_000_123_456_789n;
const pose = (x: number): Pose => ({ position: { x, y: 2, z: 0 }, orientation: { x: 0, y: 0, z: 0.6, w: 0.8 } });
/** Map frames 0..5 at T0 + i seconds + i ns; frames 1 and 3 have poses. */
const T0 = 1_600_000_000_000_000_000n;
const frames: MapFrameMeta[] = Array.from({ length: 6 }, (_, i) => ({
  index: i,
  stamp: T0 + BigInt(i) * 1_000_000_000n + BigInt(i),
  pose: i % 2 === 1 ? pose(i) : undefined,
}));

const match: PlaceMatch = {
  queryIndex: 42,
  queryStamp: T,
  mapIndex: 3,
  confidence: 0.75,
  score: 0.125,
  candidates: [
    { mapIndex: 3, distance: 0.125 },
    { mapIndex: 0, distance: 0.5 },
  ],
  correspondences: [
    { queryIndex: 40, mapIndex: 1, distance: 0.25 },
    { queryIndex: 41, mapIndex: 2, distance: 0.0625 },
    { queryIndex: 42, mapIndex: 3, distance: 0.125 },
  ],
};

const loop: LoopClosure = {
  queryIndex: 5,
  queryStamp: frames[5].stamp,
  matchIndex: 1,
  matchStamp: frames[1].stamp,
  confidence: 0.5,
  correspondences: [
    { queryIndex: 4, mapIndex: 0, distance: 0.25 },
    { queryIndex: 5, mapIndex: 1, distance: 0.375 },
  ],
};

/** Decoded messages hold typed arrays for fixed-size numeric arrays: compare as plain arrays. */
function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

function roundTrip(type: string, message: Record<string, unknown>): Record<string, unknown> {
  const decoded = deserializeMessage(type, serializeMessage(type, message));
  assert.deepEqual(plain(decoded), plain(message));
  return decoded;
}

const placeMatchMsg = () => toPlaceMatchMsg({ header: { stamp: T, frameId: 'camera_optical' }, match, map: { frames }, mapId: 'maps/day1' });

describe('ROS 2 messages', () => {
  describe('PlaceMatch', () => {
    it('carries the match, the matched frame and its pose, and round-trips through CDR', () => {
      const msg = placeMatchMsg();
      assert.deepEqual(msg.header, { stamp: { sec: 1_700_000_000, nanosec: 123_456_789 }, frame_id: 'camera_optical' });
      assert.equal(msg.map_id, 'maps/day1');
      assert.equal(msg.map_size, 6);
      assert.equal(msg.map_index, 3);
      assert.deepEqual(msg.map_stamp, { sec: 1_600_000_003, nanosec: 3 });
      assert.equal(msg.has_pose, true);
      assert.deepEqual(msg.map_pose, pose(3));
      assert.deepEqual(
        msg.candidates.map((c) => [c.map_index, c.map_stamp.sec, c.distance]),
        [
          [3, 1_600_000_003, 0.125],
          [0, 1_600_000_000, 0.5],
        ],
      );
      const decoded = roundTrip(PLACE_MATCH_TYPE, msg) as typeof msg;
      assert.equal(stampToNs(decoded.header.stamp), T, 'a stamp above 2^53 ns survives as sec/nanosec');
      assert.equal(msg.has_relative_pose, false, 'no relative pose given: marked unknown');
      assert.equal(msg.relative_pose_covariance[0], UNKNOWN_VARIANCE);
      const withPose = toPlaceMatchMsg({ header: { stamp: T, frameId: 'c' }, match, map: { frames }, mapId: 'm', relative: { pose: pose(0.4), covariance: Array.from({ length: 36 }, (_, k) => (k % 7 === 0 ? 0.1 : 0)) } });
      assert.equal(withPose.has_relative_pose, true);
      assert.equal((roundTrip(PLACE_MATCH_TYPE, withPose) as typeof msg).relative_pose_covariance[35], 0.1);
    });

    it("carries the re-ranker's patch correspondences (float32 as on the wire), and zeros without re-ranking", () => {
      const plainMsg = placeMatchMsg();
      assert.deepEqual([plainMsg.patch_score, plainMsg.patch_grid_cells_x, plainMsg.patch_grid_cells_y, plainMsg.patch_matches], [0, 0, 0, []]);
      const patchMatches = {
        grid: { cellsX: 16, cellsY: 8 },
        frames: [
          {
            queryIndex: 42,
            mapIndex: 3,
            score: 0.375,
            shift: { x: 0.1, y: -1 / 3 },
            pairs: [
              { size: 2, query: { x: 3.5, y: 1.5 }, map: { x: 4.5, y: 1.5 }, similarity: 0.9 },
              { size: 3, query: { x: 7, y: 4 }, map: { x: 8, y: 4 }, similarity: 0.8 },
            ],
          },
          { queryIndex: 40, mapIndex: 1, score: 0, shift: { x: 0, y: 0 }, pairs: [] },
        ],
      };
      const msg = toPlaceMatchMsg({ header: { stamp: T, frameId: 'c' }, match: { ...match, patchScore: 0.1875, patchMatches }, map: { frames }, mapId: 'm' });
      assert.equal(msg.patch_score, 0.1875);
      assert.deepEqual([msg.patch_grid_cells_x, msg.patch_grid_cells_y], [16, 8]);
      assert.deepEqual(msg.patch_matches.map((m) => [m.query_index, m.map_index, m.score, m.pairs.length]), [[42, 3, 0.375, 2], [40, 1, 0, 0]]);
      const [first] = msg.patch_matches;
      assert.equal(first.shift_x, Math.fround(0.1), 'float32 fields hold what CDR carries');
      assert.deepEqual(first.pairs[0], { size: 2, query_x: 3.5, query_y: 1.5, map_x: 4.5, map_y: 1.5, similarity: Math.fround(0.9) });
      const decoded = roundTrip(PLACE_MATCH_TYPE, msg) as typeof msg;
      assert.equal(decoded.patch_matches[0].pairs[1].map_x, 8);
      assert.equal(decoded.patch_matches[0].shift_y, Math.fround(-1 / 3));
    });

    it('marks a match the motion gate held back (held=true survives CDR), and a matched frame held=false', () => {
      assert.equal(placeMatchMsg().held, false, 'a match without the flag was matched');
      const held = toPlaceMatchMsg({ header: { stamp: T, frameId: 'c' }, match: { ...match, held: true }, map: { frames }, mapId: 'm' });
      assert.equal(held.held, true);
      assert.equal((roundTrip(PLACE_MATCH_TYPE, held) as typeof held).held, true);
      assert.equal((roundTrip(PLACE_MATCH_TYPE, placeMatchMsg()) as typeof held).held, false);
    });

    it('marks a matched frame without pose, and fills query stamps it knows (zero = unknown)', () => {
      const msg = toPlaceMatchMsg({
        header: { stamp: T, frameId: 'cam' },
        match: { ...match, mapIndex: 2 },
        map: { frames },
        mapId: 'm',
        queryStampOf: (q) => new Map([[41, T - 100_000_000n]]).get(q),
      });
      assert.equal(msg.has_pose, false);
      assert.deepEqual(msg.map_pose, { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } });
      assert.deepEqual(
        msg.correspondences.map((c) => [c.query_index, stampToNs(c.query_stamp), c.map_index, stampToNs(c.map_stamp)]),
        [
          [40, 0n, 1, frames[1].stamp],
          [41, T - 100_000_000n, 2, frames[2].stamp],
          [42, T, 3, frames[3].stamp],
        ],
      );
      roundTrip(PLACE_MATCH_TYPE, msg);
    });

    it('refuses a match against another map', () => {
      assert.throws(
        () => toPlaceMatchMsg({ header: { stamp: T, frameId: 'cam' }, match: { ...match, mapIndex: 6 }, map: { frames }, mapId: 'm' }),
        (e: unknown) => e instanceof MapFormatError && /map frame 6.*6 frames/.test(e.message),
      );
    });
  });

  describe('LoopClosure', () => {
    it('links the earlier keyframe (from) to the new one (to), appearance-only: identity pose, unknown covariance', () => {
      const msg = toLoopClosureMsg({ header: { stamp: loop.queryStamp, frameId: 'cam' }, loop, map: { frames } });
      assert.equal(msg.from_id, 1);
      assert.equal(msg.to_id, 5);
      assert.equal(stampToNs(msg.from_stamp), frames[1].stamp);
      assert.equal(stampToNs(msg.to_stamp), frames[5].stamp);
      assert.equal(msg.has_relative_pose, false);
      assert.deepEqual(msg.relative_pose.orientation, { x: 0, y: 0, z: 0, w: 1 });
      assert.equal(msg.covariance.length, 36);
      msg.covariance.forEach((v, i) => assert.equal(v, i % 7 === 0 ? UNKNOWN_VARIANCE : 0, `covariance[${i}]`));
      // Query frames of a closure are keyframes of the live map: their stamps come from it.
      assert.deepEqual(
        msg.correspondences.map((c) => [c.query_index, stampToNs(c.query_stamp), c.map_index, stampToNs(c.map_stamp)]),
        [
          [4, frames[4].stamp, 0, frames[0].stamp],
          [5, frames[5].stamp, 1, frames[1].stamp],
        ],
      );
      roundTrip(LOOP_CLOSURE_TYPE, msg);
    });

    it('carries a verified relative pose and its covariance', () => {
      const covariance = Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? 0.01 * (1 + i / 7) : 0));
      const msg = toLoopClosureMsg({ header: { stamp: T, frameId: 'cam' }, loop, map: { frames }, relative: { pose: pose(0.5), covariance } });
      assert.equal(msg.has_relative_pose, true);
      assert.deepEqual(msg.relative_pose, pose(0.5));
      assert.deepEqual(msg.covariance, covariance);
      roundTrip(LOOP_CLOSURE_TYPE, msg);
    });

    it('states in its definition the unknown variance the converter uses', () => {
      const [root] = parse(messageDefinitionText(LOOP_CLOSURE_TYPE), { ros2: true });
      const constant = root.definitions.find((f) => f.isConstant && f.name === 'UNKNOWN_VARIANCE');
      assert.equal(constant?.value, UNKNOWN_VARIANCE);
    });
  });

  describe('standard messages', () => {
    it('PoseWithCovarianceStamped round-trips; a covariance that is not 6x6 is refused', () => {
      const covariance = Array.from({ length: 36 }, (_, i) => i / 10);
      const msg = toPoseWithCovarianceStampedMsg({ header: { stamp: T, frameId: 'map' }, pose: pose(7), covariance });
      assert.deepEqual(msg.pose.covariance, covariance);
      assert.equal(msg.header.frame_id, 'map');
      roundTrip(POSE_WITH_COVARIANCE_STAMPED_TYPE, msg);
      assert.throws(
        () => toPoseWithCovarianceStampedMsg({ header: { stamp: T, frameId: 'map' }, pose: pose(7), covariance: covariance.slice(1) }),
        (e: unknown) => e instanceof RosMessageError && /36/.test(e.message),
      );
    });

    it('DiagnosticArray: one status with its level constant and values as text', () => {
      const msg = toDiagnosticArrayMsg({
        stamp: T,
        name: 'seqvpr: place recognition',
        hardwareId: 'camera',
        level: 'warn',
        message: 'frames dropped',
        values: { input_rate_hz: 14.999999, dropped_frames: 3, map: 'day1' },
      });
      assert.equal(msg.status.length, 1);
      assert.equal(msg.status[0].level, 1);
      assert.deepEqual(msg.status[0].values, [
        { key: 'input_rate_hz', value: '15' },
        { key: 'dropped_frames', value: '3' },
        { key: 'map', value: 'day1' },
      ]);
      roundTrip(DIAGNOSTIC_ARRAY_TYPE, msg);
      for (const [level, value] of [['ok', 0], ['error', 2], ['stale', 3]] as const) {
        assert.equal(toDiagnosticArrayMsg({ stamp: T, name: 'n', hardwareId: '', level, message: '', values: {} }).status[0].level, value);
      }
    });
  });

  describe('strict serialisation', () => {
    it('rejects a misspelt field, also nested, naming it', () => {
      const msg = placeMatchMsg();
      assert.throws(() => serializeMessage(PLACE_MATCH_TYPE, { ...msg, confidance: 0.5 }), (e: unknown) => e instanceof RosMessageError && /confidance/.test(e.message));
      assert.throws(
        () => serializeMessage(PLACE_MATCH_TYPE, { ...msg, header: { stamp: msg.header.stamp, frameId: 'cam' } }),
        (e: unknown) => e instanceof RosMessageError && /header\.frameId/.test(e.message),
      );
      assert.throws(
        () => serializeMessage(PLACE_MATCH_TYPE, { ...msg, candidates: [{ map_index: 1, map_stamp: msg.map_stamp, dist: 0.1 }] }),
        (e: unknown) => e instanceof RosMessageError && /candidates\[0\]\.dist/.test(e.message),
      );
    });

    it('rejects values of the wrong type', () => {
      const msg = placeMatchMsg();
      assert.throws(() => serializeMessage(PLACE_MATCH_TYPE, { ...msg, confidence: '0.75' }), (e: unknown) => e instanceof RosMessageError && /confidence/.test(e.message));
      assert.throws(() => serializeMessage(PLACE_MATCH_TYPE, { ...msg, map_index: 2.5 }), (e: unknown) => e instanceof RosMessageError && /map_index/.test(e.message));
      assert.throws(() => serializeMessage(PLACE_MATCH_TYPE, { ...msg, has_pose: 'yes' }), (e: unknown) => e instanceof RosMessageError && /has_pose/.test(e.message));
      const loopMsg = toLoopClosureMsg({ header: { stamp: T, frameId: 'cam' }, loop, map: { frames } });
      assert.throws(
        () => serializeMessage(LOOP_CLOSURE_TYPE, { ...loopMsg, covariance: loopMsg.covariance.slice(0, 9) }),
        (e: unknown) => e instanceof RosMessageError && /covariance.*36/.test(e.message),
      );
    });

    it('rejects bytes that are not the type, and unknown types', () => {
      const bytes = serializeMessage(PLACE_MATCH_TYPE, placeMatchMsg());
      // A copy, so the reader cannot see the cut-off bytes through the shared buffer.
      assert.throws(() => deserializeMessage(PLACE_MATCH_TYPE, bytes.slice(0, bytes.length - 40)), RosMessageError);
      const diag = serializeMessage(DIAGNOSTIC_ARRAY_TYPE, toDiagnosticArrayMsg({ stamp: T, name: 'n', hardwareId: 'h', level: 'ok', message: 'm', values: {} }));
      assert.throws(() => deserializeMessage(POSE_WITH_COVARIANCE_STAMPED_TYPE, diag), RosMessageError);
      assert.throws(() => serializeMessage('seqvpr/msg/NoSuchThing', {}), (e: unknown) => e instanceof RosMessageError && /NoSuchThing/.test(e.message));
    });
  });

  describe('definition text', () => {
    it('holds PlaceMatch and each dependency once, and parses as ROS 2 msg text', () => {
      const text = messageDefinitionText(PLACE_MATCH_TYPE);
      const deps: string[] = text.match(/^MSG: .*$/gm) ?? [];
      assert.equal(new Set(deps).size, deps.length);
      for (const dep of ['seqvpr/Candidate', 'seqvpr/Correspondence', 'seqvpr/PatchMatch', 'seqvpr/PatchCorrespondence', 'std_msgs/Header', 'builtin_interfaces/Time', 'geometry_msgs/Pose', 'geometry_msgs/Point', 'geometry_msgs/Quaternion']) {
        assert.ok(deps.includes(`MSG: ${dep}`), `${dep} in ${deps.join(', ')}`);
      }
      const defs = parse(text, { ros2: true });
      assert.deepEqual(
        defs[0].definitions.map((f) => f.name),
        ['header', 'query_index', 'map_id', 'map_size', 'map_index', 'map_stamp', 'has_pose', 'map_pose', 'confidence', 'score', 'held', 'candidates', 'correspondences', 'has_relative_pose', 'relative_pose', 'relative_pose_covariance', 'patch_score', 'patch_grid_cells_x', 'patch_grid_cells_y', 'patch_matches'],
      );
      assert.equal(messageDefinitionText('seqvpr/PlaceMatch'), text, 'ROS 1-style names are the same type');
    });
  });

  describe('ResultsBagWriter', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'seqvpr-results-bag-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('writes a bag that openBag reads back to the same messages', async () => {
      const bagDir = join(dir, 'results');
      const writer = await ResultsBagWriter.create(bagDir);
      const header = { stamp: T, frameId: 'cam' };
      await writer.writePlaceMatch({ header, match, map: { frames }, mapId: 'maps/day1' });
      await writer.writeLoopClosure({ header: { stamp: T + 1n, frameId: 'cam' }, loop, map: { frames } });
      await writer.writePlaceMatch({ header: { stamp: T + 2n, frameId: 'cam' }, match: { ...match, mapIndex: 0, held: true }, map: { frames }, mapId: 'maps/day1' });
      const written = await writer.close();
      assert.equal(written.messageCount, 3);

      const bag = await openBag(bagDir, { warn: (m) => assert.fail(`unexpected warning: ${m}`) });
      try {
        const topics = Object.fromEntries(bag.info().topics.map((t) => [t.name, [t.type, t.count, t.decodable]]));
        assert.deepEqual(topics, {
          '/seqvpr_node/place_match': [PLACE_MATCH_TYPE, 2, true],
          '/seqvpr_node/loop_closure': [LOOP_CLOSURE_TYPE, 1, true],
        });
        const read: { topic: string; logTime: bigint; message: unknown }[] = [];
        for await (const m of bag.messages()) read.push({ topic: m.topic, logTime: m.logTime, message: plain(m.message) });
        assert.deepEqual(read.filter((r) => r.topic.endsWith('place_match')).map((r) => (r.message as { held: boolean }).held), [false, true], 'held recorded');
        assert.deepEqual(read, [
          { topic: '/seqvpr_node/place_match', logTime: T, message: plain(toPlaceMatchMsg({ header, match, map: { frames }, mapId: 'maps/day1' })) },
          { topic: '/seqvpr_node/loop_closure', logTime: T + 1n, message: plain(toLoopClosureMsg({ header: { stamp: T + 1n, frameId: 'cam' }, loop, map: { frames } })) },
          {
            topic: '/seqvpr_node/place_match',
            logTime: T + 2n,
            message: plain(toPlaceMatchMsg({ header: { stamp: T + 2n, frameId: 'cam' }, match: { ...match, mapIndex: 0, held: true }, map: { frames }, mapId: 'maps/day1' })),
          },
        ]);
      } finally {
        await bag.close();
      }
    });

    it('refuses a result that does not fit its map, leaving the bag writable', async () => {
      const writer = await ResultsBagWriter.create(join(dir, 'results'));
      await assert.rejects(
        writer.writePlaceMatch({ header: { stamp: T, frameId: 'cam' }, match: { ...match, mapIndex: 9 }, map: { frames }, mapId: 'm' }),
        MapFormatError,
      );
      await writer.writeLoopClosure({ header: { stamp: T, frameId: 'cam' }, loop, map: { frames } });
      assert.equal((await writer.close()).messageCount, 1);
    });
  });
});
