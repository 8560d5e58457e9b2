// An in-memory RosPort: topics, services, parameters, a settable clock with timers, and the managed
// node state machine, all without ROS. Tests publish into the node's subscriptions and read what it
// published; users can drive a SeqvprNode the same way (e.g. from their own transport).
import {
  LIFECYCLE_TRANSITIONS,
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
  /** Start-up parameter values, as a params file or `-p name:=value` would give them. */
  parameterOverrides?: Record<string, ParameterValue>;
  /** Initial clock, nanoseconds. */
  startTimeNs?: bigint;
  /** Sees every published message with its type before it is recorded (e.g. a serialiser that throws on a bad field). */
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
  private readonly overrides: Record<string, ParameterValue>;
  private readonly descriptors = new Map<string, ParameterDescriptor>();
  private readonly values = new Map<string, ParameterValue>();
  private readonly setCallbacks: ((changes: readonly ParameterChange[]) => SetParametersResult)[] = [];
  private readonly subscriptions = new Map<string, FakeSubscription[]>();
  private readonly publishers = new Map<string, { type: string; qos: QosProfile; live: boolean }>();
  private readonly published = new Map<string, PublishedMessage[]>();
  private readonly services = new Map<string, { type: string; handler: ServiceHandler }>();
  private readonly timers: FakeTimer[] = [];
  private hooks: LifecycleHooks | undefined;
  private state: LifecycleState = 'unconfigured';
  private transitions: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: FakeTransportOptions = {}) {
    this.nodeName = options.nodeName ?? '/seqvpr_node';
    this.clockNs = options.startTimeNs ?? 0n;
    this.overrides = { ...options.parameterOverrides };
    const record = (level: LogRecord['level']) => (message: string) => {
      this.logs.push({ level, message });
      if (options.echoLogs) console.log(`[${level}] ${message}`);
    };
    this.logger = { info: record('info'), warn: record('warn'), error: record('error') };
  }

  // --- RosPort ---

  now(): bigint {
    return this.clockNs;
  }

  declareParameter(descriptor: ParameterDescriptor, defaultValue: ParameterValue): ParameterValue {
    if (this.descriptors.has(descriptor.name)) throw new Error(`parameter ${descriptor.name} is already declared`);
    const value = descriptor.name in this.overrides ? this.overrides[descriptor.name] : defaultValue;
    const problem = checkAgainstDescriptor(descriptor, value);
    if (problem) throw new Error(`cannot declare parameter ${descriptor.name}: ${problem}`);
    this.descriptors.set(descriptor.name, descriptor);
    this.values.set(descriptor.name, value);
    return value;
  }

  parameterOverrideNames(): string[] {
    return Object.keys(this.overrides);
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
        const list = this.published.get(topic) ?? [];
        list.push({ type, message: msg });
        this.published.set(topic, list);
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
    if (this.hooks) throw new Error('lifecycle hooks are already set');
    this.hooks = hooks;
  }

  get lifecycleState(): LifecycleState {
    return this.state;
  }

  /** Transitions run one after another, as the ROS state machine allows only one at a time. */
  transition(transition: LifecycleTransition): Promise<boolean> {
    const run = this.transitions.then(() => this.runTransition(transition));
    this.transitions = run;
    return run;
  }

  // --- test side ---

  /** Delivers `message` to every live subscription on `topic` (synchronously, like one executor callback each). */
  publish(topic: string, message: unknown): number {
    const subs = [...(this.subscriptions.get(topic) ?? [])];
    for (const s of subs) if (s.active) s.callback(message);
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

  async callService(name: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const service = this.services.get(name);
    if (!service) throw new Error(`no service ${name}; offered: ${[...this.services.keys()].join(', ') || 'none'}`);
    return service.handler(request);
  }

  getParameter(name: string): ParameterValue | undefined {
    return this.values.get(name);
  }

  describeParameter(name: string): ParameterDescriptor | undefined {
    return this.descriptors.get(name);
  }

  /** Sets parameters at run time as `ros2 param set` would: descriptor checks first, then the node's callbacks. */
  setParameters(changes: readonly ParameterChange[]): SetParametersResult {
    for (const { name, value } of changes) {
      const d = this.descriptors.get(name);
      if (!d) return { successful: false, reason: `parameter ${name} is not declared` };
      if (d.readOnly) return { successful: false, reason: `parameter ${name} is read-only` };
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

  private async runTransition(transition: LifecycleTransition): Promise<boolean> {
    const from = this.state;
    const to = LIFECYCLE_TRANSITIONS[from][transition];
    if (!to) {
      this.logger.warn(`lifecycle: ${transition} is not allowed from ${from}`);
      return false;
    }
    const hooks = this.hooks;
    try {
      if (hooks) {
        if (transition === 'configure') await hooks.onConfigure();
        else if (transition === 'activate') await hooks.onActivate();
        else if (transition === 'deactivate') await hooks.onDeactivate();
        else if (transition === 'cleanup') await hooks.onCleanup();
        else await hooks.onShutdown(from);
      }
    } catch (e) {
      this.logger.error(`lifecycle: ${transition} failed: ${(e as Error).message}`);
      // Shutdown always ends the node; other failed transitions leave it where it was.
      if (transition === 'shutdown') this.state = 'finalized';
      return false;
    }
    this.state = to;
    return true;
  }
}

/** Why `value` does not fit the descriptor (type, range), or undefined when it does. */
export function checkAgainstDescriptor(d: ParameterDescriptor, value: ParameterValue): string | undefined {
  const ok =
    d.type === 'bool'
      ? typeof value === 'boolean'
      : d.type === 'integer'
        ? typeof value === 'number' && Number.isInteger(value)
        : d.type === 'double'
          ? typeof value === 'number' && Number.isFinite(value)
          : d.type === 'string'
            ? typeof value === 'string'
            : Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (!ok) return `parameter ${d.name} must be of type ${d.type}, got ${JSON.stringify(value)}`;
  if (d.range && typeof value === 'number' && (value < d.range.from || value > d.range.to)) {
    return `parameter ${d.name} must lie in [${d.range.from}, ${d.range.to}], got ${value}`;
  }
  return undefined;
}
