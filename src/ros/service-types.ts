// Requests and responses of the services seqvpr_node offers, as CDR: the fake transport sends
// every service call through these both ways, as rclnodejs does (lib/service.js processRequest
// deserialises the request, Response.send serialises the reply), so a handler that reads a field
// the request does not have, or answers one the response does not have, fails in the tests.
// seqvpr's own services come from the package's srv/ folder; the standard ones are written out
// below from their .srv files (they are not in @foxglove/rosmsg-msgs-common, which has messages only).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definitionTextWith, parseTypeName, type TypeName } from '../bag/definitions.js';
import { packageRoot } from '../core/package-root.js';
import { PACKAGE_NAME, RosMessageError } from './message-types.js';
import { codecFromText, deserializeWith, serializeWith, type Codec } from './cdr.js';

/**
 * rosidl gives an empty request or response this one member (rosidl_parser definition.py
 * EMPTY_STRUCTURE_REQUIRED_MEMBER_NAME), so it is what goes on the wire.
 */
const EMPTY = 'uint8 structure_needs_at_least_one_member';

/** Standard .srv files (std_srvs, lifecycle_msgs in ROS 2 Jazzy): request, response. */
const STANDARD_SERVICES: Record<string, [string, string]> = {
  'std_srvs/srv/Trigger': [EMPTY, 'bool success\nstring message'],
  'lifecycle_msgs/srv/ChangeState': ['Transition transition', 'bool success'],
  'lifecycle_msgs/srv/GetState': [EMPTY, 'State current_state'],
  'lifecycle_msgs/srv/GetAvailableStates': [EMPTY, 'State[] available_states'],
  'lifecycle_msgs/srv/GetAvailableTransitions': [EMPTY, 'TransitionDescription[] available_transitions'],
};

export type ServicePart = 'request' | 'response';

/** The two halves of a .srv file (comments kept: the parser skips them). */
function serviceHalves(type: TypeName): [string, string] {
  const key = `${type.pkg}/srv/${type.name}`;
  if (STANDARD_SERVICES[key]) return STANDARD_SERVICES[key];
  if (type.pkg !== PACKAGE_NAME) throw new RosMessageError(`no definition for the service type ${key}`);
  const file = join(packageRoot(), 'srv', `${type.name}.srv`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RosMessageError(`${key} has no definition file ${file}`, { cause: err });
  }
  const [request, response, ...rest] = text.split(/^---\s*$/m);
  if (response === undefined || rest.length) throw new RosMessageError(`${file} must have one --- line between request and response`);
  const part = (t: string) => (t.split('\n').some((l) => /^\s*[A-Za-z]/.test(l)) ? t.trim() : EMPTY);
  return [part(request), part(response)];
}

function serviceCodec(type: string, part: ServicePart): { codec: Codec; name: string } {
  const t = parseTypeName(type);
  if (!t || t.ns !== 'srv') throw new RosMessageError(`service type "${type}" must be package/srv/Name`);
  const name = `${t.pkg}/srv/${t.name}_${part === 'request' ? 'Request' : 'Response'}`;
  const codec = codecFromText(name, () => {
    const own = serviceHalves(t)[part === 'request' ? 0 : 1];
    const text = definitionTextWith(name, (x) => (x.ns === 'srv' ? `${own}\n` : undefined));
    if (text === undefined) throw new RosMessageError(`${name} uses a type without a known definition`);
    return text;
  });
  return { codec, name };
}

export function serializeService(type: string, part: ServicePart, message: Record<string, unknown>): Uint8Array {
  const { codec, name } = serviceCodec(type, part);
  return serializeWith(codec, name, message);
}

export function deserializeService(type: string, part: ServicePart, bytes: Uint8Array): Record<string, unknown> {
  const { codec, name } = serviceCodec(type, part);
  return deserializeWith(codec, name, bytes);
}

/** A request or response as the other side receives it: serialised, then read back. */
export function throughTheWire(type: string, part: ServicePart, message: Record<string, unknown>): Record<string, unknown> {
  return deserializeService(type, part, serializeService(type, part, message));
}
