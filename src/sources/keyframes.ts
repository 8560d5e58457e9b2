// Keyframe selection for map building: a vehicle standing still or crawling would otherwise fill the
// map with near-identical frames. Distance (from poses) decides when it can; elapsed time otherwise.
import { z } from 'zod';
import { parseConfig } from '../core/parse-config.js';
import type { Frame, StampNs } from '../core/types.js';

export const keyframeConfigSchema = z
  .object({
    minDistanceM: z.number().positive().optional().describe('Keep a posed frame once it is this far (x/y) from the last keyframe.'),
    minPeriodMs: z.number().positive().optional().describe('Without a usable pose: keep a frame once this much time has passed since the last keyframe.'),
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
 */
export class KeyframeSelector {
  readonly config: KeyframeConfig;
  #last: { stamp: StampNs; pose?: Frame['pose'] } | undefined;

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
  }

  #shouldKeep(frame: Frame): boolean {
    const last = this.#last;
    if (!last || frame.stamp < last.stamp) return true;
    const { minDistanceM, minPeriodMs } = this.config;
    if (minDistanceM !== undefined && frame.pose && last.pose) {
      const dx = frame.pose.position.x - last.pose.position.x;
      const dy = frame.pose.position.y - last.pose.position.y;
      return Math.hypot(dx, dy) >= minDistanceM;
    }
    if (minPeriodMs !== undefined) return Number(frame.stamp - last.stamp) >= minPeriodMs * NS_PER_MS;
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
