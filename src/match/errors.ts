// Errors specific to fine matching.
import { SeqvprError } from '../core/errors.js';

/**
 * A matcher cannot use its input: an empty difference matrix, a coarse hit that is not a row
 * index, or scores that are all NaN. These are programming errors upstream, not bad frames.
 */
export class MatchInputError extends SeqvprError {}
