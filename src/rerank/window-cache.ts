// Work per query frame of the window (its pooled patches, its comparisons with map rows), kept while
// the frame is in the window: a trajectory slides one frame per query, so most of it is reused.
export class WindowCache<V> {
  private readonly byFrame = new Map<number, V>();

  /** The value of query frame `frame`, computed (and kept) on a miss. */
  get(frame: number, compute: () => V): V {
    let value = this.byFrame.get(frame);
    if (value === undefined && !this.byFrame.has(frame)) this.byFrame.set(frame, (value = compute()));
    return value as V;
  }

  /** Forgets the frames that left the window. */
  keepOnly(frames: readonly { index: number }[]): void {
    const keep = new Set(frames.map((f) => f.index));
    for (const index of this.byFrame.keys()) if (!keep.has(index)) this.byFrame.delete(index);
  }

  clear(): void {
    this.byFrame.clear();
  }
}
