// The rclnodejs adapter on a stand-in for the rclnodejs 2.2.0 module that behaves as its JavaScript
// does where the adapter depends on it (test/ros/RCL-BEHAVIOUR.md, rows R1-R6), not as its .d.ts
// says: lifecycle State objects have `id` and `label` only (no asMessage()); a transition runs its
// callback synchronously and moves on by the code it returns (lib/lifecycle.js _changeState);
// parameter overrides are only the `/**` and bare-name entries (lib/node.js
// _getNativeParameterOverrides); descriptors reach describe_parameters through `for...in` over the
// Range objects (message_translator.cjs copyMsgObject); publishing sends a typed array from the
// start of its buffer (message-template.cjs freeze). The real module runs in live.test.ts where
// ROS 2 is available; its declarations are checked by scripts/check-rclnodejs-types.sh.
import assert from 'node:assert/strict';
import { deserializeMessage, serializeMessage } from '../../src/ros/cdr.js';
import { SENSOR_DATA_QOS } from '../../src/ros/port.js';
import { RclnodejsPort, type Rclnodejs } from '../../src/ros/rclnodejs-adapter.js';
import { asRclnodejsSendsIt, exactByteArrays } from '../../src/ros/wire.js';

type Callback = (prev: State) => number;

/** lib/lifecycle.js State: id and label, nothing else. */
class State {
  constructor(
    readonly id: number,
    readonly label: string,
  ) {}
}
const STATES: Record<string, number> = { unconfigured: 1, inactive: 2, active: 3, finalized: 4 };
const state = (label: string) => new State(STATES[label], label);

const GOALS: Record<string, [string, string]> = {
  configure: ['unconfigured', 'inactive'],
  activate: ['inactive', 'active'],
  deactivate: ['active', 'inactive'],
  cleanup: ['inactive', 'unconfigured'],
};

/** message_translator.cjs copyMsgObject: the message takes the object's enumerable fields it has. */
function copyEnumerable(fields: string[], obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = Object.fromEntries(fields.map((f) => [f, 0]));
  for (const key in obj) if (fields.includes(key)) out[key] = (obj as Record<string, unknown>)[key];
  return out;
}

