// seqvpr_node: live place recognition as a ROS 2 managed (lifecycle) node, written against RosPort.
//
//   configure   load the pipeline config, encoders and map (localize / slam: map_path; map: empty)
//   activate    subscribe to images (and odometry), start processing and /diagnostics
//   deactivate  stop input and processing (the frame in flight finishes but publishes nothing)
//   cleanup     release encoders and map
//
// Images are decoded in the node (rclnodejs has no image_transport), checked (empty, encoding,
// stamp order), given the odometry pose at their stamp, thinned to keyframes, and handed to the
// pipeline through the live overload policy: while one frame is processed the newest waiting frame
// replaces older ones, which are counted as dropped. Bad input is counted by reason and logged at
// most once per log_throttle_s per reason; it never stops the node.
import { Subject, type Subscription as RxSubscription } from 'rxjs';
import { COMPRESSED_IMAGE_TYPE, IMAGE_TYPE, ODOMETRY_TYPE } from '../bag/convert.js';
import { ConfigError, DescriptorError, ImageDecodeError, SeqvprError } from '../core/errors.js';
import type { Frame, StampNs } from '../core/types.js';
import type { ExecutionProviderName } from '../encoders/onnx-model.js';
import { loadMap } from '../map/load-map.js';
import { PlaceMap } from '../map/place-map.js';
import { saveMap } from '../map/save-map.js';
import { createFrontend, type Frontend } from '../pipeline/assemble.js';
import { hnswParams, loadPipelineConfig, type LoadedConfig } from '../pipeline/config.js';
import { KeyframeSelector } from '../pipeline/keyframes.js';
import { processNewest } from '../pipeline/overload.js';
import { BadInputError, StampGuard, imageInput, odometryInput, type BadInputReason } from './input.js';
import { LiveSession, type LoopExclusion, type SessionStep } from './live-session.js';
import { loopRelativePose } from '../loops/loop-pose.js';
import { RecentQueryFrames, placeMatchRelativePose } from '../loops/place-match-pose.js';
import {
  DIAGNOSTIC_ARRAY_TYPE,
  LOOP_CLOSURE_TYPE,
  PLACE_MATCH_TYPE,
  POSE_WITH_COVARIANCE_STAMPED_TYPE,
  toDiagnosticArrayMsg,
  toLoopClosureMsg,
  toPlaceMatchMsg,
  toPoseWithCovarianceStampedMsg,
} from './messages.js';
import { NodeStats } from './node-stats.js';
import { OdometryBuffer } from './odometry-buffer.js';
import { PARAMETER_NAMES, applyParameterChanges, declareNodeParams, isNodeParameter, type NodeParams } from './params.js';
import {
  DIAGNOSTICS_QOS,
  RESULTS_QOS,
  type LifecycleState,
  type ParameterChange,
  type Publisher,
  type QosProfile,
  type RosPort,
  type SetParametersResult,
  type Subscription,
  type Timer,
} from './port.js';
import { poseCovariance } from './pose-covariance.js';
import { RecentStamps } from './recent-stamps.js';
import { ThrottledLog } from './throttled-log.js';

export const NODE_NAME = 'seqvpr_node';

/** Topic and service names (relative ones resolve in the node's namespace; ~ is the node's own). */
export const TOPICS = {
  image: 'image',
  compressedImage: 'image/compressed',
  odometry: 'odom',
  placeMatch: '~/place_match',
  loopClosure: '~/loop_closure',
  pose: '~/pose',
  diagnostics: '/diagnostics',
} as const;

export const SERVICES = { saveMap: '~/save_map', loadMap: '~/load_map' } as const;
export const TRIGGER_TYPE = 'std_srvs/srv/Trigger';
export const LOAD_MAP_TYPE = 'seqvpr/srv/LoadMap';

/**
 * A stamp further than this behind the previous frame's means the clock went back (bag loop,
 * simulated time restarted): the query window restarts. Closer behind: a late frame, skipped.
 */
export const CLOCK_JUMP_NS = 1_000_000_000n;

/** Parameters every ROS 2 node has (declared by the client library, not by seqvpr). */
const CLIENT_LIBRARY_PARAMETER = /^(use_sim_time|start_type_description_service|qos_overrides\..*)$/;

interface Publishers {
  placeMatch?: Publisher;
  pose?: Publisher;
  loopClosure?: Publisher;
  diagnostics: Publisher;
}

