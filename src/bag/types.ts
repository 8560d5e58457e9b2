// Public shapes of the bag reader. Stamps are bigint nanoseconds: ROS stamps exceed 2^53.

/** rosbag2 storage plugins seqvpr reads. */
export type StorageId = 'mcap' | 'sqlite3';

/** Receives one human-readable line per problem (a skipped topic, a truncated file...). */
export type WarnFn = (message: string) => void;

export interface OpenBagOptions {
  /** Called once per problem; defaults to console.warn. Problems that only cost data never throw. */
  warn?: WarnFn;
}

export interface BagTopicInfo {
  name: string;
  /** ROS 2 type name as recorded, e.g. `sensor_msgs/msg/Image`. */
  type: string;
  count: number;
  serializationFormat: string;
  /** The YAML string rosbag2 stores (a list of offered QoS profiles); '' when the bag has none. */
  offeredQosProfiles: string;
  typeDescriptionHash: string;
  /** False when no usable message definition exists: `messages()` skips the topic. */
  decodable: boolean;
}

export interface BagFileInfo {
  path: string;
  sizeBytes: number;
  messageCount: number;
}

export interface BagInfo {
  /** The path given to openBag. */
  path: string;
  storage: StorageId;
  files: BagFileInfo[];
  sizeBytes: number;
  messageCount: number;
  /** Log time of the first message; undefined for an empty bag. */
  start?: bigint;
  /** Log time of the last message; undefined for an empty bag. */
  end?: bigint;
  /** end - start (0 for an empty bag), as `ros2 bag info` reports it. */
  durationNs: bigint;
  topics: BagTopicInfo[];
  /** ROS distribution recorded in the bag, when it says. */
  rosDistro?: string;
}

export interface MessageFilter {
  /** Only these topics (all decodable topics when omitted). Unknown names are an error. */
  topics?: readonly string[];
  /** Inclusive lower bound on log time (ns). */
  start?: bigint;
  /** Inclusive upper bound on log time (ns). */
  end?: bigint;
}

export interface BagMessage<T = unknown> {
  topic: string;
  type: string;
  /** Receive time (rosbag2 `recv_timestamp`, MCAP log time), ns. */
  logTime: bigint;
  /** Publish time when the storage records it (MCAP). */
  publishTime?: bigint;
  /** CDR bytes as recorded. */
  data: Uint8Array;
  /** Decoded message (ROS 2 field names; time fields as {sec, nanosec}). */
  message: T;
}

export interface BagReader {
  info(): BagInfo;
  /**
   * Streams messages: MCAP with an index and sqlite3 in log-time order, unindexed MCAP in file
   * order. Only the current chunk / row is held in memory.
   */
  messages(filter?: MessageFilter): AsyncIterable<BagMessage>;
  close(): Promise<void>;
}
