// ROS 2 message definitions shipped with @foxglove/rosmsg-msgs-common (its `msgdefs/ros2<distro>`
// folders hold the .msg files of std_msgs, sensor_msgs, geometry_msgs, nav_msgs, ...). Used when a
// bag carries no definition (Humble sqlite3 bags) and to write the full definition text that
// `ros2 bag record` stores in MCAP schemas.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BagError } from '../core/errors.js';

/** Distribution whose definitions are used when none is known (the current LTS). */
export const DEFAULT_DISTRO = 'jazzy';

/** The line rosbag2 puts between the definitions of a type and of each dependency. */
const SEPARATOR = '='.repeat(80);

const PRIMITIVES = new Set([
  'bool', 'byte', 'char', 'float32', 'float64', 'int8', 'uint8', 'int16', 'uint16',
  'int32', 'uint32', 'int64', 'uint64', 'string', 'wstring',
]);

/** First token of a field line (`pkg/Type[] name`, `Type name`, `uint8[4] name`). */
const FIELD_TYPE = /^\s*([A-Za-z][A-Za-z0-9_/]*)(?:\[[^\]]*\])?\s+/;

/** Bounded recursion, as rosbag2 does, so a cyclic definition cannot hang the writer. */
const MAX_DEPTH = 50;

const msgdefsRoot = join(
  dirname(createRequire(import.meta.url).resolve('@foxglove/rosmsg-msgs-common/package.json')),
  'msgdefs',
);

export interface TypeName {
  pkg: string;
  /** `msg`, `srv` or `action`. */
  ns: string;
  name: string;
}

/** Splits `pkg/msg/Name` or `pkg/Name` (ROS 1 style, as dependency lines write them). */
export function parseTypeName(type: string): TypeName | undefined {
  const parts = type.split('/');
  if (parts.length === 2) return { pkg: parts[0], ns: 'msg', name: parts[1] };
  if (parts.length === 3) return { pkg: parts[0], ns: parts[1], name: parts[2] };
  return undefined;
}

/** `pkg/Name` -> `pkg/msg/Name`; other forms unchanged. */
export function canonicalTypeName(type: string): string {
  const t = parseTypeName(type);
  return t ? `${t.pkg}/${t.ns}/${t.name}` : type;
}

function distroFolder(distro: string | undefined): string {
  const wanted = join(msgdefsRoot, `ros2${distro ?? DEFAULT_DISTRO}`);
  return existsSync(wanted) ? wanted : join(msgdefsRoot, `ros2${DEFAULT_DISTRO}`);
}

/** The type's own .msg text (the msgdefs files append dependencies after a separator: cut them). */
function ownText(type: TypeName, folder: string): string | undefined {
  if (type.ns !== 'msg') return undefined;
  const file = join(folder, type.pkg, 'msg', `${type.name}.msg`);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const cut = text.search(new RegExp(`^${SEPARATOR}$`, 'm'));
  return `${(cut < 0 ? text : text.slice(0, cut)).trimEnd()}\n`;
}

/** Complex field types a definition refers to, qualified with `pkg` when written bare. */
export function definitionDependencies(text: string, pkg: string): string[] {
  const deps = new Set<string>();
  for (const line of text.split('\n')) {
    const m = FIELD_TYPE.exec(line);
    if (!m || PRIMITIVES.has(m[1])) continue;
    deps.add(m[1].includes('/') ? m[1] : `${pkg}/${m[1]}`);
  }
  return [...deps].sort();
}

/**
 * The full definition text of a type the way rosbag2 writes it into MCAP schemas: the type's own
 * text, then for each dependency (depth first, each once) a separator line, `MSG: pkg/Type`, and
 * its text. Undefined when the type or one of its dependencies is not in rosmsg-msgs-common.
 */
export function commonDefinitionText(type: string, distro?: string): string | undefined {
  return definitionTextWith(type, () => undefined, distro);
}

/**
 * Like commonDefinitionText, for types outside rosmsg-msgs-common too: `ownTextOf` gives the own
 * .msg text of such types (e.g. a package's msg/ folder) and undefined for the built-in ones.
 */
export function definitionTextWith(
  type: string,
  ownTextOf: (type: TypeName) => string | undefined,
  distro?: string,
): string | undefined {
  const folder = distroFolder(distro);
  const root = parseTypeName(type);
  if (!root) return undefined;
  const seen = new Set<string>();
  let missing = false;

  const append = (t: TypeName, depth: number): string => {
    if (depth > MAX_DEPTH) throw new BagError(`definition of ${type} nests deeper than ${MAX_DEPTH} levels`);
    const text = ownTextOf(t) ?? ownText(t, folder);
    if (text === undefined) {
      missing = true;
      return '';
    }
    let out = text;
    for (const dep of definitionDependencies(text, t.pkg)) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      out += `\n${SEPARATOR}\nMSG: ${dep}\n${append(parseTypeName(dep)!, depth + 1)}`;
    }
    return out;
  };

  const full = append(root, 0);
  return missing ? undefined : full;
}
