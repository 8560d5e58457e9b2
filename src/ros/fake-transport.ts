// An in-memory RosPort: topics, services, parameters, a settable clock with timers, and the managed
// node state machine, all without ROS. Tests publish into the node's subscriptions and read what it
// published; users can drive a SeqvprNode the same way (e.g. from their own transport).
//
// It behaves as ROS does where the node depends on it (test/ros/RCL-BEHAVIOUR.md lists each rule and
// its source): parameters come from a command line (`argv`: -p rules, params files with any node
// key) resolved and typed as rcl does; every message and service request and response crosses a CDR
// round trip; the lifecycle services answer with the hook's outcome.
import { ManagedLifecycle, STATE_IDS, stateAfter, TRANSITION_STATE } from './lifecycle.js';
import { deserializeMessage, serializeMessage } from './cdr.js';
import { overrideValue, parameterOverridesFromArgs, parseParamRule, RclParams, type ParameterOverride } from './ros-arguments.js';
import { remapRules, resolveTopicName, type RemapRule } from './names.js';
import { parameterRefusal, typeOfValue } from './parameter-check.js';
import { throughTheWire } from './service-types.js';
import { asRclnodejsSendsIt, exactByteArrays } from './wire.js';
import {
  type LifecycleHooks,
  type LifecycleState,
  type LifecycleTransition,
  type Logger,
  type ParameterChange,
  type ParameterDescriptor,
  type ParameterValue,
  type Publisher,
  type QosProfile,
  type RosPort,
  type SetParametersResult,
  type Subscription,
  type Timer,
} from './port.js';

export interface FakeTransportOptions {
  nodeName?: string;
  /**
   * The node's command line, as `ros2 run` / `ros2 launch` give it (`--ros-args -p name:=value
   * --params-file F ...`): parsed, typed and matched to nodeName the way rcl and rclcpp do.
   */
  argv?: string[];
  /** Reads a --params-file (default: from disk). */
  readFile?: (path: string) => string;
  /**
   * Start-up values set in code, after the command line (like rclcpp's NodeOptions
   * parameter_overrides). Untyped: a number fits an integer or a double parameter.
   */
  parameterOverrides?: Record<string, ParameterValue>;
  /** Initial clock, nanoseconds. */
  startTimeNs?: bigint;
  /** Sees every published message with its type before it is serialised and recorded. */
  checkMessage?: (type: string, message: Record<string, unknown>) => void;
  /** Also print log lines (default: only recorded). */
  echoLogs?: boolean;
}

export interface LogRecord {
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface PublishedMessage {
  type: string;
  message: Record<string, unknown>;
}

interface FakeSubscription {
  type: string;
  qos: QosProfile;
  callback: (message: unknown) => void;
  active: boolean;
}

interface FakeTimer {
  periodNs: bigint;
  nextNs: bigint;
  callback: () => void;
  active: boolean;
}

type ServiceHandler = (request: Record<string, unknown>) => Promise<Record<string, unknown>>;

export class FakeTransport implements RosPort {
  readonly nodeName: string;
  readonly logs: LogRecord[] = [];
  readonly logger: Logger;
  private clockNs: bigint;
  /** From the command line (typed, resolved for this node) and from code (untyped, winning). */
  private readonly argOverrides: Map<string, ParameterOverride>;
  private readonly codeOverrides: Map<string, ParameterValue>;
  private readonly remaps: RemapRule[];
  private readonly descriptors = new Map<string, ParameterDescriptor>();
  private readonly values = new Map<string, ParameterValue>();
  private readonly setCallbacks: ((changes: readonly ParameterChange[]) => SetParametersResult)[] = [];
  private readonly subscriptions = new Map<string, FakeSubscription[]>();
  private readonly publishers = new Map<string, { type: string; qos: QosProfile; live: boolean }>();
  private readonly published = new Map<string, PublishedMessage[]>();
  private readonly services = new Map<string, { type: string; handler: ServiceHandler }>();
  private readonly timers: FakeTimer[] = [];
  private state: LifecycleState = 'unconfigured';
  private readonly lifecycle: ManagedLifecycle;

  constructor(private readonly options: FakeTransportOptions = {}) {
    this.nodeName = options.nodeName ?? '/seqvpr_node';
    this.clockNs = options.startTimeNs ?? 0n;
    this.argOverrides = parameterOverridesFromArgs(options.argv ?? [], this.nodeName, options.readFile);
    this.remaps = remapRules(options.argv ?? []);
    this.codeOverrides = new Map(Object.entries(options.parameterOverrides ?? {}));
    const record = (level: LogRecord['level']) => (message: string) => {
      this.logs.push({ level, message });
      if (options.echoLogs) console.log(`[${level}] ${message}`);
    };
    this.logger = { info: record('info'), warn: record('warn'), error: record('error') };
    this.lifecycle = new ManagedLifecycle({
      logger: this.logger,
      state: () => this.state,
      commit: (transition, outcome) => {
        const from = this.state;
        this.state = stateAfter(from, transition, outcome);
        // rcl_lifecycle publishes each step on ~/transition_event: into the transition state, then out
        // of it, with timestamp 0 and an empty transition (seen on Jazzy: active->deactivating,
        // deactivating->inactive).
        const via = TRANSITION_STATE[transition];
        for (const [start, goal] of [[from, via], [via, this.state]] as const) {
          this.record('lifecycle_msgs/msg/TransitionEvent', '~/transition_event', {
            timestamp: 0n,
            transition: { id: 0, label: '' },
            start_state: { id: STATE_IDS[start], label: start },
            goal_state: { id: STATE_IDS[goal], label: goal },
          });
        }
      },
    });
    for (const s of this.lifecycle.services()) this.createService(s.type, s.name, s.handler);
  }

