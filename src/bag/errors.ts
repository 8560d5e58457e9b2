import { BagError } from '../core/errors.js';

/**
 * A decoded message lacks a field or carries an impossible value (an image whose data is shorter
 * than step * height, a zero quaternion). Callers count these by `messageType` and skip them.
 */
export class MalformedMessageError extends BagError {
  constructor(
    readonly messageType: string,
    readonly field: string,
    detail: string,
  ) {
    super(`malformed ${messageType}: ${field} ${detail}`);
  }
}
