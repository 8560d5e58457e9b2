// The node's work on one frame, between the overload policy and the publishers: the frame through
// the live session, failures and skipped frames counted as bad input (the stream goes on), and the
// frame remembered for the correspondences of the next place matches.
import { DescriptorError, ImageDecodeError } from '../core/errors.js';
import { formatStamp } from '../bag/stamp.js';
import type { RecentQueryFrames } from '../loops/place-match-pose.js';
import type { ProcessedFrame } from '../sinks/ros-publishers.js';
import type { LiveFrame } from './frame-source.js';
import type { BadInputReason } from './input.js';
import type { LiveSession, SessionStep } from './live-session.js';
import type { NodeStats } from './node-stats.js';

export interface FrameContext {
  session: LiveSession;
  stats: NodeStats;
  recentQueries: RecentQueryFrames;
  /** Query frames a place match spans (the recent frames kept: one more). */
  windowLength: number;
  badInput(reason: BadInputReason, message: string): void;
}

/** One frame through the session. Never rejects: a failure is counted and yields undefined. */
export async function processLiveFrame(frame: LiveFrame, ctx: FrameContext): Promise<ProcessedFrame | undefined> {
  const { session } = ctx;
  let step: SessionStep;
  try {
    step = await session.process(frame);
  } catch (e) {
    // A failure of our own (or an encoder's) must not end the stream: count it and go on.
    ctx.badInput('processing_error', `frame stamped ${formatStamp(frame.stamp)}: ${(e as Error).message}`);
    return undefined;
  }
  const { result } = step;
  ctx.stats.processedFrame(result.times);
  if (result.kind === 'skipped') {
    const reason: BadInputReason =
      result.error instanceof ImageDecodeError ? 'corrupt_image' : result.error instanceof DescriptorError ? 'invalid_descriptor' : 'processing_error';
    ctx.badInput(reason, `frame stamped ${formatStamp(frame.stamp)}: ${result.error.message}`);
    return undefined;
  }
  // Stamps for the correspondences of the next matches: their window, with one to spare. Kept
  // here, not in the sink, so that a frame finishing after deactivate still counts as before.
  ctx.recentQueries.remember(result.frame.index, { stamp: frame.stamp, pose: frame.pose, descriptor: result.descriptor }, ctx.windowLength + 1);
  return { frame, session, step };
}