interface Configured {
  loaded: LoadedConfig;
  frontend: Frontend;
  session: LiveSession;
  publishers: Publishers;
}

interface Active {
  imageTopic: string;
  subscriptions: Subscription[];
  input: Subject<Omit<Frame, 'index'>>;
  processing: RxSubscription;
  diagnosticsTimer: Timer;
}

type ServiceResponse = { success: boolean; message: string };

export class SeqvprNode {
  private params: NodeParams;
  private configured: Configured | undefined;
  private active: Active | undefined;
  private stats: NodeStats;
  private readonly log: ThrottledLog;
  private readonly guard = new StampGuard(CLOCK_JUMP_NS);
  private readonly odometry = new OdometryBuffer();
  private keyframes: KeyframeSelector;
  /** Set when the clock jumped back; the next processed frame restarts the query window first. */
  private restartPending = false;
  /** Stamps of the last processed frames by query index (the place match's window), bounded. */
  private readonly recentStamps = new RecentStamps();
  /** Odometry poses and descriptors of the recent query frames, for place matches' relative poses. */
  private readonly recentQueries = new RecentQueryFrames();
  /** The frame being processed, awaited before encoders are released. */
  private busy: Promise<void> = Promise.resolve();
  /** Transitions and map switches run one at a time. */
  private serial: Promise<unknown> = Promise.resolve();

  constructor(private readonly port: RosPort) {
    this.params = declareNodeParams(port);
    // A misspelt name in a params file would otherwise be ignored without a word.
    const unknown = port.parameterOverrideNames().filter((n) => !isNodeParameter(n) && !CLIENT_LIBRARY_PARAMETER.test(n));
    if (unknown.length) port.logger.warn(`ignoring unknown parameters ${unknown.join(', ')} (seqvpr_node has ${PARAMETER_NAMES.join(', ')})`);
    this.stats = new NodeStats(port.now());
    this.keyframes = keyframeSelector(this.params);
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
    port.createService(TRIGGER_TYPE, SERVICES.saveMap, () => this.exclusive(() => this.saveMapService()));
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
    if (p.mode !== 'map' && !p.map_path) {
      throw new ConfigError(`mode ${p.mode} needs map_path (a folder written by "seqvpr map build"); set it, or use mode map to start an empty map`);
    }
    const warn = (m: string) => this.port.logger.warn(m);
    const loaded = withProviders(await loadPipelineConfig(p.config_file || undefined), p.execution_providers, warn);
    const frontend = await createFrontend(loaded, { warn });
    try {
      let map: PlaceMap;
      let mapId: string;
      if (p.mode === 'map') {
        if (p.map_path) warn(`mode map starts an empty map: map_path ${p.map_path} is not loaded (use mode slam to extend it)`);
        map = PlaceMap.create({
          encoder: frontend.identity.encoder,
          sequence: frontend.identity.sequence,
          hnsw: hnswParams(loaded.config),
          source: `ros ${this.port.nodeName}`,
          patches: frontend.identity.patches ?? undefined,
        });
        mapId = p.save_map_path || `${this.port.nodeName} live map`;
      } else {
        map = await this.readMap(p.map_path, frontend);
        mapId = p.map_path;
      }
      const session = new LiveSession(p.mode, frontend, map, mapId, exclusion(p));
      const publishers: Publishers = {
        diagnostics: this.port.createPublisher(DIAGNOSTIC_ARRAY_TYPE, TOPICS.diagnostics, DIAGNOSTICS_QOS),
      };
      if (p.mode !== 'map') {
        publishers.placeMatch = this.port.createPublisher(PLACE_MATCH_TYPE, TOPICS.placeMatch, RESULTS_QOS);
        publishers.pose = this.port.createPublisher(POSE_WITH_COVARIANCE_STAMPED_TYPE, TOPICS.pose, RESULTS_QOS);
      }
      if (p.mode !== 'localize') publishers.loopClosure = this.port.createPublisher(LOOP_CLOSURE_TYPE, TOPICS.loopClosure, RESULTS_QOS);
      this.configured = { loaded, frontend, session, publishers };
    } catch (e) {
      await frontend.close();
      throw e;
    }
    this.stats = new NodeStats(this.port.now());
    this.resetInputState();
    this.port.logger.info(
      `configured: mode ${p.mode}, map ${this.configured.session.mapId} (${this.configured.session.map.size} frames), ` +
        `model ${frontend.identity.encoder.id} on ${frontend.frameEncoder.provider}, config ${loaded.file}`,
    );
  }

