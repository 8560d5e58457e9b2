// The shapes every stage shares. Nothing here knows where frames come from or go to.

/** Nanoseconds since the epoch (ROS time). bigint because ROS stamps exceed 2^53. */
export type StampNs = bigint;

/** A pose in the map frame (REP-105): position in metres, orientation as a unit quaternion. */
export interface Pose {
  position: { x: number; y: number; z: number };
  orientation: { x: number; y: number; z: number; w: number };
}

/** An uncompressed image as sensor_msgs/Image carries it. */
export interface RawImage {
  kind: 'raw';
  width: number;
  height: number;
  /** ROS encoding string: rgb8, bgr8, mono8, rgba8, bgra8, mono16, yuv422 (uyvy), yuv422_yuy2 (yuyv)... */
  encoding: string;
  /** Bytes per row. */
  step: number;
  isBigEndian: boolean;
  data: Uint8Array;
}

/** A compressed image as sensor_msgs/CompressedImage carries it (JPEG or PNG bytes). */
export interface CompressedImage {
  kind: 'compressed';
  format: string;
  data: Uint8Array;
}

/** An image file on disk (PNG/JPEG), read lazily by the preprocessor. */
export interface ImageFile {
  kind: 'file';
  path: string;
}

export type ImageSource = RawImage | CompressedImage | ImageFile;

/** One camera frame, the unit that flows from every source adapter into the pipeline. */
export interface Frame {
  /** Position of the frame in its source (0-based), used for ground truth and reports. */
  index: number;
  stamp: StampNs;
  frameId: string;
  image: ImageSource;
  pose?: Pose;
  /** Human-readable origin: a file name, or bag topic and sequence. */
  source?: string;
}

/** Per-frame descriptor as produced by a frame encoder (L2-normalised unless the manifest says not). */
export type Descriptor = Float32Array;

/** A map frame's metadata, stored next to its descriptors. */
export interface MapFrameMeta {
  index: number;
  stamp: StampNs;
  pose?: Pose;
  source?: string;
}

/** One entry of a ranked candidate list. Lower `distance` is better. */
export interface Candidate {
  mapIndex: number;
  distance: number;
}

/** A pair query frame -> map frame inside a matched sequence. */
export interface Correspondence {
  /** Index of the query frame (its Frame.index). */
  queryIndex: number;
  mapIndex: number;
  /** Difference-matrix value at that cell (lower = more similar). */
  distance: number;
}

// Patch evidence of a re-ranked match (src/rerank), kept for a later relative-pose estimate.

/** A pair of agreeing patches, positions in cell units of the patch grid (cell centres at integers). */
export interface PatchCorrespondence {
  /** Patch size in cells. */
  size: number;
  query: { x: number; y: number };
  map: { x: number; y: number };
  similarity: number;
}

/** The winner's patch evidence for one compared frame pair. */
export interface FramePatchMatch {
  queryIndex: number;
  mapIndex: number;
  /** Fraction of query patches in the consensus beyond chance (rerank/spatial.ts chanceShare), averaged over patch sizes. */
  score: number;
  /** Mean displacement map - query of the agreeing pairs, in cells. */
  shift: { x: number; y: number };
  pairs: PatchCorrespondence[];
}

export interface PatchMatches {
  /** Patch grid the positions refer to: pixel u = (x + 0.5) / cellsX * image width (likewise v). */
  grid: { cellsX: number; cellsY: number };
  frames: FramePatchMatch[];
}

/** What fine matching says about the newest query frame. */
export interface PlaceMatch {
  queryIndex: number;
  queryStamp: StampNs;
  /** Best map frame for the newest query frame. */
  mapIndex: number;
  /** In [0, 1]; higher is more certain. Usable as an acceptance threshold. 0 while the query window holds fewer frames than configured. */
  confidence: number;
  /** Sequence score of the winning trajectory (lower is better), in matcher units. */
  score: number;
  /** Ranked alternatives for the newest query frame (best first), including the winner. */
  candidates: Candidate[];
  /** Per-frame alignment of the query window to the map, oldest first. */
  correspondences: Correspondence[];
  /** With patch re-ranking: the winner's patch score in [0, 1] (share of query patches agreeing). */
  patchScore?: number;
  /**
   * With patch re-ranking: per compared frame pair of the winning trajectory, the patch pairs that
   * agree on one displacement (query cell -> map cell), e.g. for a relative pose estimate.
   */
  patchMatches?: PatchMatches;
  /**
   * With `rerank.alongTrack`: map rows the answer (and its path) was moved along the map from the
   * place the sequence and patch scores chose (+ = further along; 0 = kept). patchMatches keep the
   * rows they compared.
   */
  alongTrackShift?: number;
  /**
   * With the motion gate: true when the camera had not moved since the window's newest frame, so
   * this is that frame's answer repeated (the window did not change); with heldAdvance 'path' its
   * mapIndex and candidates are moved on by the distance travelled since (held-answer.ts).
   */
  held?: boolean;
}
