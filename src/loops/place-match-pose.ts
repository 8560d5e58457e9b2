// The relative pose of a place match: the newest query frame in the matched map frame's frame.
// Query frames are not in the map when localising, so their odometry poses and descriptors are
// kept for the last window (RecentQueryFrames); the map side comes from the map.
import { RecentByIndex } from '../core/recent-by-index.js';
import type { PlaceMatch, Pose, StampNs } from '../core/types.js';
import type { RelativePoseResult } from '../relpose/estimate.js';
import type { LoopPoseSource } from './loop-pose.js';
import { sequenceRelativePose } from './loop-pose.js';

/** What a place match needs of a recent query frame: its stamp, odometry pose and descriptor. */
export interface RecentQuery {
  stamp: StampNs;
  pose?: Pose;
  descriptor: Float32Array;
}

/** The most recently processed query frames, by query index, bounded. */
export class RecentQueryFrames extends RecentByIndex<RecentQuery> {}

export function placeMatchRelativePose(map: LoopPoseSource, match: PlaceMatch, queries: ReadonlyMap<number, Omit<RecentQuery, 'stamp'>>): RelativePoseResult {
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
