// Everything seqvpr's node needs from ROS 2, as plain interfaces. The node is written against this
// port only, so it runs unchanged on rclnodejs (rclnodejs-adapter.ts) and in memory (fake-transport.ts,
// for tests and for users who want to drive the node without ROS).

/** Quality of service of a subscription or publisher (the subset a camera pipeline needs). */
export interface QosProfile {
  reliability: 'reliable' | 'best_effort';
  durability: 'volatile' | 'transient_local';
  /** History: keep the last `depth` messages. */
  depth: number;
}

/** rclcpp's SensorDataQoS: cameras publish best effort; a reliable subscriber would never match them. */
export const SENSOR_DATA_QOS: Readonly<QosProfile> = { reliability: 'best_effort', durability: 'volatile', depth: 5 };
/** Results: every message matters to the consumer (a missed loop closure is lost for good). */
export const RESULTS_QOS: Readonly<QosProfile> = { reliability: 'reliable', durability: 'volatile', depth: 10 };
/** /diagnostics as diagnostic_updater publishes it. */
export const DIAGNOSTICS_QOS: Readonly<QosProfile> = { reliability: 'reliable', durability: 'volatile', depth: 10 };

export type ParameterType = 'bool' | 'integer' | 'double' | 'string' | 'string_array';
export type ParameterValue = boolean | number | string | string[];

/** rcl_interfaces/ParameterDescriptor, reduced to what seqvpr declares. */
export interface ParameterDescriptor {
  name: string;
  type: ParameterType;
  description: string;
  /** Read-only parameters can only be set at start-up (command line, params file). */
  readOnly: boolean;
  /** Inclusive range of an integer or double parameter. */
  range?: { from: number; to: number };
  /** Free text shown by `ros2 param describe` (e.g. the allowed strings). */
  additionalConstraints?: string;
}

export interface ParameterChange {
  name: string;
  value: ParameterValue;
}

/** rcl_interfaces/SetParametersResult: a rejection says why. */
export type SetParametersResult = { successful: true } | { successful: false; reason: string };

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface Subscription {
  /** The topic's name on the graph: expanded in the node's namespace and remapped (what to report). */
  readonly topic: string;
  destroy(): void;
}

export interface Publisher<T = Record<string, unknown>> {
  readonly topic: string;
  publish(message: T): void;
  destroy(): void;
}

export interface Timer {
  cancel(): void;
}

export type LifecycleState = 'unconfigured' | 'inactive' | 'active' | 'finalized';
export type LifecycleTransition = 'configure' | 'activate' | 'deactivate' | 'cleanup' | 'shutdown';

/**
 * What a managed node does on each transition (rclcpp_lifecycle's on_configure etc.). A hook that
 * throws fails its transition: the node stays in (or returns to) the state it came from.
 */
export interface LifecycleHooks {
  onConfigure(): Promise<void>;
  onActivate(): Promise<void>;
  onDeactivate(): Promise<void>;
  onCleanup(): Promise<void>;
  /** From any primary state; `from` tells what must be released. */
  onShutdown(from: LifecycleState): Promise<void>;
}

/** The transitions each primary state allows, and where they lead (the ROS 2 managed-node state machine). */
export const LIFECYCLE_TRANSITIONS: Readonly<Record<LifecycleState, Partial<Record<LifecycleTransition, LifecycleState>>>> = {
  unconfigured: { configure: 'inactive', shutdown: 'finalized' },
  inactive: { activate: 'active', cleanup: 'unconfigured', shutdown: 'finalized' },
  active: { deactivate: 'inactive', shutdown: 'finalized' },
  finalized: {},
};

export interface RosPort {
  /** Fully qualified node name, e.g. "/seqvpr_node" (hardware_id of the diagnostics). */
  readonly nodeName: string;
  readonly logger: Logger;
  /** The node's clock (ROS time: simulated time when use_sim_time is set), nanoseconds. */
  now(): bigint;

  /** Declares a parameter; returns its value: the start-up override (params file, -p) or the default. */
  declareParameter(descriptor: ParameterDescriptor, defaultValue: ParameterValue): ParameterValue;
  /** Names given values at start-up (params file, -p), declared or not. */
  parameterOverrideNames(): string[];
  /** Called before declared parameters change at run time; rejecting keeps the old values. */
  onSetParameters(callback: (changes: readonly ParameterChange[]) => SetParametersResult): void;

  /** `callback` receives each message as a plain object (byte arrays as Uint8Array). */
  createSubscription(type: string, topic: string, qos: QosProfile, callback: (message: unknown) => void): Subscription;
  createPublisher<T extends object>(type: string, topic: string, qos: QosProfile): Publisher<T>;
  /** The handler's resolved value is the response; a rejected handler leaves the request unanswered. */
  createService(type: string, name: string, handler: (request: Record<string, unknown>) => Promise<Record<string, unknown>>): void;
  createTimer(periodMs: number, callback: () => void): Timer;

  /** The hooks the managed node's transitions run (call once). */
  setLifecycleHooks(hooks: LifecycleHooks): void;
  readonly lifecycleState: LifecycleState;
  /** Runs a transition from the node's side (autostart, tests); resolves true when it succeeded. */
  transition(transition: LifecycleTransition): Promise<boolean>;
}