  private async activate(): Promise<void> {
    if (!this.configured) throw new SeqvprError('activate needs a configured node');
    const p = this.params;
    const raw = p.image_transport === 'raw';
    const imageType = raw ? IMAGE_TYPE : COMPRESSED_IMAGE_TYPE;
    const imageTopic = raw ? TOPICS.image : TOPICS.compressedImage;
    const qos: QosProfile = { reliability: p.qos_reliability, durability: 'volatile', depth: p.qos_depth };
    const input = new Subject<Omit<Frame, 'index'>>();
    const processing = input.pipe(processNewest((frame: Omit<Frame, 'index'>) => this.processFrame(frame), this.stats.drops)).subscribe();
    const subscriptions = [this.port.createSubscription(imageType, imageTopic, qos, (m) => this.onImage(imageType, imageTopic, m))];
    if (p.use_odometry) {
      // Odometry comes faster than images; a deeper queue keeps the samples around each image.
      const odomQos = { ...qos, depth: Math.max(qos.depth, 50) };
      subscriptions.push(this.port.createSubscription(ODOMETRY_TYPE, TOPICS.odometry, odomQos, (m) => this.onOdometry(m)));
    }
    this.resetInputState();
    this.stats.report(this.port.now(), this.diagnosticContext(imageTopic)); // starts a fresh period
    this.active = { imageTopic, subscriptions, input, processing, diagnosticsTimer: this.startDiagnostics() };
    this.port.logger.info(`active: listening on ${imageTopic} (${imageType})${p.use_odometry ? ` and ${TOPICS.odometry}` : ''}`);
  }

