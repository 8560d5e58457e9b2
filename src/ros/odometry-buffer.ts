// The recent odometry, to give each image the pose at its stamp (interpolated, as for bags). Bounded
// by time and count, so a node running for days holds a few seconds of poses at most.
import type { Pose, StampNs } from '../core/types.js';
import { DEFAULT_POSE_TOLERANCE_MS, poseAt, type StampedPose } from '../sources/pose-interpolation.js';

export interface OdometryBufferOptions {
  /** Poses older than this behind the newest are dropped (default 5 s: images arrive late, not later). */
  keepNs?: bigint;
  /** Hard cap on samples (default 1000: 5 s of odometry at 200 Hz). */
  maxSamples?: number;
  /** How far outside the buffered range an image still gets the first / last pose. */
  toleranceMs?: number;
}

export class OdometryBuffer {
  private samples: StampedPose[] = [];
  private readonly keepNs: bigint;
  private readonly maxSamples: number;
  private readonly toleranceMs: number;

  constructor(options: OdometryBufferOptions = {}) {
    this.keepNs = options.keepNs ?? 5_000_000_000n;
    this.maxSamples = options.maxSamples ?? 1000;
    this.toleranceMs = options.toleranceMs ?? DEFAULT_POSE_TOLERANCE_MS;
  }

  get size(): number {
    return this.samples.length;
  }

  /** Stamp of the newest sample; undefined when empty. */
  get newestStamp(): StampNs | undefined {
    return this.samples[this.samples.length - 1]?.stamp;
  }

  /**
   * Adds a sample in stamp order (a late one is inserted where it belongs; a duplicate stamp
   * replaces). One older than the whole kept span means the clock went back: the buffer restarts.
   */
  add(stamp: StampNs, pose: Pose): void {
    if (this.samples.length && this.samples[this.samples.length - 1].stamp - stamp > this.keepNs) this.samples = [];
    const s = this.samples;
    let i = s.length;
    while (i > 0 && s[i - 1].stamp > stamp) i--;
    if (i > 0 && s[i - 1].stamp === stamp) s[i - 1] = { stamp, pose };
    else s.splice(i, 0, { stamp, pose });
    const newest = s[s.length - 1].stamp;
    let drop = 0;
    while (drop < s.length - 1 && newest - s[drop].stamp > this.keepNs) drop++;
    drop = Math.max(drop, s.length - this.maxSamples);
    if (drop > 0) s.splice(0, drop);
  }

  /**
   * The pose at `stamp`, interpolated between the samples around it, or carried on from the last two
   * when the image is newer than the odometry received so far (its sample is still on the way);
   * undefined when none is close enough.
   */
  poseAt(stamp: StampNs): Pose | undefined {
    return poseAt(this.samples, stamp, this.toleranceMs, 'extrapolate');
  }

  clear(): void {
    this.samples = [];
  }
}
