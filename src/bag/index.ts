// ROS 2 bags without ROS: read MCAP and sqlite3 bags, record MCAP bags, convert image/pose messages.
export { openBag } from './reader.js';
export { McapBagWriter, type McapBagWriterOptions, type WrittenBag } from './writer.js';
export { formatBagInfo } from './format-info.js';
export { readBagMetadata, parseBagMetadata, type BagMetadata } from './metadata.js';
export {
  QOS_PRESETS,
  parseOfferedQos,
  serializeOfferedQos,
  type QosPresetName,
  type QosProfile,
} from './qos.js';
export { commonDefinitionText, canonicalTypeName } from './definitions.js';
export { readerForDefinition } from './decoders.js';
export { stampToNs, nsToStamp, type RosTime } from './stamp.js';
export {
  IMAGE_TYPE,
  COMPRESSED_IMAGE_TYPE,
  ODOMETRY_TYPE,
  POSE_STAMPED_TYPE,
  POSE_WITH_COVARIANCE_STAMPED_TYPE,
  rawImageFromMessage,
  compressedImageFromMessage,
  imageFromMessage,
  poseFromOdometry,
  poseFromPoseStamped,
  poseFromPoseWithCovarianceStamped,
  poseFromMessage,
  type Stamped,
} from './convert.js';
export { MalformedMessageError } from './errors.js';
export type * from './types.js';
