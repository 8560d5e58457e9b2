// Keyframe selection for map building: a vehicle standing still or crawling would otherwise fill the
// map with near-identical frames. Distance (from poses) decides when it can; elapsed time otherwise.
import { z } from 'zod';
import { parseConfig } from '../core/parse-config.js';
import type { Frame, StampNs } from '../core/types.js';

export const keyframeConfigSchema = z
  .object({
    minDistanceM: z.number().positive().optional().describe('Keep a posed frame once it is this far (x/y) from the last keyframe.'),
    minPeriodMs: z.number().positive().optional().describe('Without a usable pose: keep a frame once this much time has passed since the last keyframe.'),
    onGrid: z
      .boolean()
      .optional()
      .describe('minDistanceM: carry how far the last keyframe lay past its spacing over (up to half a spacing), so keyframes average nearer minDistanceM apart.'),
  })
  .strict();

export type KeyframeConfig = z.output<typeof keyframeConfigSchema>;

const NS_PER_MS = 1e6;

/**
 * Decides, frame by frame in stream order, which frames become keyframes. The first frame always
 * does. With minDistanceM and a pose on both this frame and the last keyframe, only planar distance
 * counts (so a stopped vehicle adds nothing however long it waits); otherwise minPeriodMs, when set;
 * with no applicable rule every frame is kept. A stamp earlier than the last keyframe's (a clock
 * reset, a bag replayed in a loop) starts over: the frame is kept.
 *
 * onGrid: a camera moving 0.65 m per frame with minDistanceM 0.9 otherwise gets a keyframe every
 * 1.3 m; with the overshoot carried over (a keyframe 0.4 m past its spacing needs only 0.5 m more)
 * keyframes follow a grid along the path (0.975 m apart on average there). The carry is capped at
 * half a spacing, so a keyframe still needs half a spacing of motion (a standing vehicle's pose
 * noise never makes one).
 */
export class KeyframeSelector {
  readonly config: KeyframeConfig;
  #last: { stamp: StampNs; pose?: Frame['pose'] } | undefined;
  /** onGrid: how far the last keyframe lay past its spacing (m). */
  #carry = 0;

  constructor(config: z.input<typeof keyframeConfigSchema> = {}) {
    // Validated here too: configs reach this from YAML as well as from code.
    this.config = parseConfig(keyframeConfigSchema, config, 'keyframe config');
  }

  /** True when `frame` is a keyframe; it then becomes the reference for the next frames. */
  accept(frame: Frame): boolean {
    const keep = this.#shouldKeep(frame);
    if (keep) this.#last = { stamp: frame.stamp, pose: frame.pose };
    return keep;
  }

  /** Forgets the last keyframe (the next frame is kept). */
  reset(): void {
    this.#last = undefined;
    this.#carry = 0;
  }

  #shouldKeep(frame: Frame): boolean {
    const last = this.#last;
    if (!last || frame.stamp < last.stamp) return this.#keep(0);
    const { minDistanceM, minPeriodMs } = this.config;
    if (minDistanceM !== undefined && frame.pose && last.pose) {
      const dx = frame.pose.position.x - last.pose.position.x;
      const dy = frame.pose.position.y - last.pose.position.y;
      const moved = Math.hypot(dx, dy) + (this.config.onGrid ? this.#carry : 0);
      return moved >= minDistanceM && this.#keep(Math.min(moved - minDistanceM, minDistanceM / 2));
    }
    if (minPeriodMs !== undefined) return Number(frame.stamp - last.stamp) >= minPeriodMs * NS_PER_MS && this.#keep(0);
    return this.#keep(0);
  }

  /** A frame is kept: remember its overshoot (onGrid). */
  #keep(carry: number): true {
    this.#carry = carry;
    return true;
  }
}

/**
 * The keyframes of a stream, re-indexed 0..n-1. The original position stays identifiable through
 * `source` (the file name or `topic#index` the adapter set; `#<original index>` when it set none).
 */
export async function* selectKeyframes(frames: AsyncIterable<Frame>, selector: KeyframeSelector): AsyncGenerator<Frame> {
  let next = 0;
  for await (const frame of frames) {
    if (!selector.accept(frame)) continue;
    yield { ...frame, index: next++, source: frame.source ?? `#${frame.index}` };
  }
}
