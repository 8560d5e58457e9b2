// The recorded frame sources every command accepts: an image folder, or a bag's image topic (with
// poses from an odometry/pose topic), optionally thinned to keyframes by distance or time. The
// command-line options that name them are in src/cli/source-options.ts.
import path from 'node:path';
import { SeqvprError } from '../core/errors.js';
import type { Frame } from '../core/types.js';
import { KeyframeSelector, selectKeyframes } from './keyframes.js';
import { bagFrames, countImages } from './bag.js';
import { imageFolderFrames, listImages } from './image-folder.js';

export interface FrameSourceArgs {
  images?: string;
  bag?: string;
  imageTopic?: string;
  poseTopic?: string;
  keyframeDistance?: number;
  keyframePeriod?: number;
  /** Image folders only: the clock their stamps are made with (Hz, default 10). */
  frameRate?: number;
}

export interface FrameSource {
  frames: AsyncIterable<Frame>;
  /** Frames the source holds before keyframing (for progress bars). */
  count: number;
  description: string;
}

export interface FrameSourceContext {
  warn: (m: string) => void;
  /** Called (after the warning) for each bag message that could not become a frame; `index` is the frame index it would have had. */
  onSkip?: (skipped: { source: string; index: number; error: SeqvprError }) => void;
}

export async function openFrameSource(args: FrameSourceArgs, context: FrameSourceContext): Promise<FrameSource> {
  let frames: AsyncIterable<Frame>;
  let count: number;
  let description: string;
  if (args.images && args.bag) throw new SeqvprError('give either --images or --bag, not both');
  if (args.images) {
    count = (await listImages(args.images)).length;
    frames = imageFolderFrames(args.images, { rateHz: args.frameRate });
    description = path.resolve(args.images);
  } else if (args.bag) {
    if (!args.imageTopic) throw new SeqvprError('--bag needs --image-topic (see "seqvpr bag info BAG" for the topics)');
    count = await countImages(args.bag, args.imageTopic, context.warn);
    frames = bagFrames(args.bag, {
      imageTopic: args.imageTopic,
      poseTopic: args.poseTopic,
      warn: context.warn,
      onSkip: (s) => {
        context.warn(`skipped image ${s.source}: ${s.error.message}`);
        context.onSkip?.(s);
      },
    });
    description = bagSourceDescription(path.resolve(args.bag), args.imageTopic);
  } else {
    throw new SeqvprError('give the frames with --images DIR or --bag BAG --image-topic TOPIC');
  }
  if (args.keyframeDistance !== undefined || args.keyframePeriod !== undefined) {
    const selector = new KeyframeSelector({
      ...(args.keyframeDistance !== undefined && { minDistanceM: args.keyframeDistance }),
      ...(args.keyframePeriod !== undefined && { minPeriodMs: args.keyframePeriod }),
    });
    frames = selectKeyframes(frames, selector);
  }
  return { frames, count, description };
}

/** How a bag source is described (and recorded as a map's source): `<bag path> <image topic>`. */
export function bagSourceDescription(bag: string, imageTopic: string): string {
  return `${bag} ${imageTopic}`;
}

/** The source a map was built from, read back from its description (see bagSourceDescription). */
export function sourceArgsFromDescription(description: string): FrameSourceArgs {
  const bag = /^(.*) (\/\S+)$/.exec(description);
  return bag ? { bag: bag[1], imageTopic: bag[2] } : { images: description };
}