  // --- RosPort ---

  now(): bigint {
    return this.clockNs;
  }

  declareParameter(descriptor: ParameterDescriptor, defaultValue: ParameterValue): ParameterValue {
    if (this.descriptors.has(descriptor.name)) throw new Error(`parameter ${descriptor.name} is already declared`);
    const fromArgs = this.argOverrides.get(descriptor.name);
    const value = this.codeOverrides.get(descriptor.name) ?? (fromArgs ? (overrideValue(descriptor, fromArgs) as ParameterValue) : defaultValue);
    const problem = checkAgainstDescriptor(descriptor, value);
    if (problem) throw new Error(`cannot declare parameter ${descriptor.name}: ${problem}`);
    this.descriptors.set(descriptor.name, descriptor);
    this.values.set(descriptor.name, value);
    return value;
  }

  parameterOverrideNames(): string[] {
    return [...new Set([...this.argOverrides.keys(), ...this.codeOverrides.keys()])];
  }

  onSetParameters(callback: (changes: readonly ParameterChange[]) => SetParametersResult): void {
    this.setCallbacks.push(callback);
  }

  createSubscription(type: string, topic: string, qos: QosProfile, callback: (message: unknown) => void): Subscription {
    const entry: FakeSubscription = { type, qos: { ...qos }, callback, active: true };
    const list = this.subscriptions.get(topic) ?? [];
    list.push(entry);
    this.subscriptions.set(topic, list);
    return {
      // Delivered by the name the node gave (tests publish to it); reported as rcl resolves it.
      topic: resolveTopicName(topic, this.nodeName, this.remaps),
      destroy: () => {
        entry.active = false;
        const remaining = (this.subscriptions.get(topic) ?? []).filter((s) => s !== entry);
        if (remaining.length) this.subscriptions.set(topic, remaining);
        else this.subscriptions.delete(topic);
      },
    };
  }

  createPublisher<T extends object>(type: string, topic: string, qos: QosProfile): Publisher<T> {
    const existing = this.publishers.get(topic);
    if (existing?.live) throw new Error(`a publisher on ${topic} already exists`);
    const entry = { type, qos: { ...qos }, live: true };
    this.publishers.set(topic, entry);
    return {
      topic,
      publish: (message: T) => {
        if (!entry.live) throw new Error(`publish on destroyed publisher ${topic}`);
        const msg = message as Record<string, unknown>;
        this.options.checkMessage?.(type, msg);
        this.record(type, topic, msg);
      },
      destroy: () => {
        entry.live = false;
      },
    };
  }

  createService(type: string, name: string, handler: ServiceHandler): void {
    if (this.services.has(name)) throw new Error(`service ${name} already exists`);
    this.services.set(name, { type, handler });
  }

