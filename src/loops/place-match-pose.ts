// The relative pose of a place match: the newest query frame in the matched map frame's frame.
// Query frames are not in the map when localising, so their odometry poses and descriptors are
// kept for the last window (RecentQueryFrames); the map side comes from the map.
import type { PlaceMatch, Pose } from '../core/types.js';
import type { RelativePoseResult } from '../relpose/estimate.js';
import type { LoopPoseSource } from './loop-pose.js';
import { sequenceRelativePose } from './loop-pose.js';

interface QueryFrame {
  pose?: Pose;
  descriptor: Float32Array;
}

/** Poses and descriptors of the most recently processed query frames, by query index, bounded. */
export class RecentQueryFrames {
  private readonly frames = new Map<number, QueryFrame>();

  /** Remembers frame `index` and forgets the oldest beyond `capacity` (insertion order = processing order). */
  remember(index: number, pose: Pose | undefined, descriptor: Float32Array, capacity: number): void {
    this.frames.set(index, { pose, descriptor });
    while (this.frames.size > capacity) this.frames.delete(this.frames.keys().next().value!);
  }

  clear(): void {
    this.frames.clear();
  }

  get(index: number): QueryFrame | undefined {
    return this.frames.get(index);
  }
}

export function placeMatchRelativePose(map: LoopPoseSource, match: PlaceMatch, queries: RecentQueryFrames): RelativePoseResult {
  return sequenceRelativePose({
    query: { poseOf: (i) => queries.get(i)?.pose, descriptorOf: (i) => queries.get(i)?.descriptor },
    map: {
      poseOf: (i) => map.frames[i]?.pose,
      descriptorOf: (i) => (i < map.frameDescriptors.rows ? map.frameDescriptors.row(i) : undefined),
      size: map.frames.length,
    },
    queryIndex: match.queryIndex,
    matchIndex: match.mapIndex,
    correspondences: match.correspondences,
  });
}
