// QoS strings, metadata.yaml parsing, message shape checks and the info printout.
import assert from 'node:assert/strict';
import { parse } from '@foxglove/rosmsg';
import { BagError } from '../../src/core/errors.js';
import { commonDefinitionText } from '../../src/bag/definitions.js';
import { formatBagInfo } from '../../src/bag/format-info.js';
import { parseBagMetadata } from '../../src/bag/metadata.js';
import { QOS_PRESETS, parseOfferedQos, serializeOfferedQos } from '../../src/bag/qos.js';
import type { BagInfo } from '../../src/bag/types.js';
import { MessageShapeChecker } from '../../src/bag/validate.js';

// As rosbag2 (Iron) stored it for /test_topic of its cdr_test bag.
const ROSBAG2_QOS =
  '- history: 3\n  depth: 3\n  reliability: 1\n  durability: 1\n  deadline:\n    sec: 0\n    nsec: 0\n  lifespan:\n    sec: 0\n' +
  '    nsec: 0\n  liveliness: 1\n  liveliness_lease_duration:\n    sec: 0\n    nsec: 0\n  avoid_ros_namespace_conventions: false';

describe('QoS profiles', () => {
  it('serialises exactly the string rosbag2 writes and parses it back', () => {
    const profile = {
      ...QOS_PRESETS.transient_local,
      history: 'unknown' as const,
      depth: 3,
    };
    assert.equal(serializeOfferedQos([profile]), ROSBAG2_QOS);
    assert.deepEqual(parseOfferedQos(ROSBAG2_QOS), [profile]);
    assert.equal(serializeOfferedQos([]), '');
    assert.deepEqual(parseOfferedQos(''), []);
  });

  it('reads the string enums of metadata version 9', () => {
    const v9 = ROSBAG2_QOS.replace('history: 3', 'history: keep_last')
      .replace('reliability: 1', 'reliability: best_effort')
      .replace('durability: 1', 'durability: volatile')
      .replace('liveliness: 1', 'liveliness: automatic');
    const [p] = parseOfferedQos(v9);
    assert.deepEqual([p.history, p.reliability, p.durability, p.liveliness], ['keep_last', 'best_effort', 'volatile', 'automatic']);
  });

  it('rejects what it cannot read', () => {
    assert.throws(() => parseOfferedQos('history: 1'), BagError);
    assert.throws(() => parseOfferedQos(ROSBAG2_QOS.replace('reliability: 1', 'reliability: 9')), /reliability/);
    assert.throws(() => serializeOfferedQos([{ ...QOS_PRESETS.default, durability: 'sticky' as never }]), /durability/);
  });
});

describe('metadata.yaml parsing', () => {
  it('keeps nanosecond stamps exact and fills defaults of older versions', () => {
    const md = parseBagMetadata(
      [
        'rosbag2_bagfile_information:',
        '  version: 4',
        '  storage_identifier: sqlite3',
        '  relative_file_paths: [talker.db3]',
        '  duration: {nanoseconds: 4531096768}',
        '  starting_time: {nanoseconds_since_epoch: 1585866235112411371}',
        '  message_count: 20',
        '  topics_with_message_count:',
        '    - topic_metadata: {name: /topic, type: std_msgs/msg/String, serialization_format: cdr, offered_qos_profiles: ""}',
        '      message_count: 10',
      ].join('\n'),
    );
    assert.equal(md.starting_time.nanoseconds_since_epoch, 1585866235112411371n);
    assert.equal(md.topics_with_message_count[0].topic_metadata.type_description_hash, '');
    assert.equal(md.compression_mode, '');
    assert.deepEqual(md.files, []);
  });

  it('names the bad field', () => {
    assert.throws(
      () => parseBagMetadata('rosbag2_bagfile_information:\n  version: 8\n  storage_identifier: mcap\n  duration: {nanoseconds: x}\n'),
      (e: unknown) => e instanceof BagError && /duration\.nanoseconds/.test(e.message),
    );
  });
});

describe('MessageShapeChecker', () => {
  const defs = parse(commonDefinitionText('nav_msgs/msg/Odometry')!, { ros2: true });
  const checker = new MessageShapeChecker('nav_msgs/msg/Odometry', defs);
  const ok = {
    header: { stamp: { sec: 1, nanosec: 2 }, frame_id: 'odom' },
    pose: { pose: { position: { x: 1, y: 2, z: 3 } }, covariance: new Array(36).fill(0) },
  };

  it('accepts partial messages (missing fields default) and typed arrays', () => {
    checker.check(ok);
    checker.check({ pose: { covariance: new Float64Array(36) } });
    checker.check({});
  });

  it('names misspelt, mistyped and wrongly sized fields', () => {
    const bad = (m: object, re: RegExp) => assert.throws(() => checker.check(m), (e: unknown) => e instanceof BagError && re.test(e.message));
    bad({ ...ok, headr: {} }, /^headr is not a field of nav_msgs\/msg\/Odometry/);
    bad({ pose: { pose: { position: { x: '1' } } } }, /^pose\.pose\.position\.x must be a float64 \(got "1"\)/);
    bad({ pose: { covariance: [1, 2] } }, /^pose\.covariance must have exactly 36 elements/);
    bad({ header: { stamp: 5 } }, /^header\.stamp must be a \{sec, nanosec\}/);
    bad({ child_frame_id: 3 }, /^child_frame_id must be a string/);
    bad({ pose: [] }, /^pose must be an object/);
  });
});

describe('formatBagInfo', () => {
  it('prints files, size, storage, duration, start/end and topics like ros2 bag info', () => {
    const info: BagInfo = {
      path: '/bags/run1',
      storage: 'mcap',
      files: [{ path: '/bags/run1/run1_0.mcap', sizeBytes: 3 * 1024 * 1024, messageCount: 3 }],
      sizeBytes: 3 * 1024 * 1024,
      messageCount: 3,
      start: 1_700_000_000_000_000_001n,
      end: 1_700_000_002_500_000_001n,
      durationNs: 2_500_000_000n,
      rosDistro: 'jazzy',
      topics: [
        { name: '/image', type: 'sensor_msgs/msg/Image', count: 2, serializationFormat: 'cdr', offeredQosProfiles: '', typeDescriptionHash: '', decodable: true },
        { name: '/srv/_service_event', type: 'x/srv/Y_Event', count: 1, serializationFormat: 'cdr', offeredQosProfiles: '', typeDescriptionHash: '', decodable: false },
      ],
    };
    assert.equal(
      formatBagInfo(info),
      [
        'Files:             run1_0.mcap',
        'Bag size:          3.0 MiB',
        'Storage id:        mcap',
        'ROS Distro:        jazzy',
        'Duration:          2.500000000s',
        'Start:             2023-11-14T22:13:20.000000001Z (1700000000.000000001)',
        'End:               2023-11-14T22:13:22.500000001Z (1700000002.500000001)',
        'Messages:          3',
        'Topic information: Topic: /image | Type: sensor_msgs/msg/Image | Count: 2 | Serialization Format: cdr',
        '                   Topic: /srv/_service_event | Type: x/srv/Y_Event | Count: 1 | Serialization Format: cdr | skipped: no usable definition',
        '',
      ].join('\n'),
    );
  });
});
