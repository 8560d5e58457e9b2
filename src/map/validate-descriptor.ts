// Guards at the map's edge: inner-product search is only a cosine distance when every descriptor
// is unit-norm, so a wrong length, a NaN or an unnormalised vector is rejected, not searched.
import { DescriptorError } from '../core/errors.js';
import { dot, isFiniteVector } from '../core/vector.js';

/** Float32 normalisation lands within ~1e-6 of 1; anything further off was never normalised. */
const NORM_TOLERANCE = 1e-3;

/**
 * Throws DescriptorError unless `v` has `dim` finite values and unit norm. An all-zero vector is
 * allowed: a blank frame (e.g. a black image) normalises to zero and is then equally far (1) from all.
 */
export function assertMapDescriptor(v: Float32Array, dim: number, what: string): void {
  if (!(v instanceof Float32Array)) throw new DescriptorError(`${what} must be a Float32Array`);
  if (v.length !== dim) {
    throw new DescriptorError(`${what} has ${v.length} values, but the map's descriptors have ${dim}; use the map's encoder`);
  }
  if (!isFiniteVector(v)) throw new DescriptorError(`${what} contains NaN or Infinity; check the encoder's input`);
  const squared = dot(v, v);
  if (squared !== 0 && Math.abs(Math.sqrt(squared) - 1) > NORM_TOLERANCE) {
    throw new DescriptorError(
      `${what} has norm ${Math.sqrt(squared).toFixed(4)}, but map descriptors must be L2-normalised ` +
        '(for an ONNX model set output.l2Normalize: true in its manifest)',
    );
  }
}
