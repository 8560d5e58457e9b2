// Parameter overrides as ROS 2 delivers them to a node, from the command line alone: the
// `--ros-args` sections (`-p [node:]name:=value`, `--params-file FILE`) parsed and typed the way rcl
// does it, then the entries that apply to one node picked the way rclcpp does it. rclnodejs 2.2.0
// picks differently (only the `/**` and bare-name entries, `/**` first), which loses what
// `ros2 launch` writes (a temporary file keyed by the fully qualified name), so the rclnodejs
// adapter and the fake transport both resolve here. Every rule below names its source; the table
// in test/ros/RCL-BEHAVIOUR.md lists them with the tests that hold them.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode, type Scalar } from 'yaml';
import { ConfigError } from '../core/errors.js';

export type RclValue =
  | { type: 'bool'; value: boolean }
  | { type: 'integer'; value: number }
  | { type: 'double'; value: number }
  | { type: 'string'; value: string }
  | { type: 'bool_array'; value: boolean[] }
  | { type: 'integer_array'; value: number[] }
  | { type: 'double_array'; value: number[] }
  | { type: 'string_array'; value: string[] };

/** A typed value and where it was given (for messages: a file path or a `-p` rule). */
export type ParameterOverride = RclValue & { source: string };

/**
 * rcl_params_t: node entries in the order their names first appear on the command line, each
 * holding its parameters; a later value for the same node and name replaces the earlier one in
 * place (rcl_yaml_param_parser node_params.c find_node / find_parameter).
 */
export class RclParams {
  readonly nodes: { name: string; parameters: Map<string, ParameterOverride> }[] = [];

  set(node: string, name: string, value: ParameterOverride): void {
    let entry = this.nodes.find((n) => n.name === node);
    if (!entry) {
      entry = { name: node, parameters: new Map() };
      this.nodes.push(entry);
    }
    entry.parameters.set(name, value);
  }
}

// rcl arguments.c: flags of a --ros-args section that take a value (skipped here unless parameters).
const FLAGS_WITH_VALUE = new Set(['-r', '--remap', '-e', '--enclave', '--log-level', '--log-config-file', '--log-file-name']);

/**
 * rcl arguments.c rcl_parse_arguments: parameters come from the `--ros-args` sections only (a
 * section ends at `--` or at the next `--ros-args`), `-p`/`--param` rules and `--params-file` files
 * in command-line order.
 */
export function parseRosArguments(argv: readonly string[], readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): RclParams {
  const params = new RclParams();
  let inRos = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--ros-args') {
      inRos = true;
      continue;
    }
    if (!inRos) continue;
    if (arg === '--') {
      inRos = false;
      continue;
    }
    const next = (): string => {
      const value = argv[++i];
      if (value === undefined) throw new ConfigError(`ROS argument ${arg} needs a value`);
      return value;
    };
    if (arg === '-p' || arg === '--param') parseParamRule(next(), params);
    else if (arg === '--params-file') {
      const file = next();
      let text: string;
      try {
        text = readFile(file);
      } catch (e) {
        throw new ConfigError(`--params-file ${file}: ${(e as Error).message}`, { cause: e });
      }
      parseParamsFile(text, file, params);
    } else if (FLAGS_WITH_VALUE.has(arg)) i++;
  }
  return params;
}

/**
 * rcl arguments.c _rcl_parse_param_rule: `name:=value` applies to every node (stored under `/**`),
 * `node:name:=value` to that node; the value is YAML, typed by rcl_parse_yaml_value.
 */
export function parseParamRule(rule: string, params: RclParams): void {
  const at = rule.indexOf(':=');
  if (at <= 0) throw new ConfigError(`-p ${rule}: a parameter rule is name:=value or node:name:=value`);
  const left = rule.slice(0, at);
  const colon = left.lastIndexOf(':');
  const node = colon < 0 ? '/**' : left.slice(0, colon);
  const name = colon < 0 ? left : left.slice(colon + 1);
  const doc = parseDocument(rule.slice(at + 2), { schema: 'failsafe' });
  if (doc.errors.length) throw new ConfigError(`-p ${rule}: ${doc.errors[0].message}`);
  params.set(node, name, { ...typedValue(doc.contents, `-p ${rule}`), source: `-p ${rule}` });
}

/**
 * rcl_yaml_param_parser parse.c: node names are the keys above `ros__parameters` (nested keys
 * joined with `/`: `ns: {node: ...}` is `ns/node`), parameter names the keys below it (nested keys
 * joined with `.`); values are scalars or sequences of one type.
 */
export function parseParamsFile(text: string, file: string, params: RclParams): void {
  const doc = parseDocument(text, { schema: 'failsafe' });
  if (doc.errors.length) throw new ConfigError(`params file ${file}: ${doc.errors[0].message}`);
  if (doc.contents === null) return;
  const where = (path: string) => `params file ${file}${path ? ` at ${path}` : ''}`;

  const parameters = (node: string, map: YamlNode, prefix: string): void => {
    if (!isMap(map)) throw new ConfigError(`${where(`${node}.ros__parameters`)}: expected a map of parameters`);
    for (const item of map.items) {
      const key = String((item.key as Scalar).value);
      const name = prefix ? `${prefix}.${key}` : key;
      if (isMap(item.value)) parameters(node, item.value, name);
      else params.set(node, name, { ...typedValue(item.value as YamlNode, `${where(`${node}: ${name}`)}`), source: file });
    }
  };
  const nodes = (map: YamlNode, path: string): void => {
    if (!isMap(map)) throw new ConfigError(`${where(path)}: expected a map of node names`);
    for (const item of map.items) {
      const key = String((item.key as Scalar).value);
      if (key === 'ros__parameters') {
        if (!path) throw new ConfigError(`${where('')}: ros__parameters needs a node name above it (e.g. /**)`);
        parameters(path, item.value as YamlNode, '');
      } else nodes(item.value as YamlNode, path ? `${path}/${key}`.replace(/\/+/g, '/') : key);
    }
  };
  nodes(doc.contents, '');
}

