// seqvpr_node: live place recognition as a ROS 2 managed (lifecycle) node, written against RosPort.
//
//   configure   load the pipeline config, encoders and map (configure.ts; localize / slam: map_path; map: empty)
//   activate    subscribe to images (and odometry), start processing and /diagnostics
//   deactivate  stop input and processing (the frame in flight finishes but publishes nothing)
//   cleanup     release encoders and map
//
// The node is one pipeline between a source and a sink, wired as replays are (src/pipeline/stream.ts):
//   RosFrameSource.frames$ (frame-source.ts: decode, checks, odometry pose, keyframes)
//     -> recognizeLive: the live overload policy (the newest waiting frame replaces older ones,
//        which are counted as dropped) running each frame through the LiveSession (process-frame.ts)
//     -> publishResults (src/sinks/ros-publishers.ts): place matches, poses, loop closures.
// Parameters (params.ts), services (map-services.ts) and diagnostics (diagnostics.ts, node-stats.ts)
// are small modules around it; this class holds the state they share and the lifecycle order.
// Bad input is counted by reason and logged at most once per log_throttle_s per reason; it never
// stops the node.
import { filter, type Subscription as RxSubscription } from 'rxjs';
import { formatStamp } from '../bag/stamp.js';
import { SeqvprError } from '../core/errors.js';
import { RecentQueryFrames } from '../loops/place-match-pose.js';
import type { PlaceMap } from '../map/place-map.js';
import { recognizeLive } from '../pipeline/stream.js';
import { publishResults, type ProcessedFrame } from '../sinks/ros-publishers.js';
import { configureNode, exclusion, type Configured } from './configure.js';
import { diagnosticContext, publishDiagnostics } from './diagnostics.js';
import { RosFrameSource, type LiveFrame } from './frame-source.js';
import type { BadInputReason } from './input.js';
import { loadMapSession, saveMapService, type ServiceResponse } from './map-services.js';
import { NodeStats } from './node-stats.js';
import { PARAMETER_NAMES, applyParameterChanges, declareNodeParams, isNodeParameter, type NodeParams } from './params.js';
import { type LifecycleState, type ParameterChange, type RosPort, type SetParametersResult, type Timer } from './port.js';
import { processLiveFrame } from './process-frame.js';
import { ThrottledLog } from './throttled-log.js';
import { LOAD_MAP_TYPE, SERVICES, TRIGGER_TYPE } from './topics.js';

// Callers that drive the node (launch files' tests, the live test) name its topics from here.
export { TOPICS } from './topics.js';

export const NODE_NAME = 'seqvpr_node';

/** Parameters every ROS 2 node has (declared by the client library, not by seqvpr). */
const CLIENT_LIBRARY_PARAMETER = /^(use_sim_time|start_type_description_service|qos_overrides\..*)$/;

interface Active {
  source: RosFrameSource;
  /** The pipeline from the source to the publishers; unsubscribing drops the waiting frame. */
  processing: RxSubscription;
  diagnosticsTimer: Timer;
}

export class SeqvprNode {
  private params: NodeParams;
  private configured: Configured | undefined;
  private active: Active | undefined;
  private stats: NodeStats;
  private readonly log: ThrottledLog;
  /** Stamps, odometry poses and descriptors of the recent query frames (the place match's window), bounded. */
  private readonly recentQueries = new RecentQueryFrames();
  /** The frame being processed, awaited before encoders are released. */
  private busy: Promise<unknown> = Promise.resolve();
  /** Transitions and map switches run one at a time. */
  private serial: Promise<unknown> = Promise.resolve();

