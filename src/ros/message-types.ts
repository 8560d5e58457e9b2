// seqvpr results as ROS 2 messages: the type names the node publishes and the plain object shapes
// rclnodejs publishes and @foxglove/rosmsg2-serialization writes (`header: {stamp: {sec, nanosec},
// frame_id}`). seqvpr's own types are defined by the package's msg/*.msg files.
import type { RosTime } from '../bag/stamp.js';
import { SeqvprError } from '../core/errors.js';
import type { StampNs } from '../core/types.js';

export { POSE_WITH_COVARIANCE_STAMPED_TYPE } from '../bag/convert.js';

export const PLACE_MATCH_TYPE = 'seqvpr/msg/PlaceMatch';
export const LOOP_CLOSURE_TYPE = 'seqvpr/msg/LoopClosure';
export const DIAGNOSTIC_ARRAY_TYPE = 'diagnostic_msgs/msg/DiagnosticArray';

/** The ROS package whose msg/ folder this module reads (package.xml's name). */
export const PACKAGE_NAME = 'seqvpr';

/** LoopClosure.UNKNOWN_VARIANCE: the diagonal of the covariance of a closure without metric pose. */
export const UNKNOWN_VARIANCE = 1e6;

/** A message, or its definition or bytes, does not fit the type it claims. */
export class RosMessageError extends SeqvprError {}

export interface RosHeader {
  /** Nanoseconds since the epoch (the input image's header stamp). */
  stamp: StampNs;
  frameId: string;
}

/** std_msgs/Header as messages carry it. */
export type HeaderMsg = { stamp: RosTime; frame_id: string };
/** geometry_msgs/Pose. */
export type PoseMsg = { position: { x: number; y: number; z: number }; orientation: { x: number; y: number; z: number; w: number } };
export type CandidateMsg = { map_index: number; map_stamp: RosTime; distance: number };
export type CorrespondenceMsg = { query_stamp: RosTime; query_index: number; map_index: number; map_stamp: RosTime; distance: number };
/** seqvpr/msg/PatchCorrespondence: float32 fields hold float32 values (what CDR carries). */
export type PatchCorrespondenceMsg = { size: number; query_x: number; query_y: number; map_x: number; map_y: number; similarity: number };
export type PatchMatchMsg = { query_index: number; map_index: number; score: number; shift_x: number; shift_y: number; pairs: PatchCorrespondenceMsg[] };
export type PlaceMatchMsg = {
  header: HeaderMsg;
  query_index: number;
  map_id: string;
  map_size: number;
  map_index: number;
  map_stamp: RosTime;
  has_pose: boolean;
  map_pose: PoseMsg;
  confidence: number;
  score: number;
  held: boolean;
  candidates: CandidateMsg[];
  correspondences: CorrespondenceMsg[];
  has_relative_pose: boolean;
  relative_pose: PoseMsg;
  relative_pose_covariance: number[];
  patch_score: number;
  patch_grid_cells_x: number;
  patch_grid_cells_y: number;
  patch_matches: PatchMatchMsg[];
};
export type LoopClosureMsg = {
  header: HeaderMsg;
  from_id: number;
  from_stamp: RosTime;
  to_id: number;
  to_stamp: RosTime;
  confidence: number;
  has_relative_pose: boolean;
  relative_pose: PoseMsg;
  covariance: number[];
  correspondences: CorrespondenceMsg[];
};
export type PoseWithCovarianceStampedMsg = { header: HeaderMsg; pose: { pose: PoseMsg; covariance: number[] } };
export type DiagnosticArrayMsg = {
  header: HeaderMsg;
  status: { level: number; name: string; message: string; hardware_id: string; values: { key: string; value: string }[] }[];
};

export type DiagnosticLevel = 'ok' | 'warn' | 'error' | 'stale';
