// Decoded image / pose messages -> core shapes; malformed ones -> MalformedMessageError.
import assert from 'node:assert/strict';
import { BagError } from '../../src/core/errors.js';
import {
  compressedImageFromMessage,
  imageFromMessage,
  poseFromMessage,
  poseFromOdometry,
  poseFromPoseStamped,
  rawImageFromMessage,
} from '../../src/bag/convert.js';
import { MalformedMessageError } from '../../src/bag/errors.js';
import { nsToStamp, stampToNs } from '../../src/bag/stamp.js';

const STAMP = { sec: 1_700_000_000, nanosec: 999_999_999 };
const STAMP_NS = 1_700_000_000_999_999_999n;

function image(overrides: Record<string, unknown> = {}) {
  return {
    header: { stamp: STAMP, frame_id: 'cam' },
    height: 2,
    width: 3,
    encoding: 'rgb8',
    is_bigendian: 0,
    step: 10, // 9 bytes of pixels + 1 padding byte per row
    data: Uint8Array.from({ length: 22 }, (_, i) => i), // 2 extra bytes after the last row
    ...overrides,
  };
}

function malformed(type: string, field: RegExp) {
  return (e: unknown) => e instanceof MalformedMessageError && e instanceof BagError && e.messageType === type && field.test(e.field);
}

const odometry = (orientation: object, position: object = { x: 1, y: 2, z: 3 }) => ({
  header: { stamp: STAMP, frame_id: 'odom' },
  child_frame_id: 'base_link',
  pose: { pose: { position, orientation }, covariance: new Float64Array(36) },
  twist: { twist: {}, covariance: new Float64Array(36) },
});

describe('bag message conversion', () => {
  it('sensor_msgs/Image -> RawImage with the header stamp as bigint ns', () => {
    const { stamp, frameId, value } = rawImageFromMessage(image());
    assert.equal(stamp, STAMP_NS);
    assert.equal(frameId, 'cam');
    assert.equal(value.kind, 'raw');
    assert.deepEqual([value.width, value.height, value.step, value.encoding, value.isBigEndian], [3, 2, 10, 'rgb8', false]);
    assert.deepEqual([...value.data], Array.from({ length: 20 }, (_, i) => i)); // trimmed to step * height
    assert.equal(rawImageFromMessage(image({ is_bigendian: 1 })).value.isBigEndian, true);
    // Plain number arrays (hand-built messages) are accepted.
    assert.deepEqual([...rawImageFromMessage(image({ data: Array(20).fill(7) })).value.data], Array(20).fill(7));
  });

  it('rejects malformed images naming the field', () => {
    const type = 'sensor_msgs/msg/Image';
    assert.throws(() => rawImageFromMessage(image({ data: new Uint8Array(19) })), malformed(type, /^data$/));
    assert.throws(() => rawImageFromMessage(image({ step: 2 })), malformed(type, /^step$/));
    assert.throws(() => rawImageFromMessage(image({ width: 0 })), malformed(type, /width/));
    assert.throws(() => rawImageFromMessage(image({ height: -1 })), malformed(type, /^height$/));
    assert.throws(() => rawImageFromMessage(image({ encoding: '' })), malformed(type, /^encoding$/));
    assert.throws(() => rawImageFromMessage(image({ data: 'abc' })), malformed(type, /^data$/));
    assert.throws(() => rawImageFromMessage(image({ header: undefined })), malformed(type, /^header$/));
    assert.throws(() => rawImageFromMessage(image({ header: { stamp: { sec: 1, nanosec: 1e9 }, frame_id: '' } })), malformed(type, /nanosec/));
    assert.throws(() => rawImageFromMessage(null), malformed(type, /^message$/));
  });

  it('sensor_msgs/CompressedImage -> CompressedImage', () => {
    const data = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]);
    const { stamp, value } = compressedImageFromMessage({ header: { stamp: STAMP, frame_id: 'cam' }, format: 'jpeg', data });
    assert.equal(stamp, STAMP_NS);
    assert.deepEqual(value, { kind: 'compressed', format: 'jpeg', data });
    assert.throws(
      () => compressedImageFromMessage({ header: { stamp: STAMP, frame_id: 'cam' }, format: 'jpeg', data: new Uint8Array() }),
      malformed('sensor_msgs/msg/CompressedImage', /^data$/),
    );
  });

  it('dispatches on the recorded type name', () => {
    assert.equal(imageFromMessage('sensor_msgs/msg/Image', image())?.value.kind, 'raw');
    assert.equal(imageFromMessage('sensor_msgs/Image', image())?.value.kind, 'raw');
    const c = { header: { stamp: STAMP, frame_id: 'c' }, format: 'png', data: Uint8Array.of(1) };
    assert.equal(imageFromMessage('sensor_msgs/msg/CompressedImage', c)?.value.kind, 'compressed');
    assert.equal(imageFromMessage('std_msgs/msg/String', { data: 'x' }), undefined);
    assert.equal(poseFromMessage('std_msgs/msg/String', { data: 'x' }), undefined);
  });

  it('nav_msgs/Odometry and geometry_msgs/PoseStamped -> Pose with a unit quaternion', () => {
    const { stamp, frameId, value } = poseFromOdometry(odometry({ x: 0, y: 0, z: 3, w: 4 }));
    assert.equal(stamp, STAMP_NS);
    assert.equal(frameId, 'odom');
    assert.deepEqual(value.position, { x: 1, y: 2, z: 3 });
    assert.deepEqual(value.orientation, { x: 0, y: 0, z: 0.6, w: 0.8 }); // normalised
    const ps = poseFromPoseStamped({
      header: { stamp: { sec: 0, nanosec: 5 }, frame_id: 'map' },
      pose: { position: { x: -1, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
    });
    assert.equal(ps.stamp, 5n);
    assert.deepEqual(ps.value, { position: { x: -1, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } });
    assert.equal(poseFromMessage('nav_msgs/msg/Odometry', odometry({ x: 0, y: 0, z: 0, w: 1 }))?.frameId, 'odom');
  });

  it('rejects unset orientations and non-finite positions', () => {
    const type = 'nav_msgs/msg/Odometry';
    assert.throws(() => poseFromOdometry(odometry({ x: 0, y: 0, z: 0, w: 0 })), malformed(type, /pose\.pose\.orientation/));
    assert.throws(() => poseFromOdometry(odometry({ x: 0, y: 0, z: 0, w: 1 }, { x: NaN, y: 0, z: 0 })), malformed(type, /pose\.pose\.position\.x/));
    assert.throws(() => poseFromOdometry({ header: { stamp: STAMP, frame_id: 'odom' } }), malformed(type, /^pose$/));
    assert.throws(() => poseFromPoseStamped({ header: { stamp: STAMP, frame_id: 'm' }, pose: { position: {}, orientation: { x: 0, y: 0, z: 0, w: 1 } } }), malformed('geometry_msgs/msg/PoseStamped', /position\.x/));
  });

  it('converts stamps exactly above 2^53 and keeps nanosec in [0, 1e9) for negative times', () => {
    assert.equal(stampToNs(STAMP), STAMP_NS);
    assert.deepEqual(nsToStamp(STAMP_NS), STAMP);
    assert.deepEqual(nsToStamp(9_007_199_254_740_993n), { sec: 9_007_199, nanosec: 254_740_993 });
    assert.deepEqual(nsToStamp(-1n), { sec: -1, nanosec: 999_999_999 });
    assert.equal(stampToNs(nsToStamp(-1_500_000_000n)), -1_500_000_000n);
  });
});
