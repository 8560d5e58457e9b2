// Appearance centring: subtract the running mean descriptor of the traversal before comparing.
// Descriptors of one run share a component that comes from its conditions (season, light,
// camera) rather than from the place; removing it makes cosine distances reflect places. The mean
// is an exponential moving average over past frames only, so the map builder and the live query
// side run the very same causal code (live mapping needs nothing stored up front), and the
// estimate follows slow condition changes. Frames that barely differ from the last frame that
// updated the mean (the robot stands still) do not update it: a long stop must not pull the mean
// onto one view and wipe out that view's own descriptor.
import { z } from 'zod';
import { DescriptorError } from '../core/errors.js';
import { dot, l2NormalizeInPlace, norm } from '../core/vector.js';

export const centeringConfigSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Subtract the running appearance mean of each traversal.'),
    windowFrames: z.number().int().min(2).default(200).describe('EMA horizon of the running mean, in moving frames.'),
    minChange: z
      .number()
      .min(0)
      .max(2)
      .default(0.05)
      .describe('Cosine distance to the last mean-updating frame below which a frame counts as "not moving".'),
  })
  .strict();

export type CenteringConfig = z.output<typeof centeringConfigSchema>;

/**
 * "Has the view changed since the last reference?" on raw descriptors: cosine distance to the last
 * descriptor `mark`ed above `minChange`. Shared by the centring (a still view must not update the
 * mean) and the motion gate (a still view must not enter the query window).
 */
export class AppearanceChange {
  private reference: Float32Array | null = null;
  /** norm(reference), taken once when it is marked rather than on every test. */
  private referenceNorm = 0;

  constructor(readonly minChange: number) {}

  /** True for the first descriptor and for any that differs from the reference by more than minChange. */
  changed(descriptor: Float32Array): boolean {
    if (!this.reference) return true;
    const denom = Math.max(norm(descriptor) * this.referenceNorm, 1e-12);
    return 1 - dot(descriptor, this.reference) / denom > this.minChange;
  }

  /** Makes `descriptor` (copied) the reference for the next tests. */
  mark(descriptor: Float32Array): void {
    this.reference = Float32Array.from(descriptor);
    this.referenceNorm = norm(this.reference);
  }

  reset(): void {
    this.reference = null;
  }
}

export class EmaCentering {
  private mean: Float64Array | null = null;
  private readonly change: AppearanceChange;
  private updates = 0;

  constructor(private readonly config: CenteringConfig) {
    this.change = new AppearanceChange(config.minChange);
  }

  /** Centres a descriptor with the running mean (after updating it) and returns a new unit vector. */
  apply(descriptor: Float32Array): Float32Array {
    if (!this.config.enabled) return descriptor;
    if (this.mean && this.mean.length !== descriptor.length) {
      throw new DescriptorError(`descriptor has ${descriptor.length} values, earlier ones had ${this.mean.length}`);
    }
    if (this.change.changed(descriptor)) this.update(descriptor);
    const mean = this.mean!;
    const out = new Float32Array(descriptor.length);
    for (let i = 0; i < out.length; i++) out[i] = descriptor[i] - mean[i];
    return l2NormalizeInPlace(out);
  }

  /** Forgets the running mean (a new traversal starts). */
  reset(): void {
    this.mean = null;
    this.change.reset();
    this.updates = 0;
  }

  private update(descriptor: Float32Array): void {
    if (!this.mean) this.mean = Float64Array.from(descriptor);
    this.updates++;
    // Cumulative average over the first frames (rate 1/n for the n-th update, so the first frame
    // counts once), then an EMA with the configured horizon.
    const rate = 1 / Math.min(this.updates, this.config.windowFrames);
    const mean = this.mean;
    for (let i = 0; i < mean.length; i++) mean[i] += (descriptor[i] - mean[i]) * rate;
    this.change.mark(descriptor);
  }
}
