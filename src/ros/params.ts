// The node's ROS parameters: one table gives each its type, default, range, description and when a
// change may take effect; descriptors (for `ros2 param describe`) and zod validation derive from it.
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { executionProviderSchema } from '../encoders/onnx-model.js';
import type { LifecycleState, ParameterChange, ParameterDescriptor, ParameterType, ParameterValue, RosPort } from './port.js';

export const MODES = ['localize', 'map', 'slam'] as const;
export type Mode = (typeof MODES)[number];

export interface NodeParams {
  mode: Mode;
  map_path: string;
  save_map_path: string;
  config_file: string;
  image_transport: 'raw' | 'compressed';
  use_odometry: boolean;
  odometry_wait_s: number;
  keyframe_distance_m: number;
  keyframe_period_s: number;
  min_confidence: number;
  loop_min_confidence: number;
  loop_exclude_s: number;
  loop_exclude_frames: number;
  publish_candidates: boolean;
  publish_patch_matches: boolean;
  publish_pose: boolean;
  pose_covariance_scale: number;
  map_frame_id: string;
  qos_reliability: 'best_effort' | 'reliable';
  qos_depth: number;
  diagnostics_period_s: number;
  autostart: boolean;
  execution_providers: string[];
  log_throttle_s: number;
}

/**
 * When a change may take effect: 'live' = at once, in any state; 'configure' = read at configure,
 * so changes are refused while the node is configured (clean it up first); 'startup' = read-only.
 */
export type ApplyWhen = 'live' | 'configure' | 'startup';

interface Spec<T> {
  type: ParameterType;
  default: T;
  description: string;
  apply: ApplyWhen;
  range?: { from: number; to: number };
  /** Allowed strings (for a string or each element of a string array). */
  values?: readonly string[];
  /** A string that must not be empty. */
  nonEmpty?: boolean;
}