function fakeRclnodejs(cliOverrides: { name: string; parameters: Record<string, unknown> }[] = []) {
  const log: string[] = [];
  const wire: Record<string, Uint8Array[]> = {};
  class Parameter {
    constructor(
      readonly name: string,
      readonly type: number,
      public value?: unknown,
    ) {}
  }
  class Range {
    constructor(
      private readonly _fromValue: unknown,
      private readonly _toValue: unknown,
      private readonly _step: unknown = 1,
    ) {}
    get fromValue() {
      return this._fromValue;
    }
    get toValue() {
      return this._toValue;
    }
    get step() {
      return this._step;
    }
  }
  class FloatingPointRange extends Range {}
  class IntegerRange extends Range {}
  class ParameterDescriptor {
    additionalConstraints = '';
    /** lib/parameter.js: the constructor keeps the range in `_range`; toMessage() reads `_rangeConstraint`. */
    _range: Range | undefined;
    _rangeConstraint: Range | undefined;
    constructor(
      readonly name: string,
      readonly type: number,
      readonly description?: string,
      readonly readOnly?: boolean,
      range?: Range,
    ) {
      this._range = range;
    }
    get range() {
      return this._range;
    }
    /** lib/parameter.js validateParameter: the type, then the range. */
    validateParameter(p: Parameter) {
      if (p.type !== this.type) throw new Error('ParameterTypeError');
      const r = this._range;
      if (r && !((p.value as number) >= (r.fromValue as number) && (p.value as number) <= (r.toValue as number))) throw new Error('RangeError');
    }
    /** lib/parameter.js toMessage, then the generated message's copy of the range (copyMsgObject). */
    toMessage(): Record<string, unknown> {
      const msg: Record<string, unknown> = { name: this.name, floating_point_range: [], integer_range: [] };
      const r = this._rangeConstraint;
      if (r instanceof IntegerRange) msg.integer_range = [copyEnumerable(['from_value', 'to_value', 'step'], r)];
      else if (r instanceof FloatingPointRange) msg.floating_point_range = [copyEnumerable(['from_value', 'to_value', 'step'], r)];
      return msg;
    }
  }
  class QoS {
    readonly args: unknown[];
    constructor(...args: unknown[]) {
      this.args = args;
    }
  }
  class LifecycleNode {
    private stateLabel = 'unconfigured';
    callbacks = new Map<string, Callback>();
    declared: { parameter: Parameter; descriptor: ParameterDescriptor; ignoreOverride: boolean }[] = [];
    parameters = new Map<string, Parameter>([['use_sim_time', new Parameter('use_sim_time', 1, false)]]);
    setCallbacks: ((p: Parameter[]) => { successful: boolean; reason: string })[] = [];
    subscriptions: { typeClass: unknown; topic: string; options: { qos: QoS }; callback: (m: unknown) => void }[] = [];
    services = new Map<string, { type: unknown; callback: (req: object, res: { send(r: object): void }) => unknown }>();
    readonly comInterface: boolean;
    publishers: { topic: string; live: boolean }[] = [];
    _parameterEventPublisher: { topic: string; live: boolean };
    /** lib/node.js _getNativeParameterOverrides: `/**` first, then the bare node name; nothing else. */
    private readonly overrides: Map<string, unknown>;
    constructor(
      readonly name: string,
      readonly namespace = '',
      _context?: unknown,
      _options?: unknown,
      enableCommunicationInterface = true,
    ) {
      this.comInterface = enableCommunicationInterface;
      // lib/node.js constructor: parameter events on the relative name (so under the namespace).
      this._parameterEventPublisher = this.createPublisher('rcl_interfaces/msg/ParameterEvent', 'parameter_events');
      this.overrides = new Map(
        ['/**', name].flatMap((key) => Object.entries(cliOverrides.find((o) => o.name === key)?.parameters ?? {})),
      );
    }
    getLogger() {
      return { info: (m: string) => log.push(`info ${m}`), warn: (m: string) => log.push(`warn ${m}`), error: (m: string) => log.push(`error ${m}`) };
    }
    getFullyQualifiedName() {
      return `${this.namespace}/${this.name}`;
    }
    now() {
      return { nanoseconds: 42n };
    }
    declareParameter(parameter: Parameter, descriptor: ParameterDescriptor, ignoreOverride = false) {
      const p = !ignoreOverride && this.overrides.has(parameter.name) ? new Parameter(parameter.name, parameter.type, this.overrides.get(parameter.name)) : parameter;
      this.declared.push({ parameter: p, descriptor, ignoreOverride });
      this.parameters.set(p.name, p);
      return p;
    }
    getParameter(name: string) {
      return this.parameters.get(name)!;
    }
    setParameter(p: Parameter) {
      this.parameters.set(p.name, p);
      return { successful: true, reason: '' };
    }
    hasParameter(name: string) {
      return this.parameters.has(name);
    }
    /** lib/node.js: an undeclared name gets a PARAMETER_NOT_SET descriptor (so hasParameterDescriptor is always true). */
    getParameterDescriptor(name: string) {
      if (name === 'use_sim_time') return new ParameterDescriptor(name, 1);
      return this.declared.find((d) => d.parameter.name === name)?.descriptor ?? new ParameterDescriptor(name, 0);
    }
    /** lib/node.js _validateParameters: every descriptor refusal reads "does not  readonly" (seen on Jazzy). */
    _validateParameters(parameters: Parameter[]) {
      for (const p of parameters) {
        const d = this.getParameterDescriptor(p.name);
        if (d.readOnly) return { successful: false, reason: `Parameter ${p.name} is readonly` };
        try {
          d.validateParameter(p);
        } catch {
          return { successful: false, reason: `Parameter ${p.name} does not  readonly` };
        }
      }
      return { successful: true, reason: null };
    }
    /** lib/node.js _setParametersAtomically, as the set_parameters service runs it: validation, then the callbacks. */
    setParametersFromService(parameters: Parameter[]) {
      const checked = this._validateParameters(parameters);
      if (!checked.successful) return checked;
      for (const cb of this.setCallbacks) {
        const r = cb(parameters);
        if (!r.successful) return r;
      }
      for (const p of parameters) this.parameters.set(p.name, p);
      return { successful: true, reason: '' };
    }
    addOnSetParametersCallback(cb: (p: Parameter[]) => { successful: boolean; reason: string }) {
      this.setCallbacks.push(cb);
    }
    /** lib/node.js resolveTopicName: rcl expands and remaps the name (here: a fixed remap of `image`). */
    resolveTopicName(topic: string) {
      return topic === 'image' ? '/camera/image_raw' : `/${topic}`;
    }
    createSubscription(typeClass: unknown, topic: string, options: { qos: QoS }, callback: (m: unknown) => void) {
      const s = { typeClass, topic, options, callback };
      this.subscriptions.push(s);
      return s;
    }
    destroySubscription(s: unknown) {
      this.subscriptions = this.subscriptions.filter((x) => x !== s);
    }
    createPublisher(typeClass: string | { package: string; type: string; name: string }, topic: string) {
      const type = typeof typeClass === 'string' ? typeClass : `${typeClass.package}/${typeClass.type}/${typeClass.name}`;
      const publisher = { topic, live: true, publish: (m: Record<string, unknown>) => (wire[topic] ??= []).push(serializeMessage(type, asRclnodejsSendsIt(m))) };
      this.publishers.push(publisher);
      return publisher;
    }
    destroyPublisher(p: { live: boolean }) {
      p.live = false;
    }
    createService(type: unknown, name: string, callback: (req: object, res: { send(r: object): void }) => unknown) {
      if (this.services.has(name)) throw new Error(`service ${name} exists`);
      this.services.set(name, { type, callback });
      return {};
    }
    registerOnConfigure(cb: Callback) {
      this.callbacks.set('configure', cb);
    }
    registerOnActivate(cb: Callback) {
      this.callbacks.set('activate', cb);
    }
    registerOnDeactivate(cb: Callback) {
      this.callbacks.set('deactivate', cb);
    }
    registerOnCleanup(cb: Callback) {
      this.callbacks.set('cleanup', cb);
    }
    registerOnShutdown(cb: Callback) {
      this.callbacks.set('shutdown', cb);
    }
    get currentState() {
      return state(this.stateLabel);
    }
    /** lib/lifecycle.js _changeState: throws when not available; SUCCESS -> goal, FAILURE -> start (shutdown: finalized). */
    private change(transition: string) {
      const [from, to] = GOALS[transition] ?? [this.stateLabel, 'finalized'];
      if (this.stateLabel !== from || from === 'finalized') throw new Error(`No transition available from state ${transition}`);
      const code = this.callbacks.get(transition)?.(state(from)) ?? 97;
      this.stateLabel = code === 97 || transition === 'shutdown' ? to : from;
      return this.currentState;
    }
    configure() {
      return this.change('configure');
    }
    activate() {
      return this.change('activate');
    }
    deactivate() {
      return this.change('deactivate');
    }
    cleanup() {
      return this.change('cleanup');
    }
    shutdown() {
      return this.change('shutdown');
    }
  }
  const rcl = {
    inits: [] as unknown[][],
    async init(...args: unknown[]) {
      rcl.inits.push(args);
    },
    Parameter,
    ParameterDescriptor,
    FloatingPointRange,
    IntegerRange,
    QoS,
    lifecycle: { LifecycleNode },
  };
  return { rcl, log, wire };
}

