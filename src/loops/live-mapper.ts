// Live mapping with loop-closure detection in one run: every frame is first matched against the
// map built so far, minus a temporal exclusion window (its own recent past always looks alike),
// then appended to the map. A match becomes a loop closure when its sequence-consistent
// trajectory (monotone, from the fine matcher) clears a confidence threshold. Precision first:
// a false loop closure corrupts a SLAM map, a missed one only delays a correction.
import { partitionPoint } from '../core/partition-point.js';
import { z } from 'zod';
import type { Correspondence, Frame, StampNs } from '../core/types.js';
import type { PlaceMap } from '../map/place-map.js';
import { createRecognizer, type Frontend } from '../pipeline/assemble.js';
import type { EncodedFrame, FrameResult, PlaceRecognizer } from '../pipeline/recognizer.js';

export const loopConfigSchema = z
  .object({
    minConfidence: z.number().min(0).max(1).default(0.2).describe('Confidence a match needs to be reported as a loop closure.'),
    excludeSeconds: z.number().min(0).default(30).describe('Map frames newer than this (relative to the query) are never matched.'),
    excludeFrames: z.number().int().min(0).default(50).describe('Nor are the last N map frames, whichever excludes more.'),
  })
  .strict();

export type LoopConfig = z.output<typeof loopConfigSchema>;

export interface LoopClosure {
  /** Map index (keyframe id) of the new frame, and its stamp. */
  queryIndex: number;
  queryStamp: StampNs;
  /** Map index (keyframe id) of the earlier frame it closes the loop with, and its stamp. */
  matchIndex: number;
  matchStamp: StampNs;
  confidence: number;
  /** Frame-to-frame pairs of the matched sequences (query keyframe -> earlier keyframe), oldest first. */
  correspondences: Correspondence[];
  /** Mapping sessions of the two keyframes (PlaceMap.sessionOf): different for a closure between sessions. */
  sessions?: { query: number; match: number };
}

export interface LiveMapStep {
  result: FrameResult;
  /** Earlier keyframes this frame was allowed to match (the rest were inside the exclusion window). */
  searchable: number;
  /** Index the frame got in the map; null when it was skipped (undecodable). */
  mapIndex: number | null;
  loop: LoopClosure | null;
}

export interface LiveMapperOptions {
  /**
   * Map frames before this index come from an earlier session (e.g. a loaded map): always
   * searchable, never inside the exclusion window. Default 0: the whole map is this session's.
   */
  sessionStart?: number;
  /** Where the recogniser's warnings go (e.g. re-ranking off for this map). */
  warn?: (message: string) => void;
}

export class LiveMapper {
  private readonly recognizer: PlaceRecognizer;
  private lastSearchable = 0;
  /** First map frame of the current session. */
  private sessionStart: number;

  constructor(
    frontend: Frontend,
    readonly map: PlaceMap,
    readonly config: LoopConfig,
    options: LiveMapperOptions = {},
  ) {
    const excludeNs = BigInt(Math.round(config.excludeSeconds * 1e9));
    this.sessionStart = options.sessionStart ?? 0;
    if (!Number.isInteger(this.sessionStart) || this.sessionStart < 0 || this.sessionStart > map.size) {
      throw new RangeError(`sessionStart must be an integer in [0, ${map.size}] (the map's size), got ${this.sessionStart}`);
    }
    // Mapping on after a loaded map: the new frames form a session of their own in the map.
    if (this.sessionStart > 0 && this.sessionStart === map.size) map.beginSession();
    this.recognizer = createRecognizer(frontend, map, 'the live map', {
      warn: options.warn,
      searchableRows: (frame) => {
        // The exclusion window covers this session's frames only: earlier sessions' frames are
        // always searchable, and their stamps may come from another clock.
        const start = this.sessionStart;
        const ownBefore = framesBefore(map, start, frame.stamp - excludeNs);
        this.lastSearchable = start + Math.max(0, Math.min(map.size - start - config.excludeFrames, ownBefore));
        return this.lastSearchable;
      },
    });
  }

  /**
   * Starts a new session: the frames mapped so far become an earlier session (always searchable)
   * and the query window restarts. For a clock that jumped backwards, whose stamps would otherwise
   * break the stamp order the exclusion window relies on.
   */
  startSession(): void {
    this.sessionStart = this.map.size;
    this.map.beginSession();
    this.recognizer.reset();
  }

  /**
   * Matches `frame` against the older part of the map, then appends it. Frames must come in stamp
   * order; their `index` should be their map index (keyframes numbered from 0).
   */
  async process(frame: Frame): Promise<LiveMapStep> {
    return this.processEncoded(frame, await this.encodeFrame(frame));
  }

  /** The stateless half of process (the frame through the encoders): recorded runs run it ahead. */
  encodeFrame(frame: Frame): Promise<EncodedFrame> {
    return this.recognizer.encodeFrame(frame);
  }

  /** The stateful half of process, in frame order: match against the map so far, then append. */
  async processEncoded(frame: Frame, encoded: EncodedFrame): Promise<LiveMapStep> {
    this.lastSearchable = 0;
    const result = await this.recognizer.processEncoded(frame, encoded);
    const searchable = this.lastSearchable;
    if (result.kind === 'skipped') return { result, searchable, mapIndex: null, loop: null };
    const mapIndex = this.map.add(
      { stamp: frame.stamp, pose: frame.pose, source: frame.source },
      result.descriptor,
      this.map.info.sequence ? result.sequenceDescriptor : undefined,
      result.patches,
    );
    let loop: LoopClosure | null = null;
    if (result.kind === 'match' && result.match.confidence >= this.config.minConfidence) {
      const { match } = result;
      loop = {
        queryIndex: mapIndex,
        queryStamp: frame.stamp,
        matchIndex: match.mapIndex,
        matchStamp: this.map.frames[match.mapIndex].stamp,
        confidence: match.confidence,
        correspondences: match.correspondences,
        sessions: { query: this.map.sessionOf(mapIndex), match: this.map.sessionOf(match.mapIndex) },
      };
    }
    return { result, searchable, mapIndex, loop };
  }
}

/** Number of map frames from `from` on stamped before `stamp` (those frames are in stamp order). */
function framesBefore(map: PlaceMap, from: number, stamp: StampNs): number {
  const frames = map.frames;
  return partitionPoint(frames.length - from, (i) => frames[from + i].stamp < stamp);
}