  constructor(private readonly port: RosPort) {
    this.params = declareNodeParams(port);
    // A misspelt name in a params file would otherwise be ignored without a word.
    const unknown = port.parameterOverrideNames().filter((n) => !isNodeParameter(n) && !CLIENT_LIBRARY_PARAMETER.test(n));
    if (unknown.length) port.logger.warn(`ignoring unknown parameters ${unknown.join(', ')} (seqvpr_node has ${PARAMETER_NAMES.join(', ')})`);
    this.stats = new NodeStats(port.now());
    this.log = new ThrottledLog(port.logger, () => port.now(), () => this.params.log_throttle_s);
    port.onSetParameters((changes) => this.onParameters(changes));
    port.setLifecycleHooks({
      onConfigure: () => this.exclusive(() => this.configure()),
      onActivate: () => this.exclusive(() => this.activate()),
      onDeactivate: () => this.exclusive(() => this.deactivate()),
      onCleanup: () => this.exclusive(() => this.cleanup()),
      onShutdown: (from) => this.exclusive(() => this.shutdown(from)),
    });
    // Services live as long as the node and answer "not configured" until it is.
    port.createService(TRIGGER_TYPE, SERVICES.saveMap, () => this.exclusive(() => saveMapService(this.configured?.session, this.params)));
    port.createService(LOAD_MAP_TYPE, SERVICES.loadMap, (request) => this.exclusive(() => this.loadMapService(request)));
  }

  /** The current parameter values. */
  get parameters(): Readonly<NodeParams> {
    return this.params;
  }

  get lifecycleState(): LifecycleState {
    return this.port.lifecycleState;
  }

  /** The map in use (undefined while unconfigured). */
  get map(): PlaceMap | undefined {
    return this.configured?.session.map;
  }

  /** Resolves once no frame is being processed or waiting (tests; callers that feed frames themselves). */
  async whenIdle(): Promise<void> {
    for (;;) {
      const busy = this.busy;
      await busy;
      // The overload policy starts the waiting frame as soon as the previous one settles.
      if (busy === this.busy) return;
    }
  }

  /** Counts of bad input by reason since configure (what /diagnostics reports). */
  badInputCount(reason: BadInputReason): number {
    return this.stats.badInputCount(reason);
  }

  /** With autostart: configure and activate. Resolves false when a transition failed (it was logged). */
  async start(): Promise<boolean> {
    if (!this.params.autostart) {
      this.port.logger.info('autostart is off: waiting for lifecycle transitions (configure, activate)');
      return true;
    }
    return (await this.port.transition('configure')) && (await this.port.transition('activate'));
  }

  // --- lifecycle ---

  private async configure(): Promise<void> {
    const p = this.params;
    this.configured = await configureNode(this.port, p);
    const { loaded, frontend, session } = this.configured;
    this.stats = new NodeStats(this.port.now());
    this.resetWindow();
    this.port.logger.info(
      `configured: mode ${p.mode}, map ${session.mapId} (${session.map.size} frames), ` +
        `model ${frontend.identity.encoder.id} on ${frontend.frameEncoder.provider}, config ${loaded.file}`,
    );
  }

  private async activate(): Promise<void> {
    if (!this.configured) throw new SeqvprError('activate needs a configured node');
    const source = new RosFrameSource({ port: this.port, params: () => this.params, stats: this.stats, badInput: (r, m) => this.badInput(r, m) });
    // The same live operator as paced replays: newest frame kept, drops counted in the stats.
    const processing = recognizeLive(source.frames$, { process: (frame: LiveFrame) => this.processFrame(source, frame) }, this.stats.drops)
      .pipe(filter((processed): processed is ProcessedFrame => processed !== undefined))
      .subscribe((processed) => this.publish(processed));
    this.resetWindow();
    this.stats.report(this.port.now(), this.diagnosticContext(source.imageTopic)); // starts a fresh period
    this.active = { source, processing, diagnosticsTimer: this.startDiagnostics() };
    this.port.logger.info(`active: listening on ${source.imageTopic} (${source.imageType})${source.odometryTopic ? ` and ${source.odometryTopic}` : ''}`);
  }

  private async deactivate(): Promise<void> {
    const a = this.active;
    if (!a) return;
    this.active = undefined; // gates output at once: the frame in flight publishes nothing
    a.processing.unsubscribe();
    a.source.stop();
    a.diagnosticsTimer.cancel();
    await this.busy;
    this.port.logger.info('inactive: input stopped');
  }

  private async cleanup(): Promise<void> {
    const c = this.configured;
    if (!c) return;
    this.configured = undefined;
    await this.busy;
    for (const pub of Object.values(c.publishers)) pub?.destroy();
    await c.frontend.close();
    this.port.logger.info('unconfigured: encoders and map released');
  }

  private async shutdown(from: LifecycleState): Promise<void> {
    if (from === 'active') await this.deactivate();
    await this.cleanup();
  }

