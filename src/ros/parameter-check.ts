// Why a parameter value is refused, worded for `ros2 param set` users. The client library checks the
// descriptor (declared, type, range) before the node's callbacks see a change; rclnodejs 2.2.0 answers
// every such refusal with "Parameter <name> does not  readonly" (test/ros/RCL-BEHAVIOUR.md P9), so
// the adapter and the fake transport both word it here.
import type { ParameterDescriptor, ParameterValue } from './port.js';

/** A value's ROS parameter type as rcl_interfaces/ParameterType names it (lower case). */
export type RosParameterTypeName = ParameterDescriptor['type'] | 'byte_array' | 'bool_array' | 'integer_array' | 'double_array' | 'not set';

/**
 * The reason a change of `name` to `value` (of ROS type `type`) is refused, or undefined when the
 * descriptor allows it. `d` undefined: the parameter is not declared.
 */
export function parameterRefusal(name: string, d: ParameterDescriptor | undefined, type: RosParameterTypeName, value: unknown): string | undefined {
  if (!d) return `parameter ${name} is not declared (ros2 param list shows the node's parameters)`;
  if (type !== d.type) {
    const hint = d.type === 'double' && type === 'integer' ? ` (write ${String(value)}.0)` : '';
    return `parameter ${name} is a ${d.type}, got the ${type} ${show(value)}${hint}`;
  }
  if (d.range && typeof value === 'number' && !(value >= d.range.from && value <= d.range.to)) {
    return `parameter ${name} must lie in [${d.range.from}, ${d.range.to}], got ${value}`;
  }
  return undefined;
}

/** The ROS type of a value set from code (untyped: a whole number fits an integer or a double). */
export function typeOfValue(d: ParameterDescriptor, value: ParameterValue): RosParameterTypeName {
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? 'string_array' : 'not set';
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'not set';
  return Number.isInteger(value) && d.type !== 'double' ? 'integer' : 'double';
}

function show(value: unknown): string {
  return typeof value === 'bigint' ? String(value) : JSON.stringify(value);
}
