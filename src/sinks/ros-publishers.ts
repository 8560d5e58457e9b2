// The node's sink: the publishers subscribed to the live results stream. Place matches (with the
// matched map frame's pose when it has one in the map frame) and loop closures, each with the
// relative pose the odometry gives, when it does.
import type { Frame } from '../core/types.js';
import { loopRelativePose } from '../loops/loop-pose.js';
import { placeMatchRelativePose, type RecentQueryFrames } from '../loops/place-match-pose.js';
import type { LiveSession, SessionStep } from '../ros/live-session.js';
import { DIAGNOSTIC_ARRAY_TYPE, LOOP_CLOSURE_TYPE, PLACE_MATCH_TYPE, POSE_WITH_COVARIANCE_STAMPED_TYPE } from '../ros/message-types.js';
import { toLoopClosureMsg, toPlaceMatchMsg, toPoseWithCovarianceStampedMsg } from '../ros/messages.js';
import type { NodeStats } from '../ros/node-stats.js';
import type { Mode, NodeParams } from '../ros/params.js';
import { DIAGNOSTICS_QOS, RESULTS_QOS, type Publisher, type RosPort } from '../ros/port.js';
import { poseCovariance } from '../ros/pose-covariance.js';
import { TOPICS } from '../ros/topics.js';

export interface Publishers {
  placeMatch?: Publisher;
  pose?: Publisher;
  loopClosure?: Publisher;
  diagnostics: Publisher;
}

/** The topics a mode publishes: localize matches places, map closes loops, slam does both. */
export function createPublishers(port: RosPort, mode: Mode): Publishers {
  const publishers: Publishers = { diagnostics: port.createPublisher(DIAGNOSTIC_ARRAY_TYPE, TOPICS.diagnostics, DIAGNOSTICS_QOS) };
  if (mode !== 'map') {
    publishers.placeMatch = port.createPublisher(PLACE_MATCH_TYPE, TOPICS.placeMatch, RESULTS_QOS);
    publishers.pose = port.createPublisher(POSE_WITH_COVARIANCE_STAMPED_TYPE, TOPICS.pose, RESULTS_QOS);
  }
  if (mode !== 'localize') publishers.loopClosure = port.createPublisher(LOOP_CLOSURE_TYPE, TOPICS.loopClosure, RESULTS_QOS);
  return publishers;
}

/** One frame the live session processed, as it reaches the sink. */
export interface ProcessedFrame {
  frame: Omit<Frame, 'index'>;
  /** The session (map) that processed it: a result from a replaced one is stale. */
  session: LiveSession;
  step: SessionStep;
}

/** What publishing needs besides the frame: thresholds, counters, the recent query window. */
export interface PublishContext {
  params: Readonly<NodeParams>;
  stats: NodeStats;
  recentQueries: RecentQueryFrames;
}

export function publishResults(publishers: Publishers, processed: ProcessedFrame, ctx: PublishContext): void {
  const { params: p, stats } = ctx;
  const { frame, session, step } = processed;
  const { result, loop } = step;
  const header = { stamp: frame.stamp, frameId: frame.frameId };
  if (result.kind === 'match' && publishers.placeMatch) {
    const found = result.match;
    const match = {
      ...found,
      ...(!p.publish_candidates && { candidates: found.candidates.slice(0, 1) }),
      ...(!p.publish_patch_matches && found.patchMatches && { patchMatches: { ...found.patchMatches, frames: [] } }),
    };
    const relative = placeMatchRelativePose(session.map, match, ctx.recentQueries);
    publishers.placeMatch.publish(
      toPlaceMatchMsg({ header, match, map: session.map, mapId: session.mapId, queryStampOf: (q) => ctx.recentQueries.get(q)?.stamp, relative: relative.ok ? relative : undefined }),
    );
    stats.placeMatches++;
    if (match.held) stats.heldMatches++;
    const matched = session.map.frames[match.mapIndex];
    // Only frames that came with the map have poses in the map frame (live ones are in odom).
    if (p.publish_pose && publishers.pose && matched.pose && match.mapIndex < session.loadedFrames && match.confidence >= p.min_confidence) {
      publishers.pose.publish(
        toPoseWithCovarianceStampedMsg({
          header: { stamp: frame.stamp, frameId: p.map_frame_id },
          pose: matched.pose,
          covariance: poseCovariance(match.confidence, p.pose_covariance_scale),
        }),
      );
      stats.poses++;
    }
  }
  if (loop && publishers.loopClosure && loop.confidence >= p.loop_min_confidence) {
    // Relative pose from the odometry of both matched segments; without it, the reason is counted.
    const relative = loopRelativePose(session.map, loop);
    if (relative.ok) stats.loopRelativePoses++;
    else stats.loopsWithoutRelativePose.set(relative.reason, (stats.loopsWithoutRelativePose.get(relative.reason) ?? 0) + 1);
    publishers.loopClosure.publish(toLoopClosureMsg({ header, loop, map: session.map, relative: relative.ok ? relative : undefined }));
    stats.loopClosures++;
  }
}
