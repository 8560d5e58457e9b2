// RosPort on rclnodejs 2.2.0: a managed (lifecycle) node with typed parameters, sensor-data QoS
// and private (~) topics and services. rclnodejs is imported lazily, only when the node starts for
// real: loading it without a sourced ROS 2 throws (and may try to compile its native addon).
//
// Types: `import type` from 'rclnodejs' resolves to src/ros/rclnodejs-shim.d.ts in the normal build
// (rclnodejs is optional and absent without ROS 2) and to rclnodejs's own declarations in
// scripts/check-rclnodejs-types.sh, which type-checks this file against them.
import type * as Rcl from 'rclnodejs';
import { SeqvprError } from '../core/errors.js';
import { ManagedLifecycle, type HookOutcome } from './lifecycle.js';
import { parameterRefusal, type RosParameterTypeName } from './parameter-check.js';
import { overrideValue, parameterOverridesFromArgs, type ParameterOverride } from './ros-arguments.js';
import { exactByteArrays } from './wire.js';
import {
  type LifecycleHooks,
  type LifecycleState,
  type LifecycleTransition,
  type Logger,
  type ParameterChange,
  type ParameterDescriptor,
  type ParameterType,
  type ParameterValue,
  type Publisher,
  type QosProfile,
  type RosPort,
  type SetParametersResult,
  type Subscription,
  type Timer,
} from './port.js';

export type Rclnodejs = typeof Rcl;
type LifecycleNode = Rcl.lifecycle.LifecycleNode;

// rcl_interfaces/ParameterType and lifecycle_msgs/Transition values. rclnodejs declares them as
// ambient const enums, which only tsc can inline (tsx/esbuild cannot), so the numbers live here.
const PARAMETER_TYPE: Record<ParameterType, Rcl.ParameterType> = {
  bool: 1 as Rcl.ParameterType,
  integer: 2 as Rcl.ParameterType,
  double: 3 as Rcl.ParameterType,
  string: 4 as Rcl.ParameterType,
  string_array: 9 as Rcl.ParameterType,
};
const PARAMETER_EVENT_TYPE = 'rcl_interfaces/msg/ParameterEvent';
const PARAMETER_EVENTS_TOPIC = '/parameter_events';
/** rcl_interfaces/ParameterType numbers -> names, for the refusals (parameter-check.ts). */
const TYPE_NAMES: RosParameterTypeName[] = ['not set', 'bool', 'integer', 'double', 'string', 'byte_array', 'bool_array', 'integer_array', 'double_array', 'string_array'];
const CALLBACK_RETURN: Record<HookOutcome, Rcl.lifecycle.CallbackReturnCode> = {
  success: 97 as Rcl.lifecycle.CallbackReturnCode,
  failure: 98 as Rcl.lifecycle.CallbackReturnCode,
};
const KEEP_LAST = 1 as Rcl.QoS.HistoryPolicy;
const RELIABILITY = { reliable: 1, best_effort: 2 } as Record<QosProfile['reliability'], Rcl.QoS.ReliabilityPolicy>;
const DURABILITY = { transient_local: 1, volatile: 2 } as Record<QosProfile['durability'], Rcl.QoS.DurabilityPolicy>;

/** Loads rclnodejs (its ESM build has a default export only) and takes back SIGINT handling. */
export async function loadRclnodejs(): Promise<Rclnodejs> {
  const before = new Set(process.listeners('SIGINT'));
  let mod: unknown;
  try {
    mod = await import('rclnodejs');
  } catch (e) {
    throw new SeqvprError(
      `cannot load rclnodejs (${(e as Error).message}): source ROS 2 (source /opt/ros/$ROS_DISTRO/setup.bash) and reinstall (npm ci) so that the optional rclnodejs@2.2.0 builds`,
      { cause: e },
    );
  }
  // rclnodejs shuts ROS down on SIGINT by itself; the node must first finish its own shutdown.
  for (const listener of process.listeners('SIGINT')) if (!before.has(listener)) process.off('SIGINT', listener);
  return ((mod as { default?: Rclnodejs }).default ?? mod) as Rclnodejs;
}