async function adapter(argv: string[] = ['node', 'x', '--ros-args'], cliOverrides: Parameters<typeof fakeRclnodejs>[0] = []) {
  const { rcl, log, wire } = fakeRclnodejs(cliOverrides);
  const port = await RclnodejsPort.create({ nodeName: 'seqvpr_node', argv, rclnodejs: rcl as unknown as Rclnodejs });
  const node = port.node as unknown as InstanceType<(typeof rcl)['lifecycle']['LifecycleNode']>;
  /** Calls a service the way rclnodejs's Service.processRequest does: the callback's resolved value, or what it sent. */
  const call = (name: string, request: object) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const s = node.services.get(name);
      if (!s) return reject(new Error(`no service ${name}`));
      Promise.resolve(s.callback(request, { send: resolve })).then((r) => r && resolve(r as Record<string, unknown>), reject);
    });
  return { port, node, rcl, log, wire, call };
}

const hooksRecording = (calls: string[], configureFails: () => boolean) => ({
  onConfigure: async () => {
    calls.push('configure');
    await new Promise((r) => setTimeout(r, 5));
    if (configureFails()) throw new Error('no map');
  },
  onActivate: async () => void calls.push('activate'),
  onDeactivate: async () => void calls.push('deactivate'),
  onCleanup: async () => void calls.push('cleanup'),
  onShutdown: async (from: string) => void calls.push(`shutdown from ${from}`),
});

