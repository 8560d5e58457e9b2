// The node's frame source: image (and odometry) topics -> an Observable of frames, after the cheap
// checks made on arrival. Images are decoded from their messages here (rclnodejs has no
// image_transport), checked (empty, encoding, stamp order), given the odometry pose at their stamp
// (waiting up to odometry_wait_s for the odometry after it) and thinned to keyframes; what is left
// goes to the same live stream operator replays use (recognizeLive). Bad input is counted by reason
// and reported through `badInput`; it never ends the stream. One source lives for one activation,
// so its state (stamps, odometry, keyframes) starts fresh with each.
import { Subject, type Observable } from 'rxjs';
import { COMPRESSED_IMAGE_TYPE, IMAGE_TYPE, ODOMETRY_TYPE } from '../bag/convert.js';
import type { Frame } from '../core/types.js';
import { KeyframeSelector } from '../sources/keyframes.js';
import { formatStamp } from '../bag/stamp.js';
import { BadInputError, StampGuard, imageInput, odometryInput, type BadInputReason } from './input.js';
import type { NodeStats } from './node-stats.js';
import { OdometryBuffer } from './odometry-buffer.js';
import { OdometryWait } from './odometry-wait.js';
import type { NodeParams } from './params.js';
import type { QosProfile, RosPort, Subscription } from './port.js';
import { TOPICS } from './topics.js';

/** A frame as the node receives it: its index is given when it is processed (dropped ones get none). */
export type LiveFrame = Omit<Frame, 'index'>;

/**
 * A stamp further than this behind the previous frame's means the clock went back (bag loop,
 * simulated time restarted): the query window restarts. Closer behind: a late frame, skipped.
 */
export const CLOCK_JUMP_NS = 1_000_000_000n;

export interface FrameSourceDeps {
  port: RosPort;
  params: () => Readonly<NodeParams>;
  stats: NodeStats;
  badInput: (reason: BadInputReason, message: string) => void;
}

export class RosFrameSource {
  /** Topic names on the graph (remapped); odometryTopic only with use_odometry. */
  readonly imageTopic: string;
  readonly odometryTopic?: string;
  readonly imageType: typeof IMAGE_TYPE | typeof COMPRESSED_IMAGE_TYPE;
  private readonly frames = new Subject<LiveFrame>();
  private readonly subscriptions: Subscription[];
  private readonly guard = new StampGuard(CLOCK_JUMP_NS);
  private readonly odometry = new OdometryBuffer();
  /** With use_odometry: images waiting for the odometry after their stamp. */
  private readonly odometryWait?: OdometryWait<LiveFrame>;
  private keyframes: KeyframeSelector;
  private stopped = false;
  /** Set when the clock jumped back; the next processed frame restarts the query window first. */
  private restartPending = false;

  constructor(private readonly deps: FrameSourceDeps) {
    const p = deps.params();
    const raw = p.image_transport === 'raw';
    const imageType = (this.imageType = raw ? IMAGE_TYPE : COMPRESSED_IMAGE_TYPE);
    this.keyframes = keyframeSelector(p);
    const qos: QosProfile = { reliability: p.qos_reliability, durability: 'volatile', depth: p.qos_depth };
    const image = deps.port.createSubscription(imageType, raw ? TOPICS.image : TOPICS.compressedImage, qos, (m) => this.onImage(m));
    // Logs and /diagnostics name the remapped topic: `image/compressed` would hide a wrong remapping.
    this.imageTopic = image.topic;
    this.subscriptions = [image];
    if (p.use_odometry) {
      // Odometry comes faster than images; a deeper queue keeps the samples around each image.
      const odomQos = { ...qos, depth: Math.max(qos.depth, 50) };
      const odometry = deps.port.createSubscription(ODOMETRY_TYPE, TOPICS.odometry, odomQos, (m) => this.onOdometry(m));
      this.odometryTopic = odometry.topic;
      this.subscriptions.push(odometry);
      this.odometryWait = new OdometryWait<LiveFrame>({
        odometry: this.odometry,
        now: () => deps.port.now(),
        createTimer: (ms, callback) => deps.port.createTimer(ms, callback),
        waitNs: () => BigInt(Math.round(deps.params().odometry_wait_s * 1e9)),
        maxWaiting: p.qos_depth,
        release: (frame, pose, late, waitedNs) => {
          deps.stats.odometryWaited(Number(waitedNs) / 1e6, late);
          this.keyframe(pose ? { ...frame, pose } : frame);
        },
      });
    }
  }

  /** Accepted keyframes, in arrival order. */
  get frames$(): Observable<LiveFrame> {
    return this.frames.asObservable();
  }

  /** True once after a clock jump: the caller restarts the query window before the next frame. */
  takeRestart(): boolean {
    const restart = this.restartPending;
    this.restartPending = false;
    return restart;
  }

  /** The query window was restarted anyway (a new map): a pending jump no longer matters. */
  cancelRestart(): void {
    this.restartPending = false;
  }

  /** keyframe_distance_m / keyframe_period_s changed: selection starts over with them. */
  resetKeyframes(): void {
    this.keyframes = keyframeSelector(this.deps.params());
  }

  /** Stops input. The stream is not completed: that would start the frame waiting in the overload slot. */
  stop(): void {
    this.stopped = true;
    for (const s of this.subscriptions) s.destroy();
    this.odometryWait?.clear();
  }

  private onImage(message: unknown): void {
    if (this.stopped) return;
    const { port, stats, badInput } = this.deps;
    const topic = this.imageTopic;
    let image;
    try {
      image = imageInput(this.imageType, message);
    } catch (e) {
      return badInput(e instanceof BadInputError ? e.reason : 'malformed_message', `${topic}: ${(e as Error).message}`);
    }
    stats.arrived(Number(port.now() - image.stamp) / 1e6);
    const verdict = this.guard.check(image.stamp);
    if (verdict === 'out_of_order') {
      return badInput('out_of_order_stamp', `${topic}: image stamp ${formatStamp(image.stamp)} is not after the previous image's; skipped`);
    }
    if (verdict === 'jumped_back') {
      // The images waiting are from before the jump: they go on first.
      this.odometryWait?.flush();
      badInput('clock_jump_backwards', `${topic}: image stamps jumped back to ${formatStamp(image.stamp)}; the query window restarts`);
      this.restartPending = true;
    }
    const frame: LiveFrame = { stamp: image.stamp, frameId: image.frameId, image: image.value, source: `${topic}#${stats.received - 1}` };
    if (this.odometryWait) this.odometryWait.push(frame);
    else this.keyframe(frame);
  }

  private keyframe(frame: LiveFrame): void {
    if (!this.keyframes.accept({ ...frame, index: 0 })) {
      this.deps.stats.notKeyframes++;
      return;
    }
    this.frames.next(frame);
  }

  private onOdometry(message: unknown): void {
    if (this.stopped) return;
    try {
      const { stamp, pose } = odometryInput(message);
      this.odometry.add(stamp, pose);
      this.odometryWait?.odometryArrived();
    } catch (e) {
      this.deps.badInput(e instanceof BadInputError ? e.reason : 'malformed_odometry', `${this.odometryTopic}: ${(e as Error).message}`);
    }
  }
}

function keyframeSelector(p: Readonly<NodeParams>): KeyframeSelector {
  return new KeyframeSelector({
    ...(p.keyframe_distance_m > 0 && { minDistanceM: p.keyframe_distance_m }),
    ...(p.keyframe_period_s > 0 && { minPeriodMs: p.keyframe_period_s * 1000 }),
  });
}
