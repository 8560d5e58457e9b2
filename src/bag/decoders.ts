// Picks, for each topic, the message definition to decode it with: the bag's own (MCAP schema,
// sqlite message_definitions), else the ROS 2 definitions of rosmsg-msgs-common. A topic with
// neither (service events whose text holds `---`, unknown types, non-CDR encodings) is skipped
// with one warning instead of failing the whole bag.
import { parse } from '@foxglove/rosmsg';
import { MessageReader } from '@foxglove/rosmsg2-serialization';
import { commonDefinitionText } from './definitions.js';
import type { StorageTopic } from './storage.js';
import type { WarnOnce } from './warn-once.js';
import type { WarnFn } from './types.js';

/** CDR payloads are padded to 4 (sometimes 8) bytes; more unread bytes means a mismatched definition. */
const MAX_PADDING_BYTES = 7;

/** A decoder built from a ros2msg definition text; throws when the text cannot be parsed. */
export function readerForDefinition(text: string): MessageReader {
  return new MessageReader(parse(text, { ros2: true }));
}

function attempt(text: string | undefined): MessageReader | string {
  if (text === undefined) return 'the type is not among the built-in ROS 2 definitions';
  try {
    return readerForDefinition(text);
  } catch (err) {
    return (err as Error).message;
  }
}

function decodesCleanly(reader: MessageReader, data: Uint8Array): { message: unknown } | undefined {
  try {
    const message = reader.readMessage(data);
    return data.byteLength - reader.lastReadByteLength() <= MAX_PADDING_BYTES ? { message } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decodes one topic's messages. When the bag's own definition does not fit a payload (decoding
 * fails or leaves bytes unread) and the built-in definition fits it, switches to the built-in one.
 */
export class TopicDecoder {
  #reader: MessageReader;
  #fromBag: boolean;

  constructor(
    readonly topic: string,
    readonly type: string,
    reader: MessageReader,
    fromBag: boolean,
    private readonly distro: string | undefined,
    private readonly problems: WarnOnce,
  ) {
    this.#reader = reader;
    this.#fromBag = fromBag;
  }

  /** The decoded message, or undefined (reported once per topic) when it cannot be decoded. */
  decode(data: Uint8Array): { message: unknown } | undefined {
    let message: unknown;
    let failure: string | undefined;
    try {
      message = this.#reader.readMessage(data);
      if (data.byteLength - this.#reader.lastReadByteLength() > MAX_PADDING_BYTES) failure = 'trailing';
    } catch (err) {
      failure = (err as Error).message;
    }
    if (failure === undefined) return { message };

    if (this.#fromBag) {
      this.#fromBag = false; // try the built-in definition once per topic
      const builtin = attempt(commonDefinitionText(this.type, this.distro));
      const decoded = typeof builtin === 'string' ? undefined : decodesCleanly(builtin, data);
      if (decoded && typeof builtin !== 'string') {
        this.problems.report(
          `switch:${this.topic}`,
          `topic ${this.topic}: the bag's definition of ${this.type} does not match its messages; decoding with the built-in definition`,
        );
        this.#reader = builtin;
        return decoded;
      }
    }
    if (failure === 'trailing') {
      this.problems.report(
        `trailing:${this.topic}`,
        `topic ${this.topic}: messages are longer than the ${this.type} definition describes; decoded fields may be wrong`,
      );
      return { message };
    }
    this.problems.report(`decode:${this.topic}`, `topic ${this.topic}: a message cannot be decoded (${failure}); skipping such messages`);
    return undefined;
  }
}

/** The decoder for one topic, or undefined (after one warning) when the topic must be skipped. */
export function decoderForTopic(
  topic: StorageTopic,
  distro: string | undefined,
  warn: WarnFn,
  problems: WarnOnce,
): TopicDecoder | undefined {
  const skip = (why: string) => {
    warn(`skipping topic ${topic.name} (${topic.type || 'no type'}): ${why}`);
    return undefined;
  };
  if (topic.serializationFormat !== 'cdr') return skip(`serialization format "${topic.serializationFormat}" is not cdr`);

  let bagProblem: string | undefined;
  const own = topic.definition;
  if (own && own.text.trim() !== '') {
    if (own.encoding === 'ros2msg') {
      const reader = attempt(own.text);
      if (typeof reader !== 'string') return new TopicDecoder(topic.name, topic.type, reader, true, distro, problems);
      bagProblem = `its definition in the bag cannot be parsed (${reader})`;
    } else {
      bagProblem = `its definition in the bag is in unsupported encoding "${own.encoding}"`;
    }
  }

  const reader = attempt(commonDefinitionText(topic.type, distro));
  if (typeof reader === 'string') return skip(`${bagProblem ?? 'the bag carries no definition'}, and ${reader}`);
  if (bagProblem) warn(`topic ${topic.name} (${topic.type}): ${bagProblem}; decoding with the built-in definition`);
  return new TopicDecoder(topic.name, topic.type, reader, false, distro, problems);
}
