// The node's parameters: the shipped config/seqvpr.params.yaml sets only declared parameters, with
// values of the right type (doubles written as doubles, as ROS 2's YAML parser requires) and range;
// every parameter is declared with a description, its range and whether it can change at run time.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML, { isMap, isScalar, isSeq, type Scalar } from 'yaml';
import { packageRoot } from '../../src/core/package-root.js';
import { FakeTransport } from '../../src/ros/fake-transport.js';
import { PARAMETERS, PARAMETER_NAMES, applyParameterChanges, declareNodeParams, parameterDescriptor, parameterProblem, parseNodeParams } from '../../src/ros/params.js';
import { shippedParameters } from './helpers.js';

const PARAMS_FILE = path.join(packageRoot(), 'config/seqvpr.params.yaml');

describe('seqvpr_node parameters', () => {
  it('config/seqvpr.params.yaml is a ros__parameters file for seqvpr_node', async () => {
    const doc = YAML.parse(await readFile(PARAMS_FILE, 'utf8'));
    assert.deepEqual(Object.keys(doc), ['seqvpr_node']);
    assert.deepEqual(Object.keys(doc.seqvpr_node), ['ros__parameters']);
  });

  it('sets every declared parameter, and only those, with valid values', async () => {
    const values = await shippedParameters();
    assert.deepEqual(Object.keys(values).sort(), [...PARAMETER_NAMES].sort());
    for (const [name, value] of Object.entries(values)) assert.equal(parameterProblem(name, value), undefined, name);
    assert.doesNotThrow(() => parseNodeParams(values));
  });

  it('writes doubles with a decimal point and no empty lists (ROS 2 would reject or mistype them)', async () => {
    const doc = YAML.parseDocument(await readFile(PARAMS_FILE, 'utf8'), { keepSourceTokens: true });
    const items: { name: string; value: unknown }[] = [];
    const collect = (node: unknown, prefix: string): void => {
      assert.ok(isMap(node));
      for (const item of node.items) {
        const name = `${prefix}${String((item.key as Scalar).value)}`;
        if (isMap(item.value)) collect(item.value, `${name}.`);
        else items.push({ name, value: item.value });
      }
    };
    collect(doc.getIn(['seqvpr_node', 'ros__parameters'], true), '');
    assert.equal(items.length, PARAMETER_NAMES.length);
    for (const item of items) {
      const name = item.name;
      const spec = PARAMETERS[name as keyof typeof PARAMETERS];
      if (spec.type === 'double') {
        assert.ok(isScalar(item.value));
        assert.match(String(item.value.srcToken && 'source' in item.value.srcToken ? item.value.srcToken.source : ''), /\./, `${name} must be written as a double`);
      }
      if (spec.type === 'integer') assert.ok(Number.isInteger((item.value as Scalar).value), `${name} is an integer`);
      if (spec.type === 'string_array') assert.ok(isSeq(item.value) && item.value.items.length > 0, `${name}: ROS 2 cannot type an empty list`);
    }
  });

  it('declares each parameter with a description, its range and when it applies', async () => {
    const port = new FakeTransport({ parameterOverrides: await shippedParameters() });
    const params = declareNodeParams(port);
    for (const name of PARAMETER_NAMES) {
      const d = port.describeParameter(name)!;
      assert.ok(d.description.length > 20, `${name} has a description`);
      if (d.type === 'double' || d.type === 'integer') assert.ok(d.range, `${name} has a range`);
      assert.deepEqual(port.getParameter(name), params[name], `${name} comes from the file`);
    }
    assert.equal(parameterDescriptor('autostart').readOnly, true);
    assert.equal(parameterDescriptor('min_confidence').readOnly, false);
    assert.match(parameterDescriptor('mode').additionalConstraints!, /one of: localize, map, slam; read at configure/);
  });

  it('refuses bad values at declaration: an override outside its range stops the node from starting', () => {
    const port = new FakeTransport({ parameterOverrides: { qos_depth: 0 } });
    assert.throws(() => declareNodeParams(port), /qos_depth must lie in \[1, 1000\]/);
    const enumPort = new FakeTransport({ parameterOverrides: { mode: 'explore' } });
    assert.throws(() => declareNodeParams(enumPort), /mode/);
  });

  it('has no dotted parameter names, and refuses a params file with the old qos.* names, naming the new ones', () => {
    // Dotted names are what made `ros2 param list` crash rclnodejs 2.2.0 (README, limits).
    for (const name of PARAMETER_NAMES) assert.doesNotMatch(name, /\./, name);
    const old = new FakeTransport({
      argv: ['--ros-args', '--params-file', 'old.yaml'],
      readFile: () => 'seqvpr_node:\n  ros__parameters:\n    qos:\n      reliability: reliable\n      depth: 3\n',
    });
    assert.throws(() => declareNodeParams(old), /renamed: qos\.reliability -> qos_reliability, qos\.depth -> qos_depth/);
  });

  it('applies run-time changes by kind: live at once, configure-time only while unconfigured, start-up never', async () => {
    const current = parseNodeParams(await shippedParameters());
    const live = applyParameterChanges(current, [{ name: 'loop_exclude_s', value: 5.0 }], 'active');
    assert.ok('params' in live && live.params.loop_exclude_s === 5);
    assert.ok('reason' in applyParameterChanges(current, [{ name: 'map_path', value: '/maps/b' }], 'inactive'));
    assert.ok('params' in applyParameterChanges(current, [{ name: 'map_path', value: '/maps/b' }], 'unconfigured'));
    assert.ok('reason' in applyParameterChanges(current, [{ name: 'autostart', value: false }], 'unconfigured'));
    assert.ok('reason' in applyParameterChanges(current, [{ name: 'execution_providers', value: ['cuda', 'opencl'] }], 'unconfigured'));
    assert.ok('reason' in applyParameterChanges(current, [{ name: 'map_frame_id', value: '' }], 'active'));
    // All or nothing: one bad change refuses the whole set.
    const mixed = applyParameterChanges(current, [{ name: 'min_confidence', value: 0.3 }, { name: 'qos_depth', value: 0 }], 'unconfigured');
    assert.ok('reason' in mixed && /qos_depth/.test(mixed.reason));
  });
});
