// Parameters reach the node the way rcl delivers them (test/ros/RCL-BEHAVIOUR.md, rows P1-P9):
// params files keyed by `/**`, the bare name, the fully qualified name and wildcards, `-p`
// overrides in command-line order, and rcl's YAML typing; then through the fake transport into a
// real SeqvprNode.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../src/core/errors.js';
import { FakeTransport } from '../../src/ros/fake-transport.js';
import { SeqvprNode } from '../../src/ros/node.js';
import { nodeNameMatches, overrideValue, parameterOverridesFromArgs, parseRosArguments } from '../../src/ros/ros-arguments.js';
import { SHIPPED_PARAMS_FILE } from './helpers.js';

const files = (map: Record<string, string>) => (p: string) => {
  if (!(p in map)) throw new Error(`ENOENT: no such file ${p}`);
  return map[p];
};
const valuesFor = (argv: string[], fqn: string, map: Record<string, string> = {}) =>
  Object.fromEntries([...parameterOverridesFromArgs(argv, fqn, files(map))].map(([k, v]) => [k, v.value]));

const file = (key: string, body: string) => `${key}:\n  ros__parameters:\n${body.replace(/^/gm, '    ')}\n`;

describe('ROS 2 parameter overrides (rcl arguments, rcl_yaml_param_parser, rclcpp resolution)', () => {
  it('P1: applies /**, the bare name, the fully qualified name and wildcards to the node they match', () => {
    const keys = ['/**', 'seqvpr_node', '/seqvpr_node', '/**/seqvpr_node', '/*/seqvpr_node', '/robot1/seqvpr_node', '/other', 'robot1/*'];
    const hits = (fqn: string) => keys.filter((k) => nodeNameMatches(k, fqn));
    assert.deepEqual(hits('/seqvpr_node'), ['/**', 'seqvpr_node', '/seqvpr_node', '/**/seqvpr_node']);
    assert.deepEqual(hits('/robot1/seqvpr_node'), ['/**', '/**/seqvpr_node', '/*/seqvpr_node', '/robot1/seqvpr_node', 'robot1/*']);
  });

  it('P2: reads the file launch_ros writes for parameters=[dict]: keyed by the fully qualified name', () => {
    const launch = { '/tmp/launch_params_x': "/seqvpr_node:\n  ros__parameters:\n    autostart: false\n    map_path: /maps/day1\n" };
    assert.deepEqual(valuesFor(['--ros-args', '--params-file', '/tmp/launch_params_x'], '/seqvpr_node', launch), { autostart: false, map_path: '/maps/day1' });
    const ns = { f: "/robot1/seqvpr_node:\n  ros__parameters:\n    mode: map\n" };
    assert.deepEqual(valuesFor(['--ros-args', '--params-file', 'f'], '/robot1/seqvpr_node', ns), { mode: 'map' });
    assert.deepEqual(valuesFor(['--ros-args', '--params-file', 'f'], '/seqvpr_node', ns), {}, 'another namespace: not this node');
  });

  it('P3: nested node keys are namespaces, nested parameter keys are dotted names', () => {
    const f = { f: 'robot1:\n  seqvpr_node:\n    ros__parameters:\n      qos:\n        depth: 3\n' };
    assert.deepEqual(valuesFor(['--ros-args', '--params-file', 'f'], '/robot1/seqvpr_node', f), { 'qos.depth': 3 });
  });

  it('P4: later sources win in command-line order of their node keys; a value in the same key is replaced', () => {
    const f = { f: file('seqvpr_node', 'min_confidence: 0.2\nmode: map'), g: file('/**', 'min_confidence: 0.4') };
    // The file's node entry comes first, the -p rule's /** entry after it: -p wins.
    assert.deepEqual(valuesFor(['--ros-args', '--params-file', 'f', '-p', 'min_confidence:=0.3'], '/seqvpr_node', f), { min_confidence: 0.3, mode: 'map' });
    // -p first: its /** entry comes first, the node-keyed file after it wins.
    assert.deepEqual(valuesFor(['--ros-args', '-p', 'min_confidence:=0.3', '--params-file', 'f'], '/seqvpr_node', f), { min_confidence: 0.2, mode: 'map' });
    // Same /** entry: the later value replaces the earlier one in place.
    assert.deepEqual(valuesFor(['--ros-args', '-p', 'min_confidence:=0.3', '--params-file', 'g'], '/seqvpr_node', f), { min_confidence: 0.4 });
    // Several --ros-args sections; `--` ends one; -p node:name applies to that node only.
    const argv = ['prog', '--ros-args', '-p', 'a:=1', '--', '-p', 'b:=2', '--ros-args', '-p', 'other:c:=3', '-p', 'seqvpr_node:d:=4', '-r', '__node:=x'];
    assert.deepEqual(valuesFor(argv, '/seqvpr_node'), { a: 1, d: 4 });
  });

  it('P5: types values as rcl does: quotes and !!str make strings, 30 is an integer, 30.0 a double', () => {
    const f = {
      f: file(
        '/**',
        "i: 30\nd: 30.0\ne: 1e3\nq: '30'\ns: !!str 30\nh: 0x1f\no: 017\nz: 08\nb1: yes\nb2: Off\nt: hello\nl: [cpu, cuda]\nn: [1, 2]\nm: .inf",
      ),
    };
    const params = parseRosArguments(['--ros-args', '--params-file', 'f'], files(f));
    const typed = Object.fromEntries([...params.nodes[0].parameters].map(([k, v]) => [k, [v.type, v.value]]));
    assert.deepEqual(typed, {
      i: ['integer', 30],
      d: ['double', 30],
      e: ['double', 1000],
      q: ['string', '30'],
      s: ['string', '30'],
      h: ['integer', 31],
      o: ['integer', 15],
      z: ['double', 8],
      b1: ['bool', true],
      b2: ['bool', false],
      t: ['string', 'hello'],
      l: ['string_array', ['cpu', 'cuda']],
      n: ['integer_array', [1, 2]],
      m: ['double', Infinity],
    });
    // -p values are YAML too.
    const p = parseRosArguments(['--ros-args', '-p', 'x:=0.5', '-p', 'y:=[a]', '-p', "s:='007'"]).nodes[0].parameters;
    assert.deepEqual([...p.values()].map((v) => [v.type, v.value]), [['double', 0.5], ['string_array', ['a']], ['string', '007']]);
  });

  it('P6: refuses what rcl cannot read: empty or mixed lists, missing files, rules without :=', () => {
    assert.throws(() => parseRosArguments(['--ros-args', '--params-file', 'f'], files({ f: file('/**', 'l: []') })), /empty list/);
    assert.throws(() => parseRosArguments(['--ros-args', '--params-file', 'f'], files({ f: file('/**', 'l: [1, a]') })), /one type/);
    assert.throws(() => parseRosArguments(['--ros-args', '--params-file', 'missing.yaml'], files({})), /--params-file missing\.yaml/);
    assert.throws(() => parseRosArguments(['--ros-args', '-p', 'novalue']), ConfigError);
  });

  it('P7: an integer for a double parameter is taken as that double; other mismatches name both types and the source', () => {
    const d = { name: 'min_confidence', type: 'double' };
    assert.equal(overrideValue(d, { type: 'integer', value: 1, source: '-p min_confidence:=1' }), 1);
    assert.throws(() => overrideValue(d, { type: 'string', value: 'high', source: 'my.yaml' }), /min_confidence is a double, but my\.yaml gives the string high/);
    assert.throws(() => overrideValue({ name: 'map_path', type: 'string' }, { type: 'integer', value: 2024, source: 'f' }), /quote it/);
    assert.throws(() => overrideValue({ name: 'loop_exclude_frames', type: 'integer' }, { type: 'double', value: 5.5, source: 'f' }), /is a integer, but f gives the double 5\.5/);
  });

  it('P8: a node started like `ros2 launch` gets the launch arguments; typing mistakes stop it with a clear message', () => {
    const launchFile = '/tmp/launch_params_abc';
    const port = new FakeTransport({
      nodeName: '/robot1/seqvpr_node',
      argv: ['--ros-args', '-r', '__node:=seqvpr_node', '-r', '__ns:=/robot1', '--params-file', SHIPPED_PARAMS_FILE, '--params-file', launchFile, '-p', 'min_confidence:=1'],
      readFile: (p) => (p === launchFile ? '/robot1/seqvpr_node:\n  ros__parameters:\n    autostart: false\n    map_path: /maps/day1\n    mode: slam\n' : readFileSync(p, 'utf8')),
    });
    const node = new SeqvprNode(port);
    assert.equal(node.parameters.map_path, '/maps/day1');
    assert.equal(node.parameters.mode, 'slam');
    assert.equal(node.parameters.autostart, false);
    assert.equal(node.parameters.min_confidence, 1, 'an integer given for a double');
    assert.equal(node.parameters.loop_exclude_frames, 50, 'from the shipped file');
    assert.deepEqual(port.logsMatching(/unknown parameters/), []);

    const bad = new FakeTransport({ argv: ['--ros-args', '-p', 'loop_exclude_s:=soon'] });
    assert.throws(() => new SeqvprNode(bad), /loop_exclude_s is a double, but -p loop_exclude_s:=soon gives the string soon/);
  });

  it('P9: `ros2 param set` types its text; a type mismatch, a value out of range or an unknown name is refused, saying why, before the node sees it', async () => {
    const port = new FakeTransport({ argv: ['--ros-args', '--params-file', SHIPPED_PARAMS_FILE] });
    const node = new SeqvprNode(port);
    assert.deepEqual(port.setParameterFromCli('min_confidence', '0.3'), { successful: true });
    assert.equal(node.parameters.min_confidence, 0.3);
    const refused = port.setParameterFromCli('min_confidence', '1');
    assert.equal(refused.successful, false);
    assert.equal((refused as { reason: string }).reason, 'parameter min_confidence is a double, got the integer 1 (write 1.0)');
    const outOfRange = port.setParameterFromCli('min_confidence', '1.5') as { reason: string };
    assert.equal(outOfRange.reason, 'parameter min_confidence must lie in [0, 1], got 1.5');
    const unknown = port.setParameterFromCli('min_confidense', '0.2') as { reason: string };
    assert.match(unknown.reason, /^parameter min_confidense is not declared/);
    assert.equal(node.parameters.min_confidence, 0.3, 'unchanged');
    await port.transition('shutdown');
  });
});
