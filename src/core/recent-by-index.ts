// What was kept of the most recently processed frames, by frame index, bounded: the node's query
// window (stamps, poses, descriptors for place matches) and the results bag's stamps. Insertion
// order is processing order, so the first key is always the oldest.
export class RecentByIndex<T> extends Map<number, T> {
  /** Remembers `value` for frame `index` and forgets the oldest beyond `capacity`. */
  remember(index: number, value: T, capacity: number): void {
    this.set(index, value);
    while (this.size > capacity) this.delete(this.keys().next().value!);
  }
}
