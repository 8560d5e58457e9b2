// The managed-node state machine as a caller sees it: a transition runs its (asynchronous) hook and
// only then moves the node, and `ros2 lifecycle set` / a lifecycle manager get the hook's outcome.
// rclnodejs 2.2.0 cannot do that by itself: its LifecycleNode runs transition callbacks
// synchronously and answers ~/change_state as soon as the callback returns (lib/lifecycle.js
// _onChangeState / _changeState), before a hook that loads a model or a map has finished. So the
// rclnodejs adapter creates its LifecycleNode without rcl's lifecycle services and offers them here;
// the fake transport offers the same ones, so tests drive the node the way ROS tools do.
import {
  LIFECYCLE_TRANSITIONS,
  type LifecycleHooks,
  type LifecycleState,
  type LifecycleTransition,
  type Logger,
} from './port.js';

/** lifecycle_msgs/msg/State ids and the labels rcl_lifecycle gives them (default_state_machine.c). */
export const STATE_IDS = {
  unconfigured: 1,
  inactive: 2,
  active: 3,
  finalized: 4,
  configuring: 10,
  cleaningup: 11,
  shuttingdown: 12,
  activating: 13,
  deactivating: 14,
  errorprocessing: 15,
} as const;
type StateLabel = keyof typeof STATE_IDS;

/** The transition state a transition passes through while its hook runs. */
export const TRANSITION_STATE: Record<LifecycleTransition, StateLabel> = {
  configure: 'configuring',
  cleanup: 'cleaningup',
  shutdown: 'shuttingdown',
  activate: 'activating',
  deactivate: 'deactivating',
};

/** lifecycle_msgs/msg/Transition ids of the primary transitions, per start state (shutdown has three). */
const TRANSITION_IDS: Record<LifecycleState, Partial<Record<LifecycleTransition, number>>> = {
  unconfigured: { configure: 1, shutdown: 5 },
  inactive: { cleanup: 2, activate: 3, shutdown: 6 },
  active: { deactivate: 4, shutdown: 7 },
  finalized: {},
};

export const LIFECYCLE_SERVICE_TYPES = {
  changeState: 'lifecycle_msgs/srv/ChangeState',
  getState: 'lifecycle_msgs/srv/GetState',
  getAvailableStates: 'lifecycle_msgs/srv/GetAvailableStates',
  getAvailableTransitions: 'lifecycle_msgs/srv/GetAvailableTransitions',
} as const;

/** rcl_lifecycle com_interface.c service names. */
export const LIFECYCLE_SERVICES = {
  changeState: '~/change_state',
  getState: '~/get_state',
  getAvailableStates: '~/get_available_states',
  getAvailableTransitions: '~/get_available_transitions',
  getTransitionGraph: '~/get_transition_graph',
} as const;

/** What a hook's end means for the state machine (rclcpp_lifecycle's CallbackReturn). */
export type HookOutcome = 'success' | 'failure';

type StateMsg = { id: number; label: string };
const stateMsg = (label: StateLabel): StateMsg => ({ id: STATE_IDS[label], label });

export type ServiceHandler = (request: Record<string, unknown>) => Promise<Record<string, unknown>>;

export interface ManagedLifecycleOptions {
  logger: Logger;
  /** The primary state the node is in. */
  state(): LifecycleState;
  /**
   * Moves the node once its hook has ended: SUCCESS to the goal state; FAILURE back to the start
   * state, except shutdown, which ends in finalized either way (default_state_machine.c).
   */
  commit(transition: LifecycleTransition, outcome: HookOutcome): void;
}

/**
 * Runs transitions one at a time (rcl refuses a transition while one is under way: the node is
 * in a transition state, which has no primary transitions) and answers the lifecycle services.
 */