/** "sensor_msgs/msg/Image" -> rclnodejs's {package, type, name} descriptor (typed `object` messages). */
export function typeDescriptor(type: string): { package: string; type: string; name: string } {
  const parts = type.split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) throw new SeqvprError(`ROS interface type "${type}" must be package/msg|srv/Name`);
  return { package: parts[0], type: parts[1], name: parts[2] };
}

/** Parameter values as rclnodejs wants them (integers as bigint) and back. */
function toRosValue(type: ParameterType, value: ParameterValue): unknown {
  return type === 'integer' ? BigInt(value as number) : value;
}

function fromRosValue(value: unknown): ParameterValue {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(String);
  return value as ParameterValue;
}

export interface RclnodejsNodeOptions {
  nodeName: string;
  namespace?: string;
  /** Command line with --ros-args (remappings, -p, --params-file); default process.argv. */
  argv?: string[];
  /** false: rclnodejs is already initialised (a second node in the same process). Default true. */
  init?: boolean;
  /** The rclnodejs module to use (default: imported here, lazily). */
  rclnodejs?: Rclnodejs;
}

/**
 * rclnodejs 2.2.0's lifecycle State (lib/lifecycle.js) has `id` and `label` only; its .d.ts
 * declares an `asMessage()` that does not exist (calling it stopped the node at start-up).
 */
function stateLabel(state: Rcl.lifecycle.State): string {
  return (state as unknown as Rcl.lifecycle.SerializedState).label;
}

/** A running rclnodejs context with one lifecycle node behind a RosPort. */
export class RclnodejsPort implements RosPort {
  readonly logger: Logger;
  private readonly lifecycle: ManagedLifecycle;
  /** What the rclnodejs transition callbacks return: the outcome of the hook that already ran. */
  private outcome: HookOutcome = 'success';
  /** Start-up values for this node, resolved from the command line as rcl + rclcpp do. */
  private readonly overrides: Map<string, ParameterOverride>;
  /** What seqvpr declared, to word rclnodejs's refusals. */
  private readonly descriptors = new Map<string, ParameterDescriptor>();

  private constructor(
    private readonly rcl: Rclnodejs,
    readonly node: LifecycleNode,
    argv: readonly string[],
  ) {
    const log = node.getLogger();
    this.logger = { info: (m) => void log.info(m), warn: (m) => void log.warn(m), error: (m) => void log.error(m) };
    // rclnodejs 2.2.0 keeps only the `/**` and bare-name entries (lib/node.js
    // _getNativeParameterOverrides): what `ros2 launch` writes under /seqvpr_node would be lost.
    this.overrides = parameterOverridesFromArgs(argv, node.getFullyQualifiedName());
    this.syncSimTime();
    this.wordRefusals();
    this.moveParameterEvents();
    this.lifecycle = new ManagedLifecycle({
      logger: this.logger,
      state: () => stateOf(stateLabel(this.node.currentState)),
      commit: (transition, outcome) => {
        this.outcome = outcome;
        this.node[transition](); // runs the callback below, which returns `outcome`
      },
    });
    const answer = () => CALLBACK_RETURN[this.outcome];
    node.registerOnConfigure(answer);
    node.registerOnActivate(answer);
    node.registerOnDeactivate(answer);
    node.registerOnCleanup(answer);
    node.registerOnShutdown(answer);
    for (const s of this.lifecycle.services()) this.createService(s.type, s.name, s.handler);
  }

  /**
   * Initialises rclnodejs (parsing --ros-args) and creates the lifecycle node. The node is created
   * without rcl's lifecycle services (rclnodejs would answer ~/change_state before an asynchronous
   * hook ends); the port offers them (lifecycle.ts). rcl still publishes ~/transition_event.
   */
  static async create(options: RclnodejsNodeOptions): Promise<RclnodejsPort> {
    const rcl = options.rclnodejs ?? (await loadRclnodejs());
    const argv = options.argv ?? process.argv;
    if (options.init !== false) await rcl.init(undefined, argv);
    const node = new rcl.lifecycle.LifecycleNode(options.nodeName, options.namespace ?? '', undefined, undefined, false);
    return new RclnodejsPort(rcl, node, argv);
  }