export const PARAMETERS: { readonly [K in keyof NodeParams]: Spec<NodeParams[K]> } = {
  mode: {
    type: 'string', default: 'localize', apply: 'configure', values: MODES,
    description: 'localize: match against the map at map_path; map: build a map from scratch and detect loop closures; slam: both, extending the map at map_path.',
  },
  map_path: {
    type: 'string', default: '', apply: 'configure',
    description: 'Map folder (seqvpr map build) loaded at configure; required in localize and slam modes.',
  },
  save_map_path: {
    type: 'string', default: '', apply: 'live',
    description: 'Folder ~/save_map writes to; empty = map_path.',
  },
  config_file: {
    type: 'string', default: '', apply: 'configure',
    description: "Pipeline config YAML (frontend, matcher, window); empty = the package's config/default.yaml.",
  },
  image_transport: {
    type: 'string', default: 'raw', apply: 'configure', values: ['raw', 'compressed'],
    description: 'raw: subscribe to image (sensor_msgs/Image); compressed: to image/compressed (sensor_msgs/CompressedImage).',
  },
  use_odometry: {
    type: 'bool', default: false, apply: 'configure',
    description: 'Subscribe to odom (nav_msgs/Odometry): frames get interpolated poses (stored in maps) and keyframe_distance_m applies.',
  },
  odometry_wait_s: {
    type: 'double', default: 0.1, apply: 'live', range: { from: 0, to: 2 },
    description: 'With odometry: how long an image waits for the odometry after its stamp (its pose is then interpolated, as in a replay); past that its motion is carried on from the last two samples. 0 = never wait.',
  },
  keyframe_distance_m: {
    type: 'double', default: 0.0, apply: 'live', range: { from: 0, to: 1000 },
    description: 'With odometry: process a frame once the vehicle moved this far (x/y) since the last one; 0 = every frame. Use the spacing the map was built with.',
  },
  keyframe_period_s: {
    type: 'double', default: 0.0, apply: 'live', range: { from: 0, to: 3600 },
    description: 'Without a pose: process a frame once this much time passed since the last one; 0 = every frame.',
  },
  min_confidence: {
    type: 'double', default: 0.15, apply: 'live', range: { from: 0, to: 1 },
    description: 'Confidence a place match needs for ~/pose to be published.',
  },
  loop_min_confidence: {
    type: 'double', default: 0.2, apply: 'live', range: { from: 0, to: 1 },
    description: 'Confidence a match needs to be published as a loop closure (map and slam modes).',
  },
  loop_exclude_s: {
    type: 'double', default: 30.0, apply: 'live', range: { from: 0, to: 86400 },
    description: "Keyframes of this run newer than this (relative to the query) are never matched; a change restarts the query window.",
  },
  loop_exclude_frames: {
    type: 'integer', default: 50, apply: 'live', range: { from: 0, to: 1_000_000 },
    description: "Nor are this run's last N keyframes, whichever excludes more; a change restarts the query window.",
  },
  publish_candidates: {
    type: 'bool', default: true, apply: 'live',
    description: 'Include the ranked alternative map frames in ~/place_match (false: the winner only).',
  },
  publish_patch_matches: {
    type: 'bool', default: true, apply: 'live',
    description: "Include the re-ranker's patch correspondences of the winner's frame pairs in ~/place_match (false: scores only).",
  },
  publish_pose: {
    type: 'bool', default: true, apply: 'live',
    description: 'Publish ~/pose (geometry_msgs/PoseWithCovarianceStamped) for confident matches against a map with poses.',
  },
  pose_covariance_scale: {
    type: 'double', default: 1.0, apply: 'live', range: { from: 0.001, to: 1000 },
    description: 'Position standard deviation (m) of a match with confidence 1; it grows as 1 / confidence.',
  },
  map_frame_id: {
    type: 'string', default: 'map', apply: 'live', nonEmpty: true,
    description: 'frame_id of ~/pose (the fixed frame the map poses are in, REP-105 "map").',
  },
  qos_reliability: {
    type: 'string', default: 'best_effort', apply: 'configure', values: ['best_effort', 'reliable'],
    description: 'Reliability of the image and odom subscriptions; best_effort matches every publisher.',
  },
  qos_depth: {
    type: 'integer', default: 5, apply: 'configure', range: { from: 1, to: 1000 },
    description: 'History depth of the image subscription.',
  },
  diagnostics_period_s: {
    type: 'double', default: 1.0, apply: 'live', range: { from: 0.1, to: 3600 },
    description: 'Period of the /diagnostics status (input rate, latency, drops, skips, map size, model).',
  },
  autostart: {
    type: 'bool', default: true, apply: 'startup',
    description: 'Configure and activate at start-up; set false when a lifecycle manager drives the node.',
  },
  execution_providers: {
    type: 'string_array', default: [], apply: 'configure', values: executionProviderSchema.options,
    description: "ONNX execution providers in order of preference (cuda, tensorrt, cpu), overriding the config file's; empty = the config file's.",
  },
  log_throttle_s: {
    type: 'double', default: 5.0, apply: 'live', range: { from: 0, to: 3600 },
    description: 'Each kind of bad input is logged at most once per this many seconds (always counted).',
  },
};

export const PARAMETER_NAMES = Object.keys(PARAMETERS) as (keyof NodeParams)[];

/**
 * Parameters renamed since 0.1.0. The dotted names crashed the node on a real graph (`ros2 param
 * list` segfaulted rclnodejs 2.2.0, whose list_parameters handler reports dotted names as
 * prefixes), so no parameter name has a dot any more; an old params file is refused with the new name.
 */
export const RENAMED_PARAMETERS: Readonly<Record<string, keyof NodeParams>> = {
  'qos.reliability': 'qos_reliability',
  'qos.depth': 'qos_depth',
};

export function isNodeParameter(name: string): name is keyof NodeParams {
  return Object.hasOwn(PARAMETERS, name);
}