export class ManagedLifecycle {
  private hooks: LifecycleHooks | undefined;
  private running: LifecycleTransition | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ManagedLifecycleOptions) {}

  setHooks(hooks: LifecycleHooks): void {
    if (this.hooks) throw new Error('lifecycle hooks are already set');
    this.hooks = hooks;
  }

  /** The transition whose hook is running, if any. */
  get inTransition(): LifecycleTransition | undefined {
    return this.running;
  }

  /** From the node's side (autostart, signals, tests): waits for a running transition first. */
  transition(transition: LifecycleTransition): Promise<boolean> {
    const run = this.queue.then(() => this.run(transition));
    this.queue = run;
    return run;
  }

  /** The lifecycle services, for the port to offer (name, type, handler). */
  services(): { name: string; type: string; handler: ServiceHandler }[] {
    return [
      { name: LIFECYCLE_SERVICES.changeState, type: LIFECYCLE_SERVICE_TYPES.changeState, handler: (r) => this.changeState(r) },
      { name: LIFECYCLE_SERVICES.getState, type: LIFECYCLE_SERVICE_TYPES.getState, handler: async () => ({ current_state: this.currentState() }) },
      {
        name: LIFECYCLE_SERVICES.getAvailableStates,
        type: LIFECYCLE_SERVICE_TYPES.getAvailableStates,
        handler: async () => ({ available_states: (Object.keys(STATE_IDS) as StateLabel[]).map(stateMsg) }),
      },
      {
        name: LIFECYCLE_SERVICES.getAvailableTransitions,
        type: LIFECYCLE_SERVICE_TYPES.getAvailableTransitions,
        handler: async () => ({ available_transitions: this.running ? [] : this.descriptions(this.options.state()) }),
      },
      {
        name: LIFECYCLE_SERVICES.getTransitionGraph,
        type: LIFECYCLE_SERVICE_TYPES.getAvailableTransitions,
        handler: async () => ({ available_transitions: (Object.keys(TRANSITION_IDS) as LifecycleState[]).flatMap((s) => this.descriptions(s)) }),
      },
    ];
  }

  /** lifecycle_msgs/State of the node: the transition state while a hook runs. */
  currentState(): StateMsg {
    return stateMsg(this.running ? TRANSITION_STATE[this.running] : this.options.state());
  }

  /**
   * ~/change_state: the transition by label, else by id (rclcpp_lifecycle
   * lifecycle_node_interface_impl.cpp on_change_state); success is the hook's outcome. A request
   * while another transition runs, or one the current state does not allow, answers false.
   */
  private async changeState(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const t = (request.transition ?? {}) as { id?: number; label?: string };
    if (this.running) {
      this.options.logger.warn(`lifecycle: ${t.label || `transition ${t.id}`} refused: ${this.running} is under way`);
      return { success: false };
    }
    const from = this.options.state();
    const ids = TRANSITION_IDS[from];
    const transition = (Object.keys(ids) as LifecycleTransition[]).find((name) => (t.label ? name === t.label : ids[name] === t.id));
    if (!transition) {
      this.options.logger.warn(`lifecycle: ${t.label || `transition ${t.id}`} is not allowed from ${from}`);
      return { success: false };
    }
    return { success: await this.transition(transition) };
  }

  private descriptions(from: LifecycleState) {
    return (Object.entries(TRANSITION_IDS[from]) as [LifecycleTransition, number][]).map(([label, id]) => ({
      transition: { id, label },
      start_state: stateMsg(from),
      goal_state: stateMsg(TRANSITION_STATE[label]),
    }));
  }

  private async run(transition: LifecycleTransition): Promise<boolean> {
    const from = this.options.state();
    const goal = LIFECYCLE_TRANSITIONS[from][transition];
    if (!goal) {
      this.options.logger.warn(`lifecycle: ${transition} is not allowed from ${from}`);
      return false;
    }
    this.running = transition;
    let outcome: HookOutcome = 'success';
    try {
      await this.hook(transition, from);
    } catch (e) {
      this.options.logger.error(`lifecycle: ${transition} failed: ${(e as Error).message}`);
      outcome = 'failure';
    } finally {
      this.running = undefined;
    }
    try {
      this.options.commit(transition, outcome);
    } catch (e) {
      this.options.logger.error(`lifecycle: ${transition} could not be completed: ${(e as Error).message}`);
      return false;
    }
    return outcome === 'success' && this.options.state() === goal;
  }

  private hook(transition: LifecycleTransition, from: LifecycleState): Promise<void> {
    const h = this.hooks;
    if (!h) return Promise.resolve();
    switch (transition) {
      case 'configure':
        return h.onConfigure();
      case 'activate':
        return h.onActivate();
      case 'deactivate':
        return h.onDeactivate();
      case 'cleanup':
        return h.onCleanup();
      case 'shutdown':
        return h.onShutdown(from);
    }
  }
}

/** The state a committed transition leaves the node in (the fake's rcl_lifecycle). */
export function stateAfter(from: LifecycleState, transition: LifecycleTransition, outcome: HookOutcome): LifecycleState {
  if (transition === 'shutdown') return 'finalized';
  return outcome === 'success' ? (LIFECYCLE_TRANSITIONS[from][transition] ?? from) : from;
}