  private async deactivate(): Promise<void> {
    const a = this.active;
    if (!a) return;
    this.active = undefined; // gates output at once: the frame in flight publishes nothing
    for (const s of a.subscriptions) s.destroy();
    a.processing.unsubscribe();
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

  // --- input ---

  private onImage(type: typeof IMAGE_TYPE | typeof COMPRESSED_IMAGE_TYPE, topic: string, message: unknown): void {
    const a = this.active;
    if (!a) return;
    let image;
    try {
      image = imageInput(type, message);
    } catch (e) {
      return this.badInput(e instanceof BadInputError ? e.reason : 'malformed_message', `${topic}: ${(e as Error).message}`);
    }
    this.stats.arrived(Number(this.port.now() - image.stamp) / 1e6);
    const verdict = this.guard.check(image.stamp);
    if (verdict === 'out_of_order') {
      return this.badInput('out_of_order_stamp', `${topic}: image stamp ${formatStamp(image.stamp)} is not after the previous image's; skipped`);
    }
    if (verdict === 'jumped_back') {
      this.badInput('clock_jump_backwards', `${topic}: image stamps jumped back to ${formatStamp(image.stamp)}; the query window restarts`);
      this.restartPending = true;
    }
    const pose = this.params.use_odometry ? this.odometry.poseAt(image.stamp) : undefined;
    const frame: Omit<Frame, 'index'> = {
      stamp: image.stamp,
      frameId: image.frameId,
      image: image.value,
      source: `${topic}#${this.stats.received - 1}`,
      ...(pose && { pose }),
    };
    if (!this.keyframes.accept({ ...frame, index: 0 })) {
      this.stats.notKeyframes++;
      return;
    }
    a.input.next(frame);
  }

  private onOdometry(message: unknown): void {
    if (!this.active) return;
    try {
      const { stamp, pose } = odometryInput(message);
      this.odometry.add(stamp, pose);
    } catch (e) {
      this.badInput(e instanceof BadInputError ? e.reason : 'malformed_odometry', `${TOPICS.odometry}: ${(e as Error).message}`);
    }
  }

  private badInput(reason: BadInputReason, message: string): void {
    this.stats.badInput(reason);
    this.log.warn(reason, `bad input (${reason}): ${message}`);
  }

  private resetInputState(): void {
    this.guard.reset();
    this.odometry.clear();
    this.recentStamps.clear();
    this.recentQueries.clear();
    this.restartPending = false;
    this.keyframes = keyframeSelector(this.params);
  }

  // --- processing ---

  /** The overload policy's work: one frame through the session, then its outputs. Never rejects. */
  private processFrame(frame: Omit<Frame, 'index'>): Promise<void> {
    const run = this.runFrame(frame);
    this.busy = run;
    return run;
  }

  private async runFrame(frame: Omit<Frame, 'index'>): Promise<void> {
    const c = this.configured;
    if (!c) return;
    const session = c.session;
    if (this.restartPending) {
      this.restartPending = false;
      this.recentStamps.clear();
      this.recentQueries.clear();
      session.restartAfterClockJump();
    }
    let step: SessionStep;
    try {
      step = await session.process(frame);
    } catch (e) {
      // A failure of our own (or an encoder's) must not end the stream: count it and go on.
      return this.badInput('processing_error', `frame stamped ${formatStamp(frame.stamp)}: ${(e as Error).message}`);
    }
    const { result } = step;
    if (result.times.total !== undefined) this.stats.processedFrame(result.times.total);
    if (result.kind === 'skipped') {
      const reason: BadInputReason =
        result.error instanceof ImageDecodeError ? 'corrupt_image' : result.error instanceof DescriptorError ? 'invalid_descriptor' : 'processing_error';
      return this.badInput(reason, `frame stamped ${formatStamp(frame.stamp)}: ${result.error.message}`);
    }
    // Stamps for the correspondences of the next matches: their window, with one to spare.
    this.recentStamps.remember(result.frame.index, frame.stamp, c.loaded.config.windowLength + 1);
    this.recentQueries.remember(result.frame.index, frame.pose, result.descriptor, c.loaded.config.windowLength + 1);
    // Deactivated, cleaned up or switched to another map meanwhile: this result is stale.
    if (!this.active || this.configured !== c || c.session !== session) return;
    try {
      this.publishResults(c, session, frame, step);
    } catch (e) {
      this.badInput('processing_error', `results of the frame stamped ${formatStamp(frame.stamp)} not published: ${(e as Error).message}`);
    }
  }

  private publishResults(c: Configured, session: LiveSession, frame: Omit<Frame, 'index'>, step: SessionStep): void {
    const p = this.params;
    const { result, loop } = step;
    const header = { stamp: frame.stamp, frameId: frame.frameId };
    if (result.kind === 'match' && c.publishers.placeMatch) {
      const match = p.publish_candidates ? result.match : { ...result.match, candidates: result.match.candidates.slice(0, 1) };
      const relative = placeMatchRelativePose(session.map, match, this.recentQueries);
      c.publishers.placeMatch.publish(
        toPlaceMatchMsg({ header, match, map: session.map, mapId: session.mapId, queryStamps: this.recentStamps, relative: relative.ok ? relative : undefined }),
      );
      this.stats.placeMatches++;
      const matched = session.map.frames[match.mapIndex];
      // Only frames that came with the map have poses in the map frame (live ones are in odom).
      if (p.publish_pose && c.publishers.pose && matched.pose && match.mapIndex < session.loadedFrames && match.confidence >= p.min_confidence) {
        c.publishers.pose.publish(
          toPoseWithCovarianceStampedMsg({
            header: { stamp: frame.stamp, frameId: p.map_frame_id },
            pose: matched.pose,
            covariance: poseCovariance(match.confidence, p.pose_covariance_scale),
          }),
        );
        this.stats.poses++;
      }
    }
    if (loop && c.publishers.loopClosure && loop.confidence >= p.loop_min_confidence) {
      // Relative pose from the odometry of both matched segments; without it, the reason is counted.
      const relative = loopRelativePose(session.map, loop);
      if (relative.ok) this.stats.loopRelativePoses++;
      else this.stats.loopsWithoutRelativePose.set(relative.reason, (this.stats.loopsWithoutRelativePose.get(relative.reason) ?? 0) + 1);
      c.publishers.loopClosure.publish(toLoopClosureMsg({ header, loop, map: session.map, relative: relative.ok ? relative : undefined }));
      this.stats.loopClosures++;
    }
  }

  // --- diagnostics ---

  private startDiagnostics(): Timer {
    return this.port.createTimer(this.params.diagnostics_period_s * 1000, () => this.publishDiagnostics());
  }

  private diagnosticContext(imageTopic: string) {
    const c = this.configured!;
    return {
      mode: this.params.mode,
      imageTopic,
      mapId: c.session.mapId,
      mapSize: c.session.map.size,
      model: c.frontend.identity.encoder.id,
      executionProvider: c.frontend.frameEncoder.provider,
      matcher: c.loaded.config.matcher.kind,
    };
  }

  private publishDiagnostics(): void {
    const c = this.configured;
    const a = this.active;
    if (!c || !a) return;
    const now = this.port.now();
    const report = this.stats.report(now, this.diagnosticContext(a.imageTopic));
    try {
      c.publishers.diagnostics.publish(
        toDiagnosticArrayMsg({
          stamp: now,
          name: `${this.port.nodeName}: place recognition`,
          hardwareId: this.port.nodeName,
          level: report.level,
          message: report.message,
          values: report.values,
        }),
      );
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
    if (changed('keyframe_distance_m', 'keyframe_period_s')) this.keyframes = keyframeSelector(p);
    if (changed('diagnostics_period_s') && this.active) {
      this.active.diagnosticsTimer.cancel();
      this.active.diagnosticsTimer = this.startDiagnostics();
    }
    return { successful: true };
  }

  // --- services ---

  private async saveMapService(): Promise<ServiceResponse> {
    const c = this.configured;
    if (!c) return { success: false, message: 'the node is not configured: configure it first (it has no map)' };
    const dir = this.params.save_map_path || this.params.map_path;
    if (!dir) return { success: false, message: 'set save_map_path (or map_path) to the folder the map should be written to' };
    try {
      const manifest = await saveMap(c.session.map, dir);
      return { success: true, message: `saved ${manifest.frames} frames to ${dir}` };
    } catch (e) {
      return { success: false, message: `cannot save the map to ${dir}: ${(e as Error).message}` };
    }
  }

  private async loadMapService(request: Record<string, unknown>): Promise<ServiceResponse> {
    const c = this.configured;
    if (!c) return { success: false, message: 'the node is not configured: set map_path and configure it instead' };
    const dir = request.map_path;
    if (typeof dir !== 'string' || dir === '') return { success: false, message: 'map_path must name a map folder' };
    try {
      const map = await this.readMap(dir, c.frontend);
      c.session = new LiveSession(this.params.mode, c.frontend, map, dir, exclusion(this.params));
    } catch (e) {
      return { success: false, message: `kept the previous map: ${(e as Error).message}` };
    }
    this.recentStamps.clear();
    this.recentQueries.clear();
    this.restartPending = false;
    this.port.logger.info(`switched to map ${dir} (${c.session.map.size} frames); the query window restarts`);
    return { success: true, message: `loaded ${c.session.map.size} frames from ${dir}; the query window restarts` };
  }

  private readMap(dir: string, frontend: Frontend): Promise<PlaceMap> {
    const { encoder, sequence } = frontend.identity;
    return loadMap(dir, {
      expect: { encoderId: encoder.id, encoderHash: encoder.hash, dim: encoder.dim, sequence: sequence ?? undefined },
      onWarning: (m) => this.port.logger.warn(m),
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.serial.then(work, work);
    this.serial = run.catch(() => undefined);
    return run;
  }
}

function exclusion(p: NodeParams): LoopExclusion {
  return { excludeSeconds: p.loop_exclude_s, excludeFrames: p.loop_exclude_frames };
}

function keyframeSelector(p: NodeParams): KeyframeSelector {
  return new KeyframeSelector({
    ...(p.keyframe_distance_m > 0 && { minDistanceM: p.keyframe_distance_m }),
    ...(p.keyframe_period_s > 0 && { minPeriodMs: p.keyframe_period_s * 1000 }),
  });
}

/** The config with execution_providers in place of its own (ONNX front ends only). */
function withProviders(loaded: LoadedConfig, providers: readonly string[], warn: (m: string) => void): LoadedConfig {
  if (providers.length === 0) return loaded;
  const frontend = loaded.config.frontend;
  if (frontend.kind === 'patchnorm') {
    warn(`execution_providers [${providers.join(', ')}] ignored: the patchnorm front end runs in JavaScript`);
    return loaded;
  }
  return { ...loaded, config: { ...loaded.config, frontend: { ...frontend, providers: providers as ExecutionProviderName[] } } };
}

/** A stamp as seconds.nanoseconds, as ROS tools print them. */
function formatStamp(stamp: StampNs): string {
  const s = stamp / 1_000_000_000n;
  const ns = stamp % 1_000_000_000n;
  return `${s}.${(ns < 0n ? -ns : ns).toString().padStart(9, '0')}`;
}
