// RosPort on rclnodejs 2.2.0: a managed (lifecycle) node with typed parameters, sensor-data QoS
// and private (~) topics and services. rclnodejs is imported lazily, only when the node starts for
// real: loading it without a sourced ROS 2 throws (and may try to compile its native addon).
//
// Types: `import type` from 'rclnodejs' resolves to src/ros/rclnodejs-shim.d.ts in the normal build
// (rclnodejs is optional and absent without ROS 2) and to rclnodejs's own declarations in
// scripts/check-rclnodejs-types.sh, which type-checks this file against them.
import type * as Rcl from 'rclnodejs';
import { SeqvprError } from '../core/errors.js';
import {
  LIFECYCLE_TRANSITIONS,
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
const CALLBACK_SUCCESS = 97 as Rcl.lifecycle.CallbackReturnCode;
const KEEP_LAST = 1 as Rcl.QoS.HistoryPolicy;
const RELIABILITY = { reliable: 1, best_effort: 2 } as Record<QosProfile['reliability'], Rcl.QoS.ReliabilityPolicy>;
const DURABILITY = { transient_local: 1, volatile: 2 } as Record<QosProfile['durability'], Rcl.QoS.DurabilityPolicy>;

/** What to do to undo a transition whose hook failed after rclnodejs had already moved on. */
const ROLLBACK: Partial<Record<LifecycleTransition, LifecycleTransition>> = { configure: 'cleanup', activate: 'deactivate' };

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

/** A running rclnodejs context with one lifecycle node behind a RosPort. */
export class RclnodejsPort implements RosPort {
  readonly logger: Logger;
  private hooks: LifecycleHooks | undefined;
  /** The outcome of the hook the last rclnodejs transition started. */
  private pending: Promise<boolean> | undefined;

  private constructor(
    private readonly rcl: Rclnodejs,
    readonly node: LifecycleNode,
  ) {
    const log = node.getLogger();
    this.logger = { info: (m) => void log.info(m), warn: (m) => void log.warn(m), error: (m) => void log.error(m) };
  }

  /** Initialises rclnodejs (parsing --ros-args) and creates the lifecycle node. */
  static async create(options: RclnodejsNodeOptions): Promise<RclnodejsPort> {
    const rcl = options.rclnodejs ?? (await loadRclnodejs());
    if (options.init !== false) await rcl.init(undefined, options.argv ?? process.argv);
    const node = new rcl.lifecycle.LifecycleNode(options.nodeName, options.namespace ?? '');
    return new RclnodejsPort(rcl, node);
  }

  get nodeName(): string {
    return this.node.getFullyQualifiedName();
  }

  now(): bigint {
    return this.node.now().nanoseconds;
  }

  declareParameter(d: ParameterDescriptor, defaultValue: ParameterValue): ParameterValue {
    const type = PARAMETER_TYPE[d.type];
    let range: Rcl.Range | undefined;
    // Step 0: any value in the range (rclnodejs's FloatingPointRange defaults to a step of 1).
    if (d.range && d.type === 'double') range = new this.rcl.FloatingPointRange(d.range.from, d.range.to, 0);
    if (d.range && d.type === 'integer') range = new this.rcl.IntegerRange(BigInt(d.range.from), BigInt(d.range.to), 1n);
    const descriptor = new this.rcl.ParameterDescriptor(d.name, type, d.description, d.readOnly, range);
    if (d.additionalConstraints) descriptor.additionalConstraints = d.additionalConstraints;
    const declared = this.node.declareParameter(new this.rcl.Parameter(d.name, type, toRosValue(d.type, defaultValue)), descriptor);
    return fromRosValue(declared.value);
  }

  parameterOverrideNames(): string[] {
    return this.node.getParameterOverrides().map((p) => p.name);
  }

  onSetParameters(callback: (changes: readonly ParameterChange[]) => SetParametersResult): void {
    this.node.addOnSetParametersCallback((parameters) => {
      const result = callback(parameters.map((p) => ({ name: p.name, value: fromRosValue(p.value) })));
      return { successful: result.successful, reason: result.successful ? '' : result.reason };
    });
  }

  createSubscription(type: string, topic: string, qos: QosProfile, callback: (message: unknown) => void): Subscription {
    const subscription = this.node.createSubscription(typeDescriptor(type), topic, { qos: this.qos(qos) }, (message: unknown) => callback(message));
    return { destroy: () => this.node.destroySubscription(subscription) };
  }

  createPublisher<T extends object>(type: string, topic: string, qos: QosProfile): Publisher<T> {
    const publisher = this.node.createPublisher(typeDescriptor(type), topic, { qos: this.qos(qos) });
    return {
      topic,
      publish: (message: T) => publisher.publish(message),
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
    if (this.hooks) throw new SeqvprError('lifecycle hooks are already set');
    this.hooks = hooks;
    // rclnodejs runs transition callbacks synchronously; the hooks are asynchronous (loading a model
    // or a map takes seconds). So a callback reports success at once and the hook's outcome follows:
    // when it fails, the transition is undone (configure -> cleanup, activate -> deactivate).
    this.node.registerOnConfigure(() => this.bridge('configure', () => hooks.onConfigure()));
    this.node.registerOnActivate(() => this.bridge('activate', () => hooks.onActivate()));
    this.node.registerOnDeactivate(() => this.bridge('deactivate', () => hooks.onDeactivate()));
    this.node.registerOnCleanup(() => this.bridge('cleanup', () => hooks.onCleanup()));
    this.node.registerOnShutdown((from) => this.bridge('shutdown', () => hooks.onShutdown(stateOf(from.asMessage().label))));
  }

  get lifecycleState(): LifecycleState {
    return stateOf(this.node.currentState.asMessage().label);
  }

  async transition(transition: LifecycleTransition): Promise<boolean> {
    const from = this.lifecycleState;
    const goal = LIFECYCLE_TRANSITIONS[from][transition];
    if (!goal) {
      this.logger.warn(`lifecycle: ${transition} is not allowed from ${from}`);
      return false;
    }
    this.pending = undefined;
    try {
      this.node[transition]();
    } catch (e) {
      this.logger.error(`lifecycle: ${transition} failed: ${(e as Error).message}`);
      return false;
    }
    return (await (this.pending ?? Promise.resolve(true))) && this.lifecycleState === goal;
  }

  spin(): void {
    this.node.spin();
  }

  /** Destroys the node; with `context` (default), shuts the rclnodejs context down too. */
  shutdownRos(context = true): void {
    this.node.destroy();
    if (context && !this.rcl.isShutdown()) this.rcl.shutdown();
  }

  private bridge(transition: LifecycleTransition, hook: () => Promise<void>): Rcl.lifecycle.CallbackReturnCode {
    const goal = this.lifecycleGoal(transition);
    this.pending = hook().then(
      () => true,
      (e: unknown) => {
        this.logger.error(`lifecycle: ${transition} failed: ${(e as Error).message}`);
        const undo = ROLLBACK[transition];
        // Undo only if nothing else moved the node meanwhile.
        if (undo && this.lifecycleState === goal) {
          try {
            this.node[undo]();
          } catch (err) {
            this.logger.error(`lifecycle: ${undo} after the failed ${transition} failed too: ${(err as Error).message}`);
          }
        }
        return false;
      },
    );
    return CALLBACK_SUCCESS;
  }

  private lifecycleGoal(transition: LifecycleTransition): LifecycleState | undefined {
    for (const state of Object.keys(LIFECYCLE_TRANSITIONS) as LifecycleState[]) {
      const to = LIFECYCLE_TRANSITIONS[state][transition];
      if (to) return to;
    }
    return undefined;
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