  private badInput(reason: BadInputReason, message: string): void {
    this.stats.badInput(reason);
    this.log.warn(reason, `bad input (${reason}): ${message}`);
  }

  /** Forgets the recent query frames (their stamps and poses go into place matches). */
  private resetWindow(): void {
    this.recentQueries.clear();
  }

  // --- processing ---

  /**
   * The overload policy's work: one frame through the session. Never rejects: a failure is counted
   * and yields undefined, so the stream goes on.
   */
  private processFrame(source: RosFrameSource, frame: LiveFrame): Promise<ProcessedFrame | undefined> {
    const run = this.runFrame(source, frame);
    this.busy = run;
    return run;
  }

  private async runFrame(source: RosFrameSource, frame: LiveFrame): Promise<ProcessedFrame | undefined> {
    const c = this.configured;
    if (!c) return undefined;
    if (source.takeRestart()) {
      this.resetWindow();
      c.session.restartAfterClockJump();
    }
    return processLiveFrame(frame, {
      session: c.session,
      stats: this.stats,
      recentQueries: this.recentQueries,
      windowLength: c.loaded.config.windowLength,
      badInput: (reason, message) => this.badInput(reason, message),
    });
  }

  /** The sink: publishers subscribed to the processed frames. */
  private publish(processed: ProcessedFrame): void {
    const c = this.configured;
    // Deactivated, cleaned up or switched to another map meanwhile: this result is stale.
    if (!this.active || !c || c.session !== processed.session) return;
    const { params, stats, recentQueries } = this;
    try {
      publishResults(c.publishers, processed, { params, stats, recentQueries });
    } catch (e) {
      // A throwing subscriber would end the stream: count it and go on.
      this.badInput('processing_error', `results of the frame stamped ${formatStamp(processed.frame.stamp)} not published: ${(e as Error).message}`);
    }
  }

  // --- diagnostics ---

  private startDiagnostics(): Timer {
    return this.port.createTimer(this.params.diagnostics_period_s * 1000, () => this.publishDiagnostics());
  }

  private diagnosticContext(imageTopic: string) {
    return diagnosticContext(this.params.mode, imageTopic, this.configured!);
  }

  private publishDiagnostics(): void {
    const c = this.configured;
    const a = this.active;
    if (!c || !a) return;
    try {
      publishDiagnostics(this.port, c.publishers.diagnostics, this.stats, this.diagnosticContext(a.source.imageTopic));
    } catch (e) {
      // A timer callback that throws could take the process down; diagnostics are not worth that.
      this.log.warn('diagnostics', `/diagnostics not published: ${(e as Error).message}`);
    }
  }

  // --- parameters ---

  private onParameters(changes: readonly ParameterChange[]): SetParametersResult {
    // Parameters the client library owns (use_sim_time, ...) are not ours to judge.
    const own = changes.filter((c) => isNodeParameter(c.name));
    if (own.length === 0) return { successful: true };
    const outcome = applyParameterChanges(this.params, own, this.port.lifecycleState);
    if ('reason' in outcome) return { successful: false, reason: outcome.reason };
    const before = this.params;
    const p = (this.params = outcome.params);
    const changed = (...names: (keyof NodeParams)[]) => names.some((n) => before[n] !== p[n]);
    if (changed('loop_exclude_s', 'loop_exclude_frames')) this.configured?.session.setExclusion(exclusion(p));
    if (changed('keyframe_distance_m', 'keyframe_period_s')) this.active?.source.resetKeyframes();
    if (changed('diagnostics_period_s') && this.active) {
      this.active.diagnosticsTimer.cancel();
      this.active.diagnosticsTimer = this.startDiagnostics();
    }
    return { successful: true };
  }

  // --- services ---

  private async loadMapService(request: Record<string, unknown>): Promise<ServiceResponse> {
    const c = this.configured;
    const loaded = await loadMapSession(request, c, this.params, exclusion(this.params), (m) => this.port.logger.warn(m));
    if (!c || !('session' in loaded)) return loaded.response;
    c.session = loaded.session;
    this.resetWindow();
    this.active?.source.cancelRestart();
    this.port.logger.info(`switched to map ${c.session.mapId} (${c.session.map.size} frames); the query window restarts`);
    return loaded.response;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.serial.then(work, work);
    this.serial = run.catch(() => undefined);
    return run;
  }
}