  createTimer(periodMs: number, callback: () => void): Timer {
    if (!(periodMs > 0)) throw new Error(`timer period must be positive, got ${periodMs} ms`);
    const periodNs = BigInt(Math.round(periodMs * 1e6));
    const timer: FakeTimer = { periodNs, nextNs: this.clockNs + periodNs, callback, active: true };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.active = false;
        this.timers.splice(this.timers.indexOf(timer), 1);
      },
    };
  }

  setLifecycleHooks(hooks: LifecycleHooks): void {
    this.lifecycle.setHooks(hooks);
  }

  get lifecycleState(): LifecycleState {
    return this.state;
  }

  /** Transitions run one after another, as the ROS state machine allows only one at a time. */
  transition(transition: LifecycleTransition): Promise<boolean> {
    return this.lifecycle.transition(transition);
  }

  /** `ros2 lifecycle set <node> <transition>`: the ~/change_state service, answered after the hook. */
  async changeState(transition: LifecycleTransition | number): Promise<boolean> {
    const request = typeof transition === 'number' ? { transition: { id: transition, label: '' } } : { transition: { id: 0, label: transition } };
    return (await this.callService('~/change_state', request)).success === true;
  }

  // --- test side ---

  /**
   * Delivers `message` to every live subscription on `topic` (synchronously, like one executor
   * callback each), as each subscriber receives it: serialised as the subscription's type and read
   * back (byte arrays arrive as views into the received buffer).
   */
  publish(topic: string, message: unknown): number {
    const subs = [...(this.subscriptions.get(topic) ?? [])];
    for (const s of subs) {
      if (!s.active) continue;
      s.callback(deserializeMessage(s.type, serializeMessage(s.type, exactByteArrays(message as Record<string, unknown>))));
    }
    return subs.length;
  }

  /** The subscriptions on a topic: type and QoS (empty when none). */
  subscriptionsOn(topic: string): { type: string; qos: QosProfile }[] {
    return (this.subscriptions.get(topic) ?? []).map((s) => ({ type: s.type, qos: s.qos }));
  }

  /** The live publisher on a topic, if any. */
  publisherOn(topic: string): { type: string; qos: QosProfile } | undefined {
    const p = this.publishers.get(topic);
    return p?.live ? { type: p.type, qos: p.qos } : undefined;
  }

  /** Everything published on `topic` so far, oldest first. */
  messages(topic: string): Record<string, unknown>[] {
    return (this.published.get(topic) ?? []).map((p) => p.message);
  }

  /** Forgets what was published (all topics). */
  clearMessages(): void {
    this.published.clear();
  }

  /** Calls a service the way a client on the graph does: request and response cross the wire as CDR. */
  async callService(name: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const service = this.services.get(name);
    if (!service) throw new Error(`no service ${name}; offered: ${[...this.services.keys()].join(', ') || 'none'}`);
    const response = await service.handler(throughTheWire(service.type, 'request', request));
    return throughTheWire(service.type, 'response', response);
  }

  getParameter(name: string): ParameterValue | undefined {
    return this.values.get(name);
  }

  describeParameter(name: string): ParameterDescriptor | undefined {
    return this.descriptors.get(name);
  }

  /**
   * `ros2 param set <node> <name> <text>`: the text typed as YAML (ros2param api
   * get_parameter_value), then set. rclnodejs 2.2.0 checks the type against the descriptor before
   * the node's callback (lib/node.js _setParametersAtomically -> _validateParameters): `1` for a
   * double parameter is refused with its type-mismatch message.
   */
  setParameterFromCli(name: string, text: string): SetParametersResult {
    const parsed = new RclParams();
    parseParamRule(`${name}:=${text}`, parsed);
    const typed = parsed.nodes[0].parameters.get(name)!;
    // The client library checks the descriptor first; seqvpr words its refusals (parameter-check.ts).
    const refused = parameterRefusal(name, this.descriptors.get(name), typed.type, typed.value);
    if (refused) return { successful: false, reason: refused };
    return this.setParameters([{ name, value: typed.value as ParameterValue }]);
  }

  /** Sets parameters at run time as the set_parameters service does: descriptor checks first, then the node's callbacks. */
  setParameters(changes: readonly ParameterChange[]): SetParametersResult {
    for (const { name, value } of changes) {
      const d = this.descriptors.get(name);
      if (!d) return { successful: false, reason: parameterRefusal(name, d, 'not set', value)! };
      if (d.readOnly) return { successful: false, reason: `Parameter ${name} is readonly` }; // rclnodejs's words (seen on Jazzy)
      const problem = checkAgainstDescriptor(d, value);
      if (problem) return { successful: false, reason: problem };
    }
    for (const callback of this.setCallbacks) {
      const result = callback(changes);
      if (!result.successful) return result;
    }
    for (const { name, value } of changes) this.values.set(name, value);
    return { successful: true };
  }

  /** Moves the clock forward and fires the timers that fall due, in time order. */
  advance(ms: number): void {
    const target = this.clockNs + BigInt(Math.round(ms * 1e6));
    for (;;) {
      const due = this.timers.filter((t) => t.active && t.nextNs <= target).sort((a, b) => (a.nextNs < b.nextNs ? -1 : 1))[0];
      if (!due) break;
      this.clockNs = due.nextNs;
      due.nextNs += due.periodNs;
      due.callback();
    }
    this.clockNs = target;
  }

  /** Sets the clock without firing timers (e.g. a simulated-time reset). */
  setTime(ns: bigint): void {
    this.clockNs = ns;
    for (const t of this.timers) t.nextNs = ns + t.periodNs;
  }

  logsMatching(pattern: RegExp): LogRecord[] {
    return this.logs.filter((l) => pattern.test(l.message));
  }

  /** What a subscriber on the graph receives: the message as rclnodejs sends it, serialised and read back. */
  private record(type: string, topic: string, message: Record<string, unknown>): void {
    serializeMessage(type, asRclnodejsSendsIt(exactByteArrays(message)));
    const list = this.published.get(topic) ?? [];
    list.push({ type, message });
    this.published.set(topic, list);
  }
}

/** Why `value`, set from code, does not fit the descriptor (type, range), or undefined when it does. */
function checkAgainstDescriptor(d: ParameterDescriptor, value: ParameterValue): string | undefined {
  return parameterRefusal(d.name, d, typeOfValue(d, value), value);
}