function valueSchema(spec: Spec<unknown>): z.ZodType {
  switch (spec.type) {
    case 'bool':
      return z.boolean();
    case 'integer':
    case 'double': {
      let n = spec.type === 'integer' ? z.number().int() : z.number();
      if (spec.range) n = n.min(spec.range.from).max(spec.range.to);
      return n;
    }
    case 'string':
      if (spec.values) return z.enum(spec.values as [string, ...string[]]);
      return spec.nonEmpty ? z.string().min(1) : z.string();
    case 'string_array':
      return z.array(spec.values ? z.enum(spec.values as [string, ...string[]]) : z.string());
  }
}

const nodeParamsSchema = z
  .object(Object.fromEntries(PARAMETER_NAMES.map((name) => [name, valueSchema(PARAMETERS[name])])) as Record<keyof NodeParams, z.ZodType>)
  .strict();

/** Why `value` is not valid for parameter `name` (undeclared, wrong type, out of range), or undefined. */
export function parameterProblem(name: string, value: unknown): string | undefined {
  const spec = isNodeParameter(name) ? (PARAMETERS[name] as Spec<unknown>) : undefined;
  if (!spec) return `${name} is not a seqvpr_node parameter (known: ${PARAMETER_NAMES.join(', ')})`;
  const parsed = valueSchema(spec).safeParse(value);
  if (parsed.success) return undefined;
  return `${name}: ${parsed.error.issues[0].message} (got ${JSON.stringify(value)})`;
}

/** All parameters, validated together; ConfigError naming the first bad one. */
export function parseNodeParams(values: Record<string, unknown>): NodeParams {
  const parsed = nodeParamsSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`seqvpr_node parameter ${issue.path.join('.') || '(unknown)'}: ${issue.message}`);
  }
  return parsed.data as NodeParams;
}

export function parameterDescriptor(name: keyof NodeParams): ParameterDescriptor {
  const spec = PARAMETERS[name] as Spec<unknown>;
  const constraints = [
    spec.values ? `one of: ${spec.values.join(', ')}` : undefined,
    spec.nonEmpty ? 'not empty' : undefined,
    spec.apply === 'configure' ? 'read at configure: change it while the node is unconfigured' : undefined,
  ].filter(Boolean);
  return {
    name,
    type: spec.type,
    description: spec.description,
    readOnly: spec.apply === 'startup',
    range: spec.range,
    additionalConstraints: constraints.length ? constraints.join('; ') : undefined,
  };
}

/** Declares every parameter on the port and returns the validated start-up values. */
export function declareNodeParams(port: RosPort): NodeParams {
  const renamed = port.parameterOverrideNames().filter((n) => Object.hasOwn(RENAMED_PARAMETERS, n));
  if (renamed.length) {
    throw new ConfigError(
      `seqvpr_node parameters were renamed: ${renamed.map((n) => `${n} -> ${RENAMED_PARAMETERS[n]}`).join(', ')}; ` +
        'rename them in your params file or -p arguments (in YAML: qos_depth: 5, not qos: {depth: 5})',
    );
  }
  const values: Record<string, ParameterValue> = {};
  for (const name of PARAMETER_NAMES) {
    values[name] = port.declareParameter(parameterDescriptor(name), PARAMETERS[name].default as ParameterValue);
  }
  return parseNodeParams(values);
}

/**
 * Checks a run-time change: values valid, and configure-time parameters only while the node is
 * unconfigured (they are read at configure). Returns the new parameter set or the reason to refuse.
 */
export function applyParameterChanges(
  current: NodeParams,
  changes: readonly ParameterChange[],
  state: LifecycleState,
): { params: NodeParams } | { reason: string } {
  const next: Record<string, unknown> = { ...current };
  for (const { name, value } of changes) {
    const problem = parameterProblem(name, value);
    if (problem) return { reason: problem };
    const apply = PARAMETERS[name as keyof NodeParams].apply;
    if (apply === 'startup') return { reason: `${name} is read at start-up only` };
    if (apply === 'configure' && state !== 'unconfigured') {
      return { reason: `${name} is read at configure: clean the node up first (ros2 lifecycle set <node> cleanup), then set it and configure` };
    }
    next[name] = value;
  }
  return { params: parseNodeParams(next) };
}
