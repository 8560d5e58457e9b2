// Topic names resolved as rcl resolves them (src/ros/names.ts; test/ros/RCL-BEHAVIOUR.md N1).
import assert from 'node:assert/strict';
import { expandTopicName, remapRules, resolveTopicName } from '../../src/ros/names.js';

describe('topic names as rcl resolves them', () => {
  it('N1: expands relative and private names in the namespace and applies the first matching remap rule', () => {
    assert.equal(expandTopicName('image', '/seqvpr_node'), '/image');
    assert.equal(expandTopicName('image/compressed', '/robot1/seqvpr_node'), '/robot1/image/compressed');
    assert.equal(expandTopicName('~/place_match', '/robot1/seqvpr_node'), '/robot1/seqvpr_node/place_match');
    assert.equal(expandTopicName('/diagnostics', '/robot1/seqvpr_node'), '/diagnostics');
    // As launch/seqvpr.launch.py passes them (and launch_ros adds __node / __ns).
    const argv = ['node', 'main.js', '--ros-args', '-r', '__node:=seqvpr_node', '-r', '__ns:=/robot1', '-r', 'driver:image:=/elsewhere',
      '-r', 'image:=/camera/image_raw', '-r', 'image/compressed:=/camera/image_raw/compressed', '-r', 'odom:=odom', '-r', 'image:=/second'];
    const rules = remapRules(argv);
    assert.equal(rules.length, 5, '__node and __ns are not topic rules');
    assert.equal(resolveTopicName('image', '/robot1/seqvpr_node', rules), '/camera/image_raw', 'the first rule for this node wins');
    assert.equal(resolveTopicName('image/compressed', '/robot1/seqvpr_node', rules), '/camera/image_raw/compressed');
    assert.equal(resolveTopicName('odom', '/robot1/seqvpr_node', rules), '/robot1/odom', 'a relative target is expanded too');
    assert.equal(resolveTopicName('image', '/driver', rules), '/elsewhere', 'a node-specific rule for its node');
    assert.equal(resolveTopicName('~/pose', '/robot1/seqvpr_node', rules), '/robot1/seqvpr_node/pose');
    assert.deepEqual(remapRules(['main.js', '-r', 'image:=/x']), [], 'outside --ros-args nothing is a rule');
  });
});
