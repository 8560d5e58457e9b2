// The coarse stage: the candidate regions of the map the fine matcher searches, so that it reads a
// few columns instead of sweeping the map. Either the window's sequence descriptor (or, until the
// window is full, the newest frame's descriptor) against the map's index, or frame votes
// (frame-votes.ts) over the nearest map frames of every frame in the window.
import type { PathPlacement } from '../match/path-rows.js';
import type { SamePlace } from '../match/same-place.js';
import type { Candidate } from '../core/types.js';
import { voteForEnds } from './frame-votes.js';
import type { MapView } from './map-view.js';

export interface CoarseOptions {
  /** 'sequence': the window's sequence descriptor against the map's; 'frame-votes': see frame-votes.ts. */
  source: 'sequence' | 'frame-votes';
  k: number;
  /** frame-votes: nearest map frames asked for per query frame. */
  perFrameK: number;
  /** frame-votes: candidate ends closer than this are merged (map frames). */
  separationRows: number;
}

export class CoarseRetriever {
  /** frame-votes: each recent frame's nearest map frames, oldest first (at most `keep`). */
  private recentHits: Candidate[][] = [];

  /** @param keep frames of hits kept (the query window's length or more) */
  constructor(
    private readonly options: CoarseOptions,
    private readonly keep: number,
  ) {}

  /** Forgets the window's hits (with the query window). */
  reset(): void {
    this.recentHits = [];
  }

  /**
   * Candidate ends for the newest frame, best first, among the first `searchable` map frames;
   * undefined when there are none to give (k = 0: the matcher sweeps the map). Call once per frame
   * that enters the window, in order: frame votes remember each frame's hits.
   * @param windowColumns query frames in the matcher's window now (frame votes count over these)
   */
  candidates(
    map: MapView,
    descriptor: Float32Array,
    sequenceDescriptor: Float32Array | undefined,
    searchable: number,
    windowColumns: number,
    /** Frame votes: other visits of a chosen end's place do not count against k (frame-votes.ts). */
    samePlace?: SamePlace,
    /** Frame votes: the window placed by the path travelled (path-rows.ts); absent: one row per frame. */
    placement?: PathPlacement,
  ): Candidate[] | undefined {
    const options = this.options;
    if (options.k > 0 && options.source === 'frame-votes') {
      this.recentHits.push(map.searchFrames(descriptor, options.perFrameK, searchable));
      if (this.recentHits.length > this.keep) this.recentHits.shift();
      if (searchable < 1) return undefined;
      const window = this.recentHits.slice(-windowColumns);
      const placed = placement?.metres.length === window.length ? placement : undefined;
      return voteForEnds(window, { k: options.k, separationRows: options.separationRows, mapRows: searchable, samePlace, placement: placed });
    }
    if (options.k < 1 || searchable < 1) return undefined;
    // Until the window holds a full sequence, retrieve on the newest frame alone.
    return sequenceDescriptor && map.hasSequences
      ? map.searchSequences(sequenceDescriptor, options.k, searchable)
      : map.searchFrames(descriptor, options.k, searchable);
  }
}