describe('RclnodejsPort (on a stand-in that behaves like rclnodejs 2.2.0)', () => {
  it('R1: initialises with the command line, names the node, and reads lifecycle states by label (no asMessage)', async () => {
    const { port, rcl, node } = await adapter();
    assert.deepEqual(rcl.inits, [[undefined, ['node', 'x', '--ros-args']]]);
    assert.equal(port.nodeName, '/seqvpr_node');
    assert.equal(port.now(), 42n);
    assert.equal(port.lifecycleState, 'unconfigured');
    assert.equal('asMessage' in node.currentState, false, 'the stand-in State is as thin as the real one');
    assert.equal(node.comInterface, false, "rcl's own lifecycle services are off: the port offers them");
    assert.deepEqual([...node.services.keys()].sort(), ['~/change_state', '~/get_available_states', '~/get_available_transitions', '~/get_state', '~/get_transition_graph']);
  });

  it('R2: takes parameters from the command line as rcl resolves them, not from rclnodejs’s partial overrides', async () => {
    const file = `/tmp/seqvpr-adapter-${process.pid}.yaml`;
    const { writeFileSync, rmSync } = await import('node:fs');
    writeFileSync(file, '/seqvpr_node:\n  ros__parameters:\n    qos_depth: 7\n    min_confidence: 1\n    use_sim_time: true\n');
    try {
      // rclnodejs would see only the /** entry (from -p) and miss the file's /seqvpr_node entry.
      const { port, node } = await adapter(['node', 'x', '--ros-args', '--params-file', file, '-p', 'mode:=map'], [{ name: '/**', parameters: { mode: 'map' } }]);
      const depth = port.declareParameter({ name: 'qos_depth', type: 'integer', description: 'd', readOnly: false, range: { from: 1, to: 1000 } }, 5);
      const conf = port.declareParameter({ name: 'min_confidence', type: 'double', description: 'c', readOnly: false, range: { from: 0, to: 1 }, additionalConstraints: 'x' }, 0.15);
      assert.equal(depth, 7, 'the FQN-keyed override, as a number');
      assert.equal(conf, 1, 'an integer for a double: taken as the double');
      assert.deepEqual(port.parameterOverrideNames().sort(), ['min_confidence', 'mode', 'qos_depth', 'use_sim_time']);
      assert.equal(node.getParameter('use_sim_time').value, true, 'use_sim_time (declared by rclnodejs) follows the resolved override');
      const [d, c] = node.declared;
      assert.deepEqual([d.parameter.type, d.parameter.value, d.ignoreOverride], [2, 7n, true], 'declared as bigint, rclnodejs’s own override ignored');
      assert.deepEqual([c.parameter.type, c.parameter.value, c.descriptor.readOnly, c.descriptor.additionalConstraints], [3, 1, false, 'x']);
      // R3: the ranges reach describe_parameters with the message's field names.
      assert.deepEqual(d.descriptor.toMessage().integer_range, [{ from_value: 1n, to_value: 1000n, step: 1n }]);
      assert.deepEqual(c.descriptor.toMessage().floating_point_range, [{ from_value: 0, to_value: 1, step: 0 }], 'step 0: any double in range');
      const seen: unknown[] = [];
      port.onSetParameters((changes) => {
        seen.push(...changes);
        return { successful: false, reason: 'no' };
      });
      const result = node.setCallbacks[0]([{ name: 'qos_depth', type: 2, value: 9n } as never]);
      assert.deepEqual(seen, [{ name: 'qos_depth', value: 9 }]);
      assert.deepEqual(result, { successful: false, reason: 'no' });
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('R7: `ros2 param set` refusals say why (rclnodejs 2.2.0 words them all "does not  readonly")', async () => {
    const { port, node, rcl } = await adapter();
    port.declareParameter({ name: 'min_confidence', type: 'double', description: 'c', readOnly: false, range: { from: 0, to: 1 } }, 0.15);
    port.declareParameter({ name: 'qos_depth', type: 'integer', description: 'd', readOnly: false, range: { from: 1, to: 1000 } }, 5);
    port.declareParameter({ name: 'autostart', type: 'bool', description: 'a', readOnly: true }, true);
    port.onSetParameters(() => ({ successful: true }));
    const set = (name: string, type: number, value: unknown) => node.setParametersFromService([new rcl.Parameter(name, type, value)]);
    assert.deepEqual(set('min_confidence', 3, 0.3), { successful: true, reason: '' });
    assert.deepEqual(set('min_confidence', 2, 1n), { successful: false, reason: 'parameter min_confidence is a double, got the integer 1 (write 1.0)' });
    assert.deepEqual(set('min_confidence', 3, 1.5), { successful: false, reason: 'parameter min_confidence must lie in [0, 1], got 1.5' });
    assert.deepEqual(set('qos_depth', 2, 0n), { successful: false, reason: 'parameter qos_depth must lie in [1, 1000], got 0' });
    assert.match(set('min_confidense', 3, 0.2).reason!, /^parameter min_confidense is not declared/);
    assert.deepEqual(set('use_sim_time', 4, 'yes'), { successful: false, reason: 'parameter use_sim_time is a bool, got the string "yes"' }, 'declared by rclnodejs');
    assert.deepEqual(set('autostart', 1, false), { successful: false, reason: 'Parameter autostart is readonly' }, 'rclnodejs says this one well');
  });

  it('R8: parameter events go to /parameter_events, not under the namespace (rclnodejs 2.2.0: /robot1/parameter_events, seen on Jazzy)', async () => {
    const { rcl } = fakeRclnodejs();
    const port = await RclnodejsPort.create({ nodeName: 'seqvpr_node', namespace: '/robot1', argv: ['node', 'x', '--ros-args'], rclnodejs: rcl as unknown as Rclnodejs });
    const node = port.node as unknown as { publishers: { topic: string; live: boolean }[]; _parameterEventPublisher: { topic: string } };
    assert.deepEqual(node.publishers.map((p) => [p.topic, p.live]), [['parameter_events', false], ['/parameter_events', true]]);
    assert.equal(node._parameterEventPublisher.topic, '/parameter_events', 'the one rclnodejs publishes parameter changes with');
  });

  it('R4: subscribes with the type descriptor and the QoS asked for, and reports the topic as rcl resolves it', async () => {
    const { port, node } = await adapter();
    const got: unknown[] = [];
    const sub = port.createSubscription('sensor_msgs/msg/Image', 'image', SENSOR_DATA_QOS, (m) => got.push(m));
    const s = node.subscriptions[0];
    assert.equal(s.topic, 'image', 'subscribed by the node-relative name, remapped by rcl');
    assert.equal(sub.topic, '/camera/image_raw', 'reported as rcl resolves it');
    assert.deepEqual(s.typeClass, { package: 'sensor_msgs', type: 'msg', name: 'Image' });
    assert.deepEqual(s.options.qos.args, [1, 5, 2, 2], 'keep last 5, best effort, volatile');
    s.callback({ a: 1 });
    assert.deepEqual(got, [{ a: 1 }]);
    sub.destroy();
    assert.equal(node.subscriptions.length, 0);
  });

  it('R5: publishes byte arrays that are views into a larger buffer as their own bytes', async () => {
    const record = new Uint8Array(64).map((_, i) => i);
    const png = record.subarray(20, 40); // e.g. image data inside a bag record
    const msg = { header: { stamp: { sec: 1, nanosec: 2 }, frame_id: 'cam' }, format: 'png', data: png };
    // What rclnodejs 2.2.0 alone would send: the first 20 bytes of the record.
    const raw = deserializeMessage('sensor_msgs/msg/CompressedImage', serializeMessage('sensor_msgs/msg/CompressedImage', asRclnodejsSendsIt(msg)));
    assert.deepEqual([...(raw.data as Uint8Array)], [...record.subarray(0, 20)]);
    const { port, wire } = await adapter();
    port.createPublisher('sensor_msgs/msg/CompressedImage', 'image/compressed', SENSOR_DATA_QOS).publish(msg);
    const received = deserializeMessage('sensor_msgs/msg/CompressedImage', wire['image/compressed'][0]);
    assert.deepEqual([...(received.data as Uint8Array)], [...png], 'the PNG bytes, not the start of the record');
    assert.equal(exactByteArrays(msg).data === png, false);
    const whole = { ...msg, data: new Uint8Array([1, 2, 3]) };
    assert.equal(exactByteArrays(whole), whole, 'nothing copied when every array covers its buffer');
  });

  it('R6: ~/change_state answers after the hook, with its outcome; a failed configure stays unconfigured', async () => {
    const { port, node, log, call } = await adapter();
    const calls: string[] = [];
    let configureFails = true;
    port.setLifecycleHooks(hooksRecording(calls, () => configureFails));
    assert.deepEqual(await call('~/change_state', { transition: { id: 1, label: '' } }), { success: false });
    assert.equal(port.lifecycleState, 'unconfigured', 'FAILURE: back to unconfigured, no rollback needed');
    assert.deepEqual(calls, ['configure']);
    assert.ok(log.some((l) => /configure failed: no map/.test(l)));

    configureFails = false;
    const configuring = call('~/change_state', { transition: { id: 0, label: 'configure' } });
    await new Promise((r) => setTimeout(r, 1));
    assert.deepEqual(await call('~/get_state', {}), { current_state: { id: 10, label: 'configuring' } });
    assert.deepEqual(await call('~/change_state', { transition: { id: 0, label: 'activate' } }), { success: false }, 'refused while configuring');
    assert.deepEqual(await configuring, { success: true });
    assert.equal(node.currentState.label, 'inactive');
    assert.equal(await port.transition('activate'), true);
    assert.equal(port.lifecycleState, 'active');
    assert.equal(await port.transition('configure'), false, 'not allowed from active');
    assert.equal(await port.transition('shutdown'), true);
    assert.equal(port.lifecycleState, 'finalized');
    assert.deepEqual(calls.slice(1), ['configure', 'activate', 'shutdown from active']);
  });

  it('answers services with the handler result', async () => {
    const { port, call } = await adapter();
    port.createService('std_srvs/srv/Trigger', '~/save_map', async () => ({ success: true, message: 'ok' }));
    assert.deepEqual(await call('~/save_map', {}), { success: true, message: 'ok' });
  });
});
