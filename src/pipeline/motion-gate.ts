// The motion gate of the query window: a frame enters the window only when the camera moved since
// the last frame that entered. Sequence matchers assume the query advances along the map at a
// roughly constant rate (SeqSLAM: 0.8-1.25 map frames per query frame); a vehicle that stands
// still for seconds, or crawls away from a stop, breaks that, and the window's answer then runs
// ahead of the vehicle. With poses the gate resamples the query on the map's own spacing (frames
// on a grid along the path, KeyframeSelector onGrid), so the window advances about one map frame
// per column whatever the speed (up to one spacing per frame) and a stop adds nothing. A frame
// that is not admitted is answered with the window's last answer, marked `held` (the camera is
// where it was, or less than a spacing on: the answer may lag by up to one map frame).
import { z } from 'zod';
import type { Frame, MapFrameMeta } from '../core/types.js';
import { KeyframeSelector } from '../sources/keyframes.js';
import { AppearanceChange } from '../encoders/centering.js';

export const motionGateConfigSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Admit a frame into the query window only once the camera moved since the last admitted one.'),
    spacingM: z
      .union([z.literal('map'), z.number().positive()])
      .default('map')
      .describe("Posed frames enter on a grid this far apart along the path (m); 'map' = the map's median distance between consecutive frames."),
    appearance: z
      .boolean()
      .default(false)
      .describe(
        'Frames without a usable pose: moved = the raw descriptor differs from the last admitted one by more than centering.minChange (cosine distance). Off: measured unsound (README).',
      ),
    heldAdvance: z
      .enum(['path', 'none'])
      .default('none')
      .describe(
        "A held frame's answer moves on by the odometry distance since the last admitted frame: 'path' = along the map's poses, 'none' = repeated as it was (measured better on the demo world: README).",
      ),
    heldConfidence: z
      .enum(['keep', 'zero'])
      .default('keep')
      .describe("Confidence of a held answer (a frame not admitted): 'keep' = the window's, 'zero' = never trusted."),
  })
  .strict();

export type MotionGateConfig = z.output<typeof motionGateConfigSchema>;

/**
 * The map's frame spacing: the median planar distance between consecutive posed frames of one
 * session; undefined when the map has fewer than `minSteps` (at least two) such pairs (no poses,
 * or a new live map).
 */
export function medianFrameSpacing(frames: readonly MapFrameMeta[], sessionStarts: readonly number[] = [0], minSteps = 2): number | undefined {
  const steps = frameSteps(frames, sessionStarts);
  if (steps.length < Math.max(2, minSteps)) return undefined;
  const mid = steps.length >> 1;
  return steps.length % 2 ? steps[mid] : (steps[mid - 1] + steps[mid]) / 2;
}

/** Planar distances between consecutive posed frames of one session, sorted ascending. */
function frameSteps(frames: readonly MapFrameMeta[], sessionStarts: readonly number[]): number[] {
  const starts = new Set(sessionStarts);
  const steps: number[] = [];
  for (let i = 1; i < frames.length; i++) {
    const a = frames[i - 1].pose?.position;
    const b = frames[i].pose?.position;
    if (!a || !b || starts.has(i)) continue;
    steps.push(Math.hypot(b.x - a.x, b.y - a.y));
  }
  return steps.sort((x, y) => x - y);
}

/**
 * Why a map's frames are too unevenly spaced for one map frame per query frame (windowPlacement:
 * frames), if they are: the 10th percentile of its steps below half the median or the 90th above
 * twice it (a map recorded every frame at varying speed, or with stops; a map keyframed by
 * distance stays within a frame's step of its spacing, well inside). Undefined for an even map or
 * one with fewer than MIN_SPACING_STEPS posed steps.
 */
export function unevenSpacing(frames: readonly MapFrameMeta[], sessionStarts: readonly number[] = [0]): string | undefined {
  const steps = frameSteps(frames, sessionStarts);
  if (steps.length < MIN_SPACING_STEPS) return undefined;
  const at = (q: number) => steps[Math.min(steps.length - 1, Math.floor(q * steps.length))];
  const [p10, median, p90] = [at(0.1), at(0.5), at(0.9)];
  if (p10 >= 0.5 * median && p90 <= 2 * median) return undefined;
  const m = (x: number) => `${x.toFixed(2)} m`;
  return `its frames are unevenly spaced (steps: 10th percentile ${m(p10)}, median ${m(median)}, 90th ${m(p90)})`;
}

/**
 * Steps a map needs before its median spacing drives the gate. A live map starts empty and its
 * first steps are the vehicle pulling away (short, uneven); the median of 10 steps stays right with
 * up to 4 of them off. Loop closures cannot come that early anyway (loops.excludeFrames, 50).
 */
export const MIN_SPACING_STEPS = 10;