  /** use_sim_time is declared by rclnodejs itself, from its own (partial) view of the overrides. */
  private syncSimTime(): void {
    const o = this.overrides.get('use_sim_time');
    if (!o) return;
    const value = overrideValue({ name: 'use_sim_time', type: 'bool' }, o) as boolean;
    if (this.node.getParameter('use_sim_time').value !== value) {
      this.node.setParameter(new this.rcl.Parameter('use_sim_time', PARAMETER_TYPE.bool, value));
    }
  }

  /**
   * rclnodejs 2.2.0 checks a set_parameters request against the descriptors before any callback, and
   * answers a type mismatch, a value out of range and an unknown name alike with "Parameter <name>
   * does not  readonly" (lib/node.js _validateParameters; hasParameterDescriptor is true for any
   * name). Seen on Jazzy with `ros2 param set`: its refusals are re-worded from seqvpr's descriptors.
   */
  private wordRefusals(): void {
    type Validate = (parameters: Rcl.Parameter[], declareParameterMode?: boolean) => { successful: boolean; reason: string | null };
    const node = this.node as unknown as { _validateParameters?: Validate };
    const validate = node._validateParameters?.bind(this.node);
    if (!validate) return;
    node._validateParameters = (parameters, declareParameterMode) => {
      const result = validate(parameters, declareParameterMode);
      // Only that one garbled answer is re-worded; a read-only refusal already says so.
      if (result.successful || !/does not +readonly$/.test(result.reason ?? '')) return result;
      for (const p of parameters) {
        const reason = parameterRefusal(p.name, this.descriptorOf(p.name), TYPE_NAMES[p.type as number] ?? 'not set', fromRosValue(p.value));
        if (reason) return { successful: false, reason };
      }
      return result;
    };
  }

  /**
   * rclnodejs 2.2.0 publishes parameter events on the relative name `parameter_events` (lib/node.js
   * PARAMETER_EVENT_TOPIC), so in a namespace they went to /robot1/parameter_events (seen on Jazzy),
   * where no listener looks: rclcpp and every parameter-event client use /parameter_events.
   */
  private moveParameterEvents(): void {
    type Publisher = Parameters<LifecycleNode['destroyPublisher']>[0];
    const node = this.node as unknown as { _parameterEventPublisher?: Publisher };
    if (!node._parameterEventPublisher) return;
    this.node.destroyPublisher(node._parameterEventPublisher);
    node._parameterEventPublisher = this.node.createPublisher(typeDescriptor(PARAMETER_EVENT_TYPE), PARAMETER_EVENTS_TOPIC);
  }

  /** seqvpr's descriptor, or the type of one rclnodejs declared itself (use_sim_time). */
  private descriptorOf(name: string): ParameterDescriptor | undefined {
    const ours = this.descriptors.get(name);
    if (ours || !this.node.hasParameter(name)) return ours;
    const type = TYPE_NAMES[this.node.getParameterDescriptor(name).type as number] as ParameterType;
    return { name, type, description: '', readOnly: false };
  }

  get nodeName(): string {
    return this.node.getFullyQualifiedName();
  }

  now(): bigint {
    return this.node.now().nanoseconds;
  }

  declareParameter(d: ParameterDescriptor, defaultValue: ParameterValue): ParameterValue {
    const type = PARAMETER_TYPE[d.type];
    this.descriptors.set(d.name, d);
    const range = this.range(d);
    const descriptor = new this.rcl.ParameterDescriptor(d.name, type, d.description, d.readOnly, range);
    if (d.additionalConstraints) descriptor.additionalConstraints = d.additionalConstraints;
    // rclnodejs 2.2.0's toMessage() (describe_parameters) reads the range from `_rangeConstraint`,
    // which nothing sets (the constructor and the setter keep it in `_range`): ranges never arrived.
    if (range) Object.assign(descriptor, { _rangeConstraint: range });
    const override = this.overrides.get(d.name);
    const value = override ? (overrideValue(d, override) as ParameterValue) : defaultValue;
    // ignoreOverride: the value is already resolved (and typed) above, rclnodejs's own would be partial.
    const declared = this.node.declareParameter(new this.rcl.Parameter(d.name, type, toRosValue(d.type, value)), descriptor, true);
    return fromRosValue(declared.value);
  }

