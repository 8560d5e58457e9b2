// The full definition text of a message type, as rosbag2 stores it in MCAP schemas: seqvpr's own
// types read from the package's msg/ folder (so what the node publishes, what a bag records and
// what `colcon build` generates share one source), the rest from the ROS 2 (Jazzy) set.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalTypeName, definitionTextWith, type TypeName } from '../bag/definitions.js';
import { packageRoot } from '../core/package-root.js';
import { PACKAGE_NAME, PLACE_MATCH_TYPE, RosMessageError } from './message-types.js';

/** Own .msg text of a seqvpr type, read from the package's msg/ folder. */
function packageMessageText(type: TypeName): string | undefined {
  if (type.pkg !== PACKAGE_NAME) return undefined;
  const file = join(packageRoot(), type.ns, `${type.name}.msg`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RosMessageError(`${type.pkg}/${type.ns}/${type.name} has no definition file ${file}`, { cause: err });
  }
  return `${text.trimEnd()}\n`;
}

/**
 * The full ros2msg text of `type` with its dependencies (`====` / `MSG: pkg/Type` blocks), as
 * rosbag2 stores it in MCAP schemas. seqvpr types from msg/, the rest from the ROS 2 (Jazzy) set.
 */
export function messageDefinitionText(type: string): string {
  const canonical = canonicalTypeName(type);
  const text = definitionTextWith(canonical, packageMessageText);
  if (text === undefined) {
    throw new RosMessageError(`no message definition for ${type} (or one of its fields' types): use a seqvpr or standard ROS 2 message type such as ${PLACE_MATCH_TYPE}`);
  }
  return text;
}