/**
 * The median frame spacing of a map that may grow (live mapping): undefined until it has
 * MIN_SPACING_STEPS posed steps, then re-estimated whenever the map has doubled since the last
 * estimate (each frame would cost a sort of the whole map; the median moves slowly). Until then it
 * looks again once the map grew by an eighth (at least one frame), so a map that never gets poses
 * (mapping without odometry) costs a pass over the map now and then, not on every frame. A map
 * that does not grow is estimated once.
 */
export class MapSpacing {
  private estimate: number | undefined;
  /** Frames in the map at the last estimate; -1 before the first. */
  private estimatedAt = -1;

  constructor(private readonly map: { readonly frames: readonly MapFrameMeta[]; readonly sessionStarts?: readonly number[] }) {}

  current(): number | undefined {
    const n = this.map.frames.length;
    const due = this.estimate === undefined ? n >= this.estimatedAt + Math.max(1, this.estimatedAt >> 3) : n >= 2 * this.estimatedAt;
    if (due) {
      this.estimate = medianFrameSpacing(this.map.frames, this.map.sessionStarts, MIN_SPACING_STEPS) ?? this.estimate;
      this.estimatedAt = n;
    }
    return this.estimate;
  }
}

export interface MotionGateOptions {
  /**
   * Posed frames: admitted on a grid this far apart (x/y, KeyframeSelector onGrid); a function is
   * asked on every frame (a growing map's spacing, MapSpacing); undefined = no pose rule.
   */
  spacingM?: number | (() => number | undefined);
  /** Frames the pose rule cannot judge: moved = cosine distance of the raw descriptor above this; undefined = always moved. */
  minChange?: number;
}

/**
 * Decides, frame by frame in stream order, whether the camera moved. The pose rule is the keyframe
 * rule of map building and the live node (KeyframeSelector, minDistanceM on a grid); a frame it
 * cannot judge (no pose on it or on the last admitted frame) falls to the appearance rule. The
 * first frame is always admitted.
 */
export class MotionGate {
  readonly options: Readonly<MotionGateOptions>;
  private poses: KeyframeSelector | undefined;
  private readonly change: AppearanceChange | undefined;
  private lastPosed = false;
  /** The last admitted frame (its pose is the reference for distances). */
  private lastAdmitted: Frame | undefined;

  constructor(options: MotionGateOptions) {
    this.options = { ...options };
    this.poses = this.selectorFor(this.spacing());
    this.change = options.minChange === undefined ? undefined : new AppearanceChange(options.minChange);
  }

  /** The grid spacing in force now (m); undefined = no pose rule (yet). */
  spacing(): number | undefined {
    const s = this.options.spacingM;
    return typeof s === 'function' ? s() : s;
  }

  private selectorFor(spacingM: number | undefined): KeyframeSelector | undefined {
    return spacingM === undefined ? undefined : new KeyframeSelector({ minDistanceM: spacingM, onGrid: true });
  }

  /** True when `frame` (with its raw descriptor) enters the window; it then becomes the reference. */
  admit(frame: Frame, rawDescriptor: Float32Array): boolean {
    const spacingM = this.spacing();
    if (spacingM !== this.poses?.config.minDistanceM) {
      // A growing map's spacing became known or was re-estimated: a new grid from the last admitted frame.
      this.poses = this.selectorFor(spacingM);
      if (this.poses && this.lastAdmitted?.pose) this.poses.accept(this.lastAdmitted);
    }
    const byPose = this.poses !== undefined && frame.pose !== undefined && this.lastPosed;
    let moved: boolean;
    if (byPose) moved = this.poses!.accept(frame);
    else moved = this.change?.changed(rawDescriptor) ?? true;
    if (moved) {
      // Both references follow every admitted frame, whichever rule admitted it.
      if (this.poses && !byPose) this.poses.reset();
      if (this.poses && frame.pose && !byPose) this.poses.accept(frame);
      this.lastPosed = frame.pose !== undefined;
      this.lastAdmitted = frame;
      this.change?.mark(rawDescriptor);
    }
    return moved;
  }

  /**
   * Planar distance (m) of `frame` from the last admitted frame, when the pose rule judges it (a
   * spacing, and a pose on both); undefined otherwise. Straight-line, not summed per frame: the
   * pose noise of a standing vehicle does not add up.
   */
  distanceSinceAdmitted(frame: Frame): number | undefined {
    const a = this.lastAdmitted?.pose?.position;
    const b = frame.pose?.position;
    if (this.poses === undefined || !a || !b) return undefined;
    return Math.hypot(b.x - a.x, b.y - a.y);
  }

  reset(): void {
    this.lastAdmitted = undefined;
    this.poses?.reset();
    this.change?.reset();
    this.lastPosed = false;
  }
}
