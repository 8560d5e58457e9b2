// Images wait for the odometry after their stamp, as tf2_ros's MessageFilter waits for a transform.
// Odometry often arrives a little after the image it brackets; a pose interpolated between the two
// samples around the stamp is what a replay of the bag gives, and one carried on from the last two
// misses a turn or a brake (a live run then keeps other keyframes than its replay). The wait is
// bounded by time (then the motion is carried on) and by count (the oldest goes on when more wait),
// and images leave in the order they came.
import type { Pose, StampNs } from '../core/types.js';
import type { OdometryBuffer } from './odometry-buffer.js';
import type { Timer } from './port.js';

export interface OdometryWaitDeps<T> {
  odometry: OdometryBuffer;
  /** The node's clock (ns): an image's wait is measured on it. */
  now(): bigint;
  createTimer(periodMs: number, callback: () => void): Timer;
  /** How long an image may wait (ns), read as it arrives (the parameter changes live); 0 = never. */
  waitNs(): bigint;
  /** More images than this waiting: the oldest goes on without its odometry. */
  maxWaiting: number;
  /**
   * An image goes on, with the pose at its stamp, after `waitedNs`; `late` when its odometry had
   * not come (the pose, if any, carries the motion on).
   */
  release(item: T, pose: Pose | undefined, late: boolean, waitedNs: bigint): void;
}

interface Waiting<T> {
  item: T;
  since: bigint;
  deadline: bigint;
}

export class OdometryWait<T extends { stamp: StampNs }> {
  private waiting: Waiting<T>[] = [];
  private timer: Timer | undefined;
  /** The image the timer is set for (the oldest waiting). */
  private timed: Waiting<T> | undefined;

  constructor(private readonly deps: OdometryWaitDeps<T>) {}

  push(item: T): void {
    const now = this.deps.now();
    this.waiting.push({ item, since: now, deadline: now + this.deps.waitNs() });
    this.releaseReady();
  }

  /** A new odometry sample came: the images it reaches go on. */
  odometryArrived(): void {
    if (this.waiting.length) this.releaseReady();
  }

  /** Every waiting image goes on now with the pose it can get (the clock jumped back). */
  flush(): void {
    while (this.waiting.length) this.releaseFront();
    this.setTimer();
  }

  /** Waiting images are dropped (input stopped). */
  clear(): void {
    this.waiting = [];
    this.setTimer();
  }

  private releaseReady(): void {
    const now = this.deps.now();
    while (this.waiting.length) {
      const front = this.waiting[0];
      if (!this.covered(front.item) && now < front.deadline && this.waiting.length <= this.deps.maxWaiting) break;
      this.releaseFront();
    }
    this.setTimer();
  }

  /** The timer fired: the oldest image's wait is over (on the timer's clock, which may run ahead of simulated time). */
  private expire(): void {
    if (this.waiting.length) this.releaseFront();
    this.releaseReady();
  }

  private covered(item: T): boolean {
    const newest = this.deps.odometry.newestStamp;
    return newest !== undefined && newest >= item.stamp;
  }

  private releaseFront(): void {
    const { item, since } = this.waiting.shift()!;
    this.deps.release(item, this.deps.odometry.poseAt(item.stamp), !this.covered(item), this.deps.now() - since);
  }

  /** One timer, for the oldest waiting image; set again only when that image changed. */
  private setTimer(): void {
    const front = this.waiting[0];
    if (front === this.timed) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.timed = front;
    if (!front) return;
    const ms = Math.max(Number(front.deadline - this.deps.now()) / 1e6, 0.001);
    this.timer = this.deps.createTimer(ms, () => this.expire());
  }
}
