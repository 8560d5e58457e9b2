// Byte arrays at the rclnodejs boundary. rclnodejs 2.2.0 writes a typed-array field from the start
// of its underlying ArrayBuffer, `length` elements long, whatever the view's byteOffset
// (rosidl_gen/templates/message-template.cjs, the array wrapper's freeze():
// `Buffer.from(new Uint8Array(this._wrappers.buffer))`). A view into a larger buffer (a bag record,
// a subarray, a Node Buffer from the pool) is therefore sent as the wrong bytes: a PNG read from an
// MCAP record went out starting with the record's CDR header. The adapter hands rclnodejs
// exact-size copies; the model of what rclnodejs sends is here too, for the tests.

type TypedArray = Exclude<ArrayBufferView, DataView>;

const isTypedArray = (v: unknown): v is TypedArray => ArrayBuffer.isView(v) && !(v instanceof DataView);

/** Whether the view covers its whole buffer (what rclnodejs 2.2.0 assumes). */
function coversBuffer(v: TypedArray): boolean {
  return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength;
}

/** Maps every typed array in a message (nested objects and arrays too); returns `message` itself when none changed. */
function mapTypedArrays<T>(message: T, f: (v: TypedArray) => TypedArray): T {
  if (isTypedArray(message)) return f(message) as T;
  if (Array.isArray(message)) {
    let changed = false;
    const out = message.map((item) => {
      const m = mapTypedArrays(item, f);
      changed ||= m !== item;
      return m;
    });
    return (changed ? out : message) as T;
  }
  if (typeof message === 'object' && message !== null && Object.getPrototypeOf(message) === Object.prototype) {
    let out: Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(message)) {
      const m = mapTypedArrays(value, f);
      if (m !== value) (out ??= { ...(message as Record<string, unknown>) })[key] = m;
    }
    return (out ?? message) as T;
  }
  return message;
}

/** The message with every typed-array view that does not cover its buffer replaced by an exact copy. */
export function exactByteArrays<T>(message: T): T {
  return mapTypedArrays(message, (v) => (coversBuffer(v) ? v : ((v as Uint8Array).slice() as TypedArray)));
}

/** What rclnodejs 2.2.0 puts on the wire for each typed array: `length` elements from the buffer's start. */
export function asRclnodejsSendsIt<T>(message: T): T {
  return mapTypedArrays(message, (v) => {
    if (coversBuffer(v)) return v;
    const Ctor = v.constructor as new (buffer: ArrayBufferLike, offset: number, length: number) => TypedArray;
    return new Ctor(v.buffer, 0, (v as unknown as { length: number }).length);
  });
}
