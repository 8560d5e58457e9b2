// Checks a message object against its parsed definition before serialisation. The CDR writer
// silently writes defaults for misspelt or mistyped fields (an image written as `pixels` instead
// of `data` would be recorded empty), so the writer refuses them with the field's path instead.
import type { parse } from '@foxglove/rosmsg';
import { BagError } from '../core/errors.js';

type Definition = ReturnType<typeof parse>[number];
type Field = Definition['definitions'][number];

const INTEGER_TYPES = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'byte', 'char']);

export class MessageShapeChecker {
  readonly #byName: Map<string, Definition>;

  constructor(
    private readonly type: string,
    private readonly definitions: readonly Definition[],
  ) {
    this.#byName = new Map(definitions.filter((d) => d.name).map((d) => [d.name!, d]));
  }

  /** Throws BagError naming the first field that cannot be what the definition says. */
  check(message: unknown): void {
    this.#object(this.definitions[0], message, '');
  }

  #fail(path: string, detail: string): never {
    throw new BagError(`${path || 'message'} ${detail}`);
  }

  #object(def: Definition, value: unknown, path: string): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
      this.#fail(path, `must be an object with the fields of ${def.name ?? this.type}`);
    }
    const fields = def.definitions.filter((f) => !f.isConstant);
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!fields.some((f) => f.name === key)) {
        this.#fail(path ? `${path}.${key}` : key, `is not a field of ${def.name ?? this.type} (fields: ${fields.map((f) => f.name).join(', ')})`);
      }
    }
    for (const field of fields) {
      const v = record[field.name];
      if (v !== undefined) this.#field(field, v, path ? `${path}.${field.name}` : field.name);
    }
  }

  #field(field: Field, value: unknown, path: string): void {
    if (!field.isArray) {
      this.#single(field, value, path);
      return;
    }
    const isTyped = ArrayBuffer.isView(value) && !(value instanceof DataView);
    if (!Array.isArray(value) && !isTyped) this.#fail(path, 'must be an array');
    const items = value as ArrayLike<unknown>;
    if (field.arrayLength !== undefined && items.length !== field.arrayLength) {
      this.#fail(path, `must have exactly ${field.arrayLength} elements (has ${items.length})`);
    }
    if (field.arrayUpperBound !== undefined && items.length > field.arrayUpperBound) {
      this.#fail(path, `may have at most ${field.arrayUpperBound} elements (has ${items.length})`);
    }
    if (isTyped) return; // typed arrays carry numbers by construction
    for (let i = 0; i < items.length; i++) this.#single(field, items[i], `${path}[${i}]`);
  }

  #single(field: Field, value: unknown, path: string): void {
    if (field.isComplex) {
      const def = this.#byName.get(field.type);
      if (!def) this.#fail(path, `has type ${field.type}, which the definition does not include`);
      this.#object(def, value, path);
      return;
    }
    const t = field.type;
    const ok =
      t === 'string' || t === 'wstring'
        ? typeof value === 'string'
        : t === 'bool'
          ? typeof value === 'boolean' || value === 0 || value === 1
          : t === 'float32' || t === 'float64'
            ? typeof value === 'number'
            : t === 'int64' || t === 'uint64'
              ? typeof value === 'bigint' || Number.isInteger(value)
              : INTEGER_TYPES.has(t)
                ? Number.isInteger(value)
                : t === 'time' || t === 'duration'
                  ? isTime(value)
                  : true;
    if (!ok) this.#fail(path, `must be a ${t === 'time' || t === 'duration' ? '{sec, nanosec}' : t} (got ${describe(value)})`);
  }
}

function isTime(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as { sec?: unknown; nanosec?: unknown; nsec?: unknown };
  return Number.isInteger(t.sec) && (Number.isInteger(t.nanosec) || Number.isInteger(t.nsec));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' ? 'an object' : String(value);
}
