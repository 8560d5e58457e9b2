// What retrieval and matching read from a map: its frames, their descriptors and the two indexes
// (frames, sequences), searched in the configured mode. PlaceMap.view gives one.
import type { DescriptorMatrix } from '../core/matrix.js';
import type { Candidate, MapFrameMeta } from '../core/types.js';
import type { PatchRows } from '../rerank/reranker.js';

/** What the recogniser needs from a map (PlaceMap.view gives one). */
export interface MapView {
  readonly frames: readonly MapFrameMeta[];
  readonly frameDescriptors: DescriptorMatrix;
  /** Nearest map sequences ending before map frame `beforeFrame` (all when undefined). */
  searchSequences(query: Float32Array, k: number, beforeFrame?: number): Candidate[];
  /** Nearest map frames before map frame `beforeFrame` (all when undefined). */
  searchFrames(query: Float32Array, k: number, beforeFrame?: number): Candidate[];
  /** True when the map holds sequence descriptors (a sequence encoder was used to build it). */
  readonly hasSequences: boolean;
  /** Local features per map frame, when the map has them (patch re-ranking). */
  readonly patches?: PatchRows;
  /** Mapping session of a map frame (absent: one session). */
  sessionOf?(index: number): number;
}
