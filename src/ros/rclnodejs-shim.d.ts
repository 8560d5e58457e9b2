// The part of rclnodejs's API that src/ros/rclnodejs-adapter.ts uses, declared as rclnodejs itself
// declares it (same names and shapes, a subset), so that the normal build type-checks without
// rclnodejs installed: it is an optional dependency whose install script fails (and npm drops it)
// wherever ROS 2 is not sourced.
// scripts/check-rclnodejs-types.sh compiles the adapter against rclnodejs's real declarations
// instead (tsconfig.ros.json leaves this file out), which is what keeps this subset honest.
declare module 'rclnodejs' {
  type TypeDescriptor = { package: string; type: string; name: string };

  interface Options {
    qos?: QoS;
  }

  class QoS {
    constructor(history?: QoS.HistoryPolicy, depth?: number, reliability?: QoS.ReliabilityPolicy, durability?: QoS.DurabilityPolicy);
  }
  namespace QoS {
    enum HistoryPolicy {
      RMW_QOS_POLICY_HISTORY_SYSTEM_DEFAULT = 0,
      RMW_QOS_POLICY_HISTORY_KEEP_LAST = 1,
      RMW_QOS_POLICY_HISTORY_KEEP_ALL = 2,
    }
    enum ReliabilityPolicy {
      RMW_QOS_POLICY_RELIABILITY_SYSTEM_DEFAULT = 0,
      RMW_QOS_POLICY_RELIABILITY_RELIABLE = 1,
      RMW_QOS_POLICY_RELIABILITY_BEST_EFFORT = 2,
    }
    enum DurabilityPolicy {
      RMW_QOS_POLICY_DURABILITY_SYSTEM_DEFAULT = 0,
      RMW_QOS_POLICY_DURABILITY_TRANSIENT_LOCAL = 1,
      RMW_QOS_POLICY_DURABILITY_VOLATILE = 2,
    }
  }

  const enum ParameterType {
    PARAMETER_NOT_SET = 0,
    PARAMETER_BOOL = 1,
    PARAMETER_INTEGER = 2,
    PARAMETER_DOUBLE = 3,
    PARAMETER_STRING = 4,
    PARAMETER_BYTE_ARRAY = 5,
    PARAMETER_BOOL_ARRAY = 6,
    PARAMETER_INTEGER_ARRAY = 7,
    PARAMETER_DOUBLE_ARRAY = 8,
    PARAMETER_STRING_ARRAY = 9,
  }

  class Parameter {
    constructor(name: string, type: ParameterType, value?: any);
    readonly name: string;
    readonly type: ParameterType;
    value: any;
  }

  abstract class Range {
    constructor(from: number, to: number, step?: number);
  }
  class FloatingPointRange extends Range {
    constructor(from: number, to: number, step?: number, tolerance?: number);
  }
  class IntegerRange extends Range {
    constructor(from: bigint, to: bigint, step?: bigint);
  }

  class ParameterDescriptor {
    constructor(name: string, type: ParameterType, description?: string, readOnly?: boolean, range?: Range);
    readonly type: ParameterType;
    additionalConstraints: string;
  }

  class Context {}
  class NodeOptions {}

  class Time {
    readonly nanoseconds: bigint;
  }

  class Logging {
    info(message: string): boolean;
    warn(message: string): boolean;
    error(message: string): boolean;
  }

  interface Subscription {}
  interface Publisher {
    publish(message: object): void;
  }
  interface Timer {
    cancel(): void;
  }
  class ServiceResponse {
    send(response: object): void;
  }

  class Node {
    getLogger(): Logging;
    now(): Time;
    getFullyQualifiedName(): string;
    spin(timeout?: number): void;
    destroy(): void;
    declareParameter(parameter: Parameter, descriptor?: ParameterDescriptor, ignoreOveride?: boolean): Parameter;
    getParameter(name: string): Parameter;
    hasParameter(name: string): boolean;
    getParameterDescriptor(name: string): ParameterDescriptor;
    resolveTopicName(topicName: string, onlyExpand?: boolean): string;
    setParameter(parameter: Parameter): { successful: boolean; reason: string };
    addOnSetParametersCallback(callback: (parameters: Parameter[]) => { successful: boolean; reason: string }): void;
    createSubscription(typeClass: TypeDescriptor, topic: string, options: Options, callback: (message: object) => void): Subscription;
    destroySubscription(subscription: Subscription): void;
    createPublisher(typeClass: TypeDescriptor, topic: string, options?: Options): Publisher;
    destroyPublisher(publisher: Publisher): void;
    createService(typeClass: TypeDescriptor, serviceName: string, callback: (request: object, response: ServiceResponse) => void): object;
    createTimer(period: bigint, callback: () => void): Timer;
    destroyTimer(timer: Timer): void;
  }

  namespace lifecycle {
    interface SerializedState {
      id: number;
      label: string;
    }
    // As rclnodejs 2.2.0's .d.ts declares it; its JavaScript State has only `id` and `label`
    // (the adapter reads those, see stateLabel).
    class State {
      asMessage(): SerializedState;
    }
    const enum CallbackReturnCode {
      SUCCESS = 97,
      FAILURE = 98,
      ERROR = 99,
    }
    type TransitionCallback = (prevState: State) => CallbackReturnCode;
    class LifecycleNode extends Node {
      constructor(nodeName: string, namespace?: string, context?: Context, options?: NodeOptions, enableCommunicationInterface?: boolean);
      get currentState(): State;
      registerOnConfigure(cb: TransitionCallback): void;
      registerOnActivate(cb: TransitionCallback): void;
      registerOnDeactivate(cb: TransitionCallback): void;
      registerOnCleanup(cb: TransitionCallback): void;
      registerOnShutdown(cb: TransitionCallback): void;
      configure(): State;
      activate(): State;
      deactivate(): State;
      cleanup(): State;
      shutdown(): State;
    }
  }

  function init(context?: undefined, argv?: string[]): Promise<void>;
  function isShutdown(): boolean;
  function shutdown(): void;
}
