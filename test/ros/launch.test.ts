// The launch files end to end (test/ros/RCL-BEHAVIOUR.md, rows P2 and W1): what
// launch/seqvpr.launch.py gives the node (its name, remappings and params files, including the
// temporary file launch_ros writes for the launch arguments) reaches seqvpr_node's parameters.
// With launch_ros importable (ROS 2 sourced) the real launch machinery expands the file; without
// it, test/ros/launch_params.py runs the same launch file on a model of launch_ros's parameter
// writing, so the key format (the fully qualified node name) is checked in CI too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { FakeTransport } from '../../src/ros/fake-transport.js';
import { SeqvprNode } from '../../src/ros/node.js';
import { SHIPPED_PARAMS_FILE } from './helpers.js';

const root = packageRoot();
const SCRIPT = path.join(root, 'test/ros/launch_params.py');
const LAUNCH = path.join(root, 'launch/seqvpr.launch.py');

interface Expanded {
  node_name: string;
  arguments: string[];
  files: Record<string, string>;
}

function python(code: string): boolean {
  return spawnSync('python3', ['-c', code], { encoding: 'utf8' }).status === 0;
}

function expand(mode: '--real' | '--model', args: string[]): Expanded {
  const run = spawnSync('python3', [SCRIPT, mode, LAUNCH, ...args], { encoding: 'utf8', cwd: root });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Expanded;
}

/** A node on the fake transport started with what the launch file expanded to. */
function launchedNode(e: Expanded): { port: FakeTransport; node: SeqvprNode } {
  const port = new FakeTransport({
    nodeName: e.node_name,
    argv: ['seqvpr_node', '--ros-args', ...e.arguments],
    readFile: (p) => e.files[p] ?? readFileSync(p, 'utf8'),
  });
  return { port, node: new SeqvprNode(port) };
}

const remaps = (e: Expanded) => e.arguments.flatMap((a, i) => (e.arguments[i - 1] === '-r' ? [a] : []));

function checkLaunch(mode: '--real' | '--model'): void {
  const e = expand(mode, [
    `params_file:=${SHIPPED_PARAMS_FILE}`,
    'map_path:=2024',
    'autostart:=false',
    'image_transport:=compressed',
    'namespace:=robot1',
    'image_topic:=/camera/image_raw',
    'odom_topic:=/odom',
  ]);
  assert.equal(e.node_name, '/robot1/seqvpr_node');
  assert.ok(Object.values(e.files).some((text) => /^\/robot1\/seqvpr_node:/m.test(text)), 'launch_ros keys its file by the fully qualified name');
  const { port, node } = launchedNode(e);
  assert.equal(node.parameters.map_path, '2024', 'a launch argument that looks like a number stays a string');
  assert.equal(node.parameters.autostart, false);
  assert.equal(node.parameters.image_transport, 'compressed');
  assert.equal(node.parameters.mode, 'localize', 'not given: the params file’s');
  assert.equal(node.parameters.loop_exclude_frames, 50, 'from the params file');
  assert.deepEqual(port.logsMatching(/unknown parameters/), []);
  for (const r of ['image:=/camera/image_raw', 'image/compressed:=/camera/image_raw/compressed', 'odom:=/odom', '__ns:=/robot1', '__node:=seqvpr_node']) {
    assert.ok(remaps(e).includes(r), `remaps ${r} (got ${remaps(e).join(' ')})`);
  }

  const plain = launchedNode(expand(mode, [`params_file:=${SHIPPED_PARAMS_FILE}`]));
  assert.equal(plain.node.parameters.autostart, true, 'no arguments: the params file alone');
  assert.equal(plain.port.nodeName, '/seqvpr_node');
}

describe('launch/seqvpr.launch.py gives the node its arguments', () => {
  it('W1: through a model of launch_ros’s parameter files (python3 + PyYAML)', function () {
    if (!python('import yaml')) {
      this.test!.title += ' (skipped: python3 with PyYAML is not available)';
      this.skip();
    }
    checkLaunch('--model');
  });

  it('W2: through launch_ros itself (ROS 2 sourced)', function () {
    if (!python('import launch_ros, launch, yaml')) {
      this.test!.title += ' (skipped: launch_ros is not importable; source a ROS 2 installation to run it)';
      this.skip();
    }
    checkLaunch('--real');
  });
});
