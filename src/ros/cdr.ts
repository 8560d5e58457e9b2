// Messages as CDR bytes and back, checked against their definitions: the bytes rclnodejs puts on
// the wire and bags record.
import { parse } from '@foxglove/rosmsg';
import { MessageReader, MessageWriter } from '@foxglove/rosmsg2-serialization';
import { canonicalTypeName } from '../bag/definitions.js';
import { MessageShapeChecker } from '../bag/validate.js';
import { RosMessageError } from './message-types.js';
import { messageDefinitionText } from './msg-definitions.js';

/** CDR payloads are padded to 4 (sometimes 8) bytes; more unread bytes means a mismatched type. */
const MAX_PADDING_BYTES = 7;

export interface Codec {
  checker: MessageShapeChecker;
  writer: MessageWriter;
  reader: MessageReader;
}

const codecs = new Map<string, Codec>();

/** The codec of `type` (canonical name) from its full definition text (cached by name). */
export function codecFromText(canonical: string, text: () => string): Codec {
  let codec = codecs.get(canonical);
  if (!codec) {
    try {
      const definitions = parse(text(), { ros2: true });
      codec = {
        checker: new MessageShapeChecker(canonical, definitions),
        writer: new MessageWriter(definitions),
        reader: new MessageReader(definitions),
      };
    } catch (err) {
      if (err instanceof RosMessageError) throw err;
      throw new RosMessageError(`definition of ${canonical} cannot be parsed: ${(err as Error).message}`, { cause: err });
    }
    codecs.set(canonical, codec);
  }
  return codec;
}

function codecFor(type: string): Codec {
  const canonical = canonicalTypeName(type);
  return codecFromText(canonical, () => messageDefinitionText(canonical));
}

/**
 * CDR bytes of `message` (the same bytes rclnodejs puts on the wire and bags record). Strict:
 * a field the type does not have, or a value of the wrong type, throws RosMessageError naming it
 * (the CDR writer alone would silently write a default instead).
 */
export function serializeMessage(type: string, message: Record<string, unknown>): Uint8Array {
  return serializeWith(codecFor(type), canonicalTypeName(type), message);
}

/** The message in CDR `bytes`; throws RosMessageError when they are not a `type`. */
export function deserializeMessage(type: string, bytes: Uint8Array): Record<string, unknown> {
  return deserializeWith(codecFor(type), canonicalTypeName(type), bytes);
}

export function serializeWith(codec: Codec, canonical: string, message: Record<string, unknown>): Uint8Array {
  try {
    codec.checker.check(message);
    return codec.writer.writeMessage(message);
  } catch (err) {
    throw new RosMessageError(`message does not fit ${canonical}: ${(err as Error).message}`, { cause: err });
  }
}

export function deserializeWith(codec: Codec, canonical: string, bytes: Uint8Array): Record<string, unknown> {
  let message: Record<string, unknown>;
  try {
    message = codec.reader.readMessage<Record<string, unknown>>(bytes);
  } catch (err) {
    throw new RosMessageError(`bytes are not a ${canonical}: ${(err as Error).message}`, { cause: err });
  }
  const unread = bytes.byteLength - codec.reader.lastReadByteLength();
  if (unread > MAX_PADDING_BYTES) {
    throw new RosMessageError(`bytes are not a ${canonical}: ${unread} bytes left after the message`);
  }
  return message;
}
