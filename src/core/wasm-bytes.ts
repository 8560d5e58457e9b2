// The few pieces needed to write a small WebAssembly module out as bytes in TypeScript: LEB128
// numbers, sections, the opcodes our kernels use, and a `while` loop. Kernels that must give
// exactly the arithmetic of their JS versions are written this way (wasm-dot.ts, image/upsample-wasm.ts)
// instead of shipping a compiled binary or a compiler.

/** Unsigned LEB128. */
export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer (i32.const immediates). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

export const bytesOf = (text: string): number[] => [...leb(text.length), ...[...text].map((c) => c.charCodeAt(0))];
export const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

// Value types and opcodes (WebAssembly core 2.0 and its fixed-width SIMD set).
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;
export const get = (local: number): number[] => [0x20, ...leb(local)];
export const set = (local: number): number[] => [0x21, ...leb(local)];
export const i32 = (value: number): number[] => [0x41, ...sleb(value)];
export const I32_ADD = 0x6a;
export const I32_AND = 0x71;
export const I32_SHL = 0x74;
export const I32_MUL = 0x6c;
export const I32_LT_U = 0x49;
/** i32.load with alignment 4 and a constant byte offset. */
export const I32_LOAD = (offset: number): number[] => [0x28, 2, ...leb(offset)];
export const simd = (op: number, ...immediates: number[]): number[] => [0xfd, ...leb(op), ...immediates];
/** `while (a < end) { body }` over locals a and end. */
export const whileBelow = (a: number, end: number, body: number[]): number[] => [
  ...get(a), ...get(end), I32_LT_U, 0x04, 0x40, // if
  0x03, 0x40, ...body, ...get(a), ...get(end), I32_LT_U, 0x0d, 0, 0x0b, // loop ... br_if 0
  0x0b,
];
/** local += step (step: the instructions that push it). */
export const addTo = (local: number, step: number[]): number[] => [...get(local), ...step, I32_ADD, ...set(local)];

export const PAGE_BYTES = 65536;
export const pagesFor = (bytes: number): number => Math.max(1, Math.ceil(bytes / PAGE_BYTES));

/** A compiled module, or null where this runtime lacks what it uses (WebAssembly SIMD). */
export function compileOrNull(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module | null {
  try {
    return new WebAssembly.Module(bytes);
  } catch {
    return null;
  }
}