/** rcl_yaml_param_parser parse.c get_value (scalars) and parse_value (sequences: one type, not empty). */
function typedValue(node: YamlNode | null, where: string): RclValue {
  if (isScalar(node)) return scalarValue(node);
  if (isSeq(node)) {
    if (node.items.length === 0) throw new ConfigError(`${where}: an empty list has no type for ROS 2; give at least one element`);
    const items = node.items.map((item) => {
      if (!isScalar(item)) throw new ConfigError(`${where}: list elements must be plain values`);
      return scalarValue(item);
    });
    const type = items[0].type;
    if (items.some((v) => v.type !== type)) throw new ConfigError(`${where}: list elements must all have one type (got ${items.map((v) => v.type).join(', ')})`);
    return { type: `${type}_array`, value: items.map((v) => v.value) } as RclValue;
  }
  throw new ConfigError(`${where}: expected a value`);
}

const TRUE = new Set(['Y', 'y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['N', 'n', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
/** strtoll(value, &end, 0) consuming the whole string: decimal, 0x hex or 0 octal. */
const INTEGER = /^\s*[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;
/** strtod consuming the whole string (decimal forms, inf, nan), and YAML's .inf / .nan. */
const DOUBLE = /^\s*[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf(inity)?|nan)$/i;
const YAML_SPECIAL = /^[+-]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/;
const STR_TAG = 'tag:yaml.org,2002:str';

/** get_value: a !!str tag or quotes make a string; else bool words, integer, double, string. */
function scalarValue(node: Scalar): RclValue {
  const text = String(node.value);
  if (node.tag === STR_TAG || node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') return { type: 'string', value: text };
  if (TRUE.has(text)) return { type: 'bool', value: true };
  if (FALSE.has(text)) return { type: 'bool', value: false };
  if (INTEGER.test(text)) {
    const t = text.trim();
    const sign = t.startsWith('-') ? -1 : 1;
    const digits = t.replace(/^[+-]/, '');
    const value = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : /^0[0-7]+$/.test(digits) ? parseInt(digits, 8) : Number(digits);
    return { type: 'integer', value: sign * value };
  }
  if (YAML_SPECIAL.test(text)) return { type: 'double', value: /nan/i.test(text) ? NaN : text.startsWith('-') ? -Infinity : Infinity };
  if (DOUBLE.test(text)) return { type: 'double', value: /nan/i.test(text) ? NaN : /inf/i.test(text) ? (text.trim().startsWith('-') ? -Infinity : Infinity) : Number(text) };
  return { type: 'string', value: text };
}

/**
 * The overrides that reach the node `nodeFqn` (e.g. "/seqvpr_node", "/robot1/seqvpr_node"):
 * rclcpp parameter_map.cpp parameter_map_from and resolve_parameter_overrides. Entries are taken in
 * rcl's node order; an entry applies when its name (given a leading `/`) matches the fully
 * qualified name, `/*` standing for one name token and `/**` for any number; a later entry's
 * value replaces an earlier one.
 */
export function resolveParameterOverrides(params: RclParams, nodeFqn: string): Map<string, ParameterOverride> {
  const result = new Map<string, ParameterOverride>();
  for (const entry of params.nodes) {
    if (!nodeNameMatches(entry.name, nodeFqn)) continue;
    for (const [name, value] of entry.parameters) result.set(name, value);
  }
  return result;
}

/** rclcpp parameter_map.cpp is_node_name_matched: "/*" -> "(/\w+)" (so "/**" -> "(/\w+)*"), whole-name match. */
export function nodeNameMatches(entryName: string, nodeFqn: string): boolean {
  const name = entryName.startsWith('/') ? entryName : `/${entryName}`;
  const pattern = name.split('/*').join('(/\\w+)');
  return new RegExp(`^${pattern}$`).test(nodeFqn);
}

/** Overrides for `nodeFqn` from a command line (process.argv by default). */
export function parameterOverridesFromArgs(argv: readonly string[], nodeFqn: string, readFile?: (path: string) => string): Map<string, ParameterOverride> {
  return resolveParameterOverrides(parseRosArguments(argv, readFile), nodeFqn);
}

/**
 * The value a start-up override gives a declared parameter. rclcpp refuses an override of another
 * type (InvalidParameterTypeException) and rclnodejs 2.2.0 throws its own ParameterTypeError from
 * declareParameter, which stops the node with a stack trace. Users write `30` for a double, so an
 * integer is taken as that double; any other mismatch is a ConfigError naming both types and where
 * the value came from.
 */
export function overrideValue(d: { name: string; type: string }, o: ParameterOverride): boolean | number | string | string[] {
  if (o.type === d.type) return o.value as boolean | number | string | string[];
  if (d.type === 'double' && o.type === 'integer') return o.value;
  const shown = Array.isArray(o.value) ? `[${o.value.join(', ')}]` : String(o.value);
  throw new ConfigError(
    `parameter ${d.name} is a ${d.type.replace('_', ' ')}, but ${o.source} gives the ${o.type.replace('_', ' ')} ${shown}` +
      (d.type === 'string' ? ' (quote it to make it a string)' : ''),
  );
}
