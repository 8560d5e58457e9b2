// Stamps of the most recently processed query frames, by query index, bounded: what a PlaceMatch
// needs to stamp the correspondences of its window. Insertion order is processing order, so the
// first key is always the oldest.
import type { StampNs } from '../core/types.js';

export class RecentStamps extends Map<number, StampNs> {
  /** Remembers `stamp` for frame `index` and forgets the oldest beyond `capacity`. */
  remember(index: number, stamp: StampNs, capacity: number): void {
    this.set(index, stamp);
    while (this.size > capacity) this.delete(this.keys().next().value!);
  }
}