  /**
   * The descriptor's range, with the field names rcl_interfaces/FloatingPointRange and IntegerRange
   * have. rclnodejs 2.2.0's ParameterDescriptor.toMessage() puts its Range objects into the
   * describe_parameters response as they are, and the message is filled from their enumerable
   * fields (rosidl_gen/message_translator.cjs copyMsgObject: `for (let i in obj)`), which are
   * `_fromValue`, `_toValue`, `_step`: they would arrive as zeros. Own `from_value`, `to_value`
   * and `step` fields make them arrive.
   */
  private range(d: ParameterDescriptor): Rcl.Range | undefined {
    if (!d.range) return undefined;
    const fields = (from: unknown, to: unknown, step: unknown) => ({
      from_value: { value: from, enumerable: true },
      to_value: { value: to, enumerable: true },
      step: { value: step, enumerable: true },
    });
    // Step 0: any value in the range (rclnodejs's FloatingPointRange defaults to a step of 1).
    if (d.type === 'double') return Object.defineProperties(new this.rcl.FloatingPointRange(d.range.from, d.range.to, 0), fields(d.range.from, d.range.to, 0));
    const [from, to] = [BigInt(d.range.from), BigInt(d.range.to)];
    return Object.defineProperties(new this.rcl.IntegerRange(from, to, 1n), fields(from, to, 1n));
  }

  parameterOverrideNames(): string[] {
    return [...this.overrides.keys()];
  }

  onSetParameters(callback: (changes: readonly ParameterChange[]) => SetParametersResult): void {
    this.node.addOnSetParametersCallback((parameters) => {
      const result = callback(parameters.map((p) => ({ name: p.name, value: fromRosValue(p.value) })));
      return { successful: result.successful, reason: result.successful ? '' : result.reason };
    });
  }

  createSubscription(type: string, topic: string, qos: QosProfile, callback: (message: unknown) => void): Subscription {
    const subscription = this.node.createSubscription(typeDescriptor(type), topic, { qos: this.qos(qos) }, (message: unknown) => callback(message));
    return { topic: this.node.resolveTopicName(topic), destroy: () => this.node.destroySubscription(subscription) };
  }

  createPublisher<T extends object>(type: string, topic: string, qos: QosProfile): Publisher<T> {
    const publisher = this.node.createPublisher(typeDescriptor(type), topic, { qos: this.qos(qos) });
    return {
      topic,
      publish: (message: T) => publisher.publish(exactByteArrays(message)),
      destroy: () => this.node.destroyPublisher(publisher),
    };
  }

  createService(type: string, name: string, handler: (request: Record<string, unknown>) => Promise<Record<string, unknown>>): void {
    this.node.createService(typeDescriptor(type), name, (request, response) => {
      handler(request as Record<string, unknown>).then(
        (reply) => response.send(reply),
        (e: unknown) => this.logger.error(`service ${name} failed: ${(e as Error).message}`),
      );
    });
  }

  createTimer(periodMs: number, callback: () => void): Timer {
    const timer = this.node.createTimer(BigInt(Math.round(periodMs * 1e6)), () => callback());
    return {
      cancel: () => {
        timer.cancel();
        this.node.destroyTimer(timer);
      },
    };
  }

  setLifecycleHooks(hooks: LifecycleHooks): void {
    this.lifecycle.setHooks(hooks);
  }

  get lifecycleState(): LifecycleState {
    return stateOf(stateLabel(this.node.currentState));
  }

  transition(transition: LifecycleTransition): Promise<boolean> {
    return this.lifecycle.transition(transition);
  }

  spin(): void {
    this.node.spin();
  }

  /** Destroys the node; with `context` (default), shuts the rclnodejs context down too. */
  shutdownRos(context = true): void {
    this.node.destroy();
    if (context && !this.rcl.isShutdown()) this.rcl.shutdown();
  }

  private qos(q: QosProfile): Rcl.QoS {
    return new this.rcl.QoS(KEEP_LAST, q.depth, RELIABILITY[q.reliability], DURABILITY[q.durability]);
  }
}

/** lifecycle_msgs/State labels -> primary states (transition states resolve to where they lead). */
function stateOf(label: string): LifecycleState {
  switch (label) {
    case 'inactive':
    case 'configuring':
    case 'deactivating':
      return 'inactive';
    case 'active':
    case 'activating':
      return 'active';
    case 'finalized':
    case 'shuttingdown':
      return 'finalized';
    default:
      return 'unconfigured';
  }
}
