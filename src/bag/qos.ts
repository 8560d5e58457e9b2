// QoS profiles as rosbag2 stores them (`offered_qos_profiles`: a YAML list of rmw QoS profiles).
// Written with the numeric rmw enums of metadata version <= 8, which Humble, Iron and Jazzy all read;
// read in both that form and the string form of metadata version 9.
import { parse } from 'yaml';
import { BagError } from '../core/errors.js';

export type HistoryPolicy = 'system_default' | 'keep_last' | 'keep_all' | 'unknown';
export type ReliabilityPolicy = 'system_default' | 'reliable' | 'best_effort' | 'unknown' | 'best_available';
export type DurabilityPolicy = 'system_default' | 'transient_local' | 'volatile' | 'unknown' | 'best_available';
export type LivelinessPolicy =
  | 'system_default' | 'automatic' | 'manual_by_node' | 'manual_by_topic' | 'unknown' | 'best_available';

export interface RmwDuration {
  sec: number;
  nsec: number;
}

export interface QosProfile {
  history: HistoryPolicy;
  depth: number;
  reliability: ReliabilityPolicy;
  durability: DurabilityPolicy;
  /** {0, 0} = unspecified, as rosbag2 records publishers that set none. */
  deadline: RmwDuration;
  lifespan: RmwDuration;
  liveliness: LivelinessPolicy;
  livelinessLeaseDuration: RmwDuration;
  avoidRosNamespaceConventions: boolean;
}

// Enum orders of rmw/types.h: the index is the value rosbag2 writes.
const HISTORY: readonly HistoryPolicy[] = ['system_default', 'keep_last', 'keep_all', 'unknown'];
const RELIABILITY: readonly ReliabilityPolicy[] = ['system_default', 'reliable', 'best_effort', 'unknown', 'best_available'];
const DURABILITY: readonly DurabilityPolicy[] = ['system_default', 'transient_local', 'volatile', 'unknown', 'best_available'];
const LIVELINESS: readonly LivelinessPolicy[] = [
  'system_default', 'automatic', 'manual_by_node', 'manual_by_topic', 'unknown', 'best_available',
];

const UNSPECIFIED: RmwDuration = { sec: 0, nsec: 0 };

function profile(overrides: Pick<QosProfile, 'history' | 'depth' | 'reliability' | 'durability'>): QosProfile {
  return {
    ...overrides,
    deadline: UNSPECIFIED,
    lifespan: UNSPECIFIED,
    liveliness: 'automatic',
    livelinessLeaseDuration: UNSPECIFIED,
    avoidRosNamespaceConventions: false,
  };
}

/** The profiles of rclcpp's presets, by the names ROS users know. */
export const QOS_PRESETS = {
  /** rclcpp::SensorDataQoS: cameras and other high-rate sensors. */
  sensor_data: profile({ history: 'keep_last', depth: 5, reliability: 'best_effort', durability: 'volatile' }),
  /** rclcpp::QoS(10): the default for publishers. */
  default: profile({ history: 'keep_last', depth: 10, reliability: 'reliable', durability: 'volatile' }),
  /** Latched topics (maps, static transforms): reliable + transient local. */
  transient_local: profile({ history: 'keep_last', depth: 1, reliability: 'reliable', durability: 'transient_local' }),
} as const satisfies Record<string, QosProfile>;

export type QosPresetName = keyof typeof QOS_PRESETS;

export function resolveQos(qos: QosProfile | QosPresetName | undefined): QosProfile {
  if (qos === undefined) return QOS_PRESETS.default;
  if (typeof qos === 'string') {
    const preset = QOS_PRESETS[qos];
    if (!preset) throw new BagError(`unknown QoS preset "${qos}"; use one of ${Object.keys(QOS_PRESETS).join(', ')}`);
    return preset;
  }
  return qos;
}

function enumIndex<T extends string>(values: readonly T[], value: T, what: string): number {
  const i = values.indexOf(value);
  if (i < 0) throw new BagError(`invalid QoS ${what} "${value}"; use one of ${values.join(', ')}`);
  return i;
}

function duration(name: string, d: RmwDuration): string {
  return `  ${name}:\n    sec: ${d.sec}\n    nsec: ${d.nsec}`;
}

/** The exact string rosbag2 stores in `offered_qos_profiles` (metadata.yaml and MCAP channels). */
export function serializeOfferedQos(profiles: readonly QosProfile[]): string {
  if (profiles.length === 0) return '';
  return profiles
    .map((p) =>
      [
        `- history: ${enumIndex(HISTORY, p.history, 'history')}`,
        `  depth: ${p.depth}`,
        `  reliability: ${enumIndex(RELIABILITY, p.reliability, 'reliability')}`,
        `  durability: ${enumIndex(DURABILITY, p.durability, 'durability')}`,
        duration('deadline', p.deadline),
        duration('lifespan', p.lifespan),
        `  liveliness: ${enumIndex(LIVELINESS, p.liveliness, 'liveliness')}`,
        duration('liveliness_lease_duration', p.livelinessLeaseDuration),
        `  avoid_ros_namespace_conventions: ${p.avoidRosNamespaceConventions}`,
      ].join('\n'),
    )
    .join('\n');
}

function policy<T extends string>(values: readonly T[], raw: unknown, what: string): T {
  if (typeof raw === 'number' && values[raw] !== undefined) return values[raw];
  if (typeof raw === 'string' && (values as readonly string[]).includes(raw)) return raw as T;
  throw new BagError(`offered_qos_profiles: invalid ${what} ${JSON.stringify(raw)}`);
}

function readDuration(raw: unknown, what: string): RmwDuration {
  const d = raw as { sec?: unknown; nsec?: unknown } | undefined;
  if (typeof d?.sec !== 'number' || typeof d.nsec !== 'number') {
    throw new BagError(`offered_qos_profiles: ${what} needs numeric sec and nsec`);
  }
  return { sec: d.sec, nsec: d.nsec };
}

/** Parses an `offered_qos_profiles` string (numeric or string enums). '' gives []. */
export function parseOfferedQos(text: string): QosProfile[] {
  if (text.trim() === '') return [];
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new BagError(`offered_qos_profiles is not valid YAML: ${(err as Error).message}`);
  }
  if (!Array.isArray(doc)) throw new BagError('offered_qos_profiles must be a YAML list of profiles');
  return doc.map((raw: Record<string, unknown>) => ({
    history: policy(HISTORY, raw.history, 'history'),
    depth: Number(raw.depth ?? 0),
    reliability: policy(RELIABILITY, raw.reliability, 'reliability'),
    durability: policy(DURABILITY, raw.durability, 'durability'),
    deadline: readDuration(raw.deadline, 'deadline'),
    lifespan: readDuration(raw.lifespan, 'lifespan'),
    liveliness: policy(LIVELINESS, raw.liveliness, 'liveliness'),
    livelinessLeaseDuration: readDuration(raw.liveliness_lease_duration, 'liveliness_lease_duration'),
    avoidRosNamespaceConventions: raw.avoid_ros_namespace_conventions === true,
  }));
}
