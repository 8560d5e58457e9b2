// Logging that cannot flood: each key (a kind of bad input) is logged at most once per period, and
// the next line says how many were left out meanwhile. Keys are a fixed set, so memory is bounded.
import type { Logger } from './port.js';

export class ThrottledLog {
  private readonly last = new Map<string, { atNs: bigint; suppressed: number }>();

  /** `periodS` is read at every call, so it can change at run time. */
  constructor(
    private readonly logger: Logger,
    private readonly nowNs: () => bigint,
    private readonly periodS: () => number,
  ) {}

  warn(key: string, message: string): void {
    const now = this.nowNs();
    const periodNs = BigInt(Math.round(this.periodS() * 1e9));
    const entry = this.last.get(key);
    // A clock that went back (now < atNs) logs at once rather than staying silent until it catches up.
    if (entry && now >= entry.atNs && now - entry.atNs < periodNs) {
      entry.suppressed++;
      return;
    }
    const more = entry?.suppressed ? ` (${entry.suppressed} more since the last report)` : '';
    this.logger.warn(`${message}${more}`);
    this.last.set(key, { atNs: now, suppressed: 0 });
  }
}
