// The rclnodejs adapter's own logic, on a stand-in for the rclnodejs module that behaves as
// rclnodejs 2.2.0's JavaScript does where the adapter depends on it (lib/lifecycle.js runs a
// transition's callback synchronously and moves to the goal state on SUCCESS; integer parameters
// are bigint; FloatingPointRange's step defaults to 1). The real module is exercised by live.test.ts
// where ROS 2 is available; its declarations by scripts/check-rclnodejs-types.sh.
import assert from 'node:assert/strict';
import { RclnodejsPort, type Rclnodejs } from '../../src/ros/rclnodejs-adapter.js';
import { SENSOR_DATA_QOS } from '../../src/ros/port.js';

type Callback = (prev: FakeState) => number;

class FakeState {
  constructor(readonly label: string) {}
  asMessage() {
    return { id: 0, label: this.label };
  }
}

const GOALS: Record<string, [string, string]> = {
  configure: ['unconfigured', 'inactive'],
  activate: ['inactive', 'active'],
  deactivate: ['active', 'inactive'],
  cleanup: ['inactive', 'unconfigured'],
};

function fakeRclnodejs(overrides: Record<string, unknown> = {}) {
  const log: string[] = [];
  class Parameter {
    constructor(
      readonly name: string,
      readonly type: number,
      public value?: unknown,
    ) {}
  }
  class FloatingPointRange {
    constructor(
      readonly from: number,
      readonly to: number,
      readonly step = 1,
    ) {}
  }
  class IntegerRange {
    constructor(
      readonly from: bigint,
      readonly to: bigint,
      readonly step = 1n,
    ) {}
  }
  class ParameterDescriptor {
    additionalConstraints = '';
    constructor(
      readonly name: string,
      readonly type: number,
      readonly description?: string,
      readonly readOnly?: boolean,
      readonly range?: unknown,
    ) {}
  }
  class QoS {
    readonly args: unknown[];
    constructor(...args: unknown[]) {
      this.args = args;
    }
  }
  class LifecycleNode {
    state = new FakeState('unconfigured');
    callbacks = new Map<string, Callback>();
    declared: { parameter: Parameter; descriptor: ParameterDescriptor }[] = [];
    setCallbacks: ((p: Parameter[]) => { successful: boolean; reason: string })[] = [];
    subscriptions: { typeClass: unknown; topic: string; options: { qos: QoS }; callback: (m: unknown) => void }[] = [];
    services: { name: string; callback: (req: object, res: { send(r: object): void }) => void }[] = [];
    constructor(readonly name: string) {}
    getLogger() {
      return { info: (m: string) => log.push(`info ${m}`), warn: (m: string) => log.push(`warn ${m}`), error: (m: string) => log.push(`error ${m}`) };
    }
    getFullyQualifiedName() {
      return `/${this.name}`;
    }
    now() {
      return { nanoseconds: 42n };
    }
    declareParameter(parameter: Parameter, descriptor: ParameterDescriptor) {
      if (parameter.name in overrides) parameter.value = overrides[parameter.name];
      this.declared.push({ parameter, descriptor });
      return parameter;
    }
    getParameterOverrides() {
      return Object.keys(overrides).map((name) => new Parameter(name, 0, overrides[name]));
    }
    addOnSetParametersCallback(cb: (p: Parameter[]) => { successful: boolean; reason: string }) {
      this.setCallbacks.push(cb);
    }
    createSubscription(typeClass: unknown, topic: string, options: { qos: QoS }, callback: (m: unknown) => void) {
      const s = { typeClass, topic, options, callback };
      this.subscriptions.push(s);
      return s;
    }
    destroySubscription(s: unknown) {
      this.subscriptions = this.subscriptions.filter((x) => x !== s);
    }
    createService(_type: unknown, name: string, callback: (req: object, res: { send(r: object): void }) => void) {
      this.services.push({ name, callback });
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
      return this.state;
    }
    private change(transition: string) {
      const [from, to] = GOALS[transition] ?? [this.state.label, 'finalized'];
      if (this.state.label !== from) throw new Error(`${transition} not allowed from ${this.state.label}`);
      const prev = this.state;
      const code = this.callbacks.get(transition)?.(prev) ?? 97;
      this.state = new FakeState(code === 97 ? to : from);
      return this.state;
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
  return { rcl, log };
}

async function adapter(overrides: Record<string, unknown> = {}) {
  const { rcl, log } = fakeRclnodejs(overrides);
  const port = await RclnodejsPort.create({ nodeName: 'seqvpr_node', argv: ['node', 'x', '--ros-args'], rclnodejs: rcl as unknown as Rclnodejs });
  const node = port.node as unknown as InstanceType<(typeof rcl)['lifecycle']['LifecycleNode']>;
  return { port, node, rcl, log };
}

describe('RclnodejsPort (on a stand-in for the rclnodejs module)', () => {
  it('initialises with the command line and names the node', async () => {
    const { port, rcl } = await adapter();
    assert.deepEqual(rcl.inits, [[undefined, ['node', 'x', '--ros-args']]]);
    assert.equal(port.nodeName, '/seqvpr_node');
    assert.equal(port.now(), 42n);
  });

  it('declares typed parameters: integers as bigint, ranges without a step, values back as numbers', async () => {
    const { port, node } = await adapter({ 'qos.depth': 7n });
    const depth = port.declareParameter({ name: 'qos.depth', type: 'integer', description: 'd', readOnly: false, range: { from: 1, to: 1000 } }, 5);
    const conf = port.declareParameter({ name: 'min_confidence', type: 'double', description: 'c', readOnly: false, range: { from: 0, to: 1 }, additionalConstraints: 'x' }, 0.15);
    assert.equal(depth, 7, 'the override, as a number');
    assert.deepEqual(port.parameterOverrideNames(), ['qos.depth']);
    assert.equal(conf, 0.15);
    const [d, c] = node.declared;
    assert.deepEqual([d.parameter.type, d.parameter.value], [2, 7n], 'declared as bigint (here overridden)');
    assert.deepEqual({ ...(d.descriptor.range as object) }, { from: 1n, to: 1000n, step: 1n });
    assert.deepEqual([c.parameter.type, c.descriptor.readOnly, c.descriptor.additionalConstraints], [3, false, 'x']);
    assert.deepEqual({ ...(c.descriptor.range as object) }, { from: 0, to: 1, step: 0 }, 'step 0: any double in range');
    const seen: unknown[] = [];
    port.onSetParameters((changes) => {
      seen.push(...changes);
      return { successful: false, reason: 'no' };
    });
    const result = node.setCallbacks[0]([{ name: 'qos.depth', type: 2, value: 9n } as never]);
    assert.deepEqual(seen, [{ name: 'qos.depth', value: 9 }]);
    assert.deepEqual(result, { successful: false, reason: 'no' });
  });

  it('subscribes with the type descriptor and the QoS asked for', async () => {
    const { port, node } = await adapter();
    const got: unknown[] = [];
    const sub = port.createSubscription('sensor_msgs/msg/Image', 'image', SENSOR_DATA_QOS, (m) => got.push(m));
    const s = node.subscriptions[0];
    assert.deepEqual(s.typeClass, { package: 'sensor_msgs', type: 'msg', name: 'Image' });
    assert.deepEqual(s.options.qos.args, [1, 5, 2, 2], 'keep last 5, best effort, volatile');
    s.callback({ a: 1 });
    assert.deepEqual(got, [{ a: 1 }]);
    sub.destroy();
    assert.equal(node.subscriptions.length, 0);
  });

  it('answers services with the handler result', async () => {
    const { port, node } = await adapter();
    port.createService('std_srvs/srv/Trigger', '~/save_map', async () => ({ success: true, message: 'ok' }));
    const sent = await new Promise((resolve) => node.services[0].callback({}, { send: resolve }));
    assert.deepEqual(sent, { success: true, message: 'ok' });
  });

  it('bridges synchronous transition callbacks to asynchronous hooks, undoing a failed configure', async () => {
    const { port, node, log } = await adapter();
    const calls: string[] = [];
    let configureFails = true;
    port.setLifecycleHooks({
      onConfigure: async () => {
        calls.push('configure');
        await new Promise((r) => setTimeout(r, 5));
        if (configureFails) throw new Error('no map');
      },
      onActivate: async () => void calls.push('activate'),
      onDeactivate: async () => void calls.push('deactivate'),
      onCleanup: async () => void calls.push('cleanup'),
      onShutdown: async (from) => void calls.push(`shutdown from ${from}`),
    });
    assert.equal(await port.transition('configure'), false);
    assert.equal(node.state.label, 'unconfigured', 'rolled back with cleanup');
    assert.deepEqual(calls, ['configure', 'cleanup']);
    assert.ok(log.some((l) => /configure failed: no map/.test(l)));

    configureFails = false;
    assert.equal(await port.transition('configure'), true);
    assert.equal(await port.transition('activate'), true);
    assert.equal(port.lifecycleState, 'active');
    assert.equal(await port.transition('configure'), false, 'not allowed from active');
    assert.equal(await port.transition('shutdown'), true);
    assert.equal(port.lifecycleState, 'finalized');
    assert.deepEqual(calls.slice(2), ['configure', 'activate', 'shutdown from active']);
  });
});
