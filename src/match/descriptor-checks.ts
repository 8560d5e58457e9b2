// Checks shared by the difference-matrix builders: a query descriptor must fit the map.
import { DescriptorError } from '../core/errors.js';
import type { DescriptorMatrix } from '../core/matrix.js';
import { isFiniteVector } from '../core/vector.js';

/** Throws a DescriptorError when `query` has the wrong length or holds NaN/Infinity. */
export function checkQueryDescriptor(map: DescriptorMatrix, query: Float32Array, what: string): void {
  if (query.length !== map.dim) {
    throw new DescriptorError(
      `${what} has ${query.length} values but the map descriptors have ${map.dim}: ` +
        'encode queries with the encoder the map was built with',
    );
  }
  if (!isFiniteVector(query)) {
    throw new DescriptorError(`${what} contains NaN or Infinity: check the encoder output`);
  }
}
