// Dot products against a few resident float32 vectors, in WebAssembly (128-bit SIMD), with exactly
// the arithmetic of vector.ts's `dot`: four float64 accumulators (element i goes to i mod 4, in
// order), a scalar tail into the first, summed ((s0 + s1) + s2) + s3. Every product of two float32
// values is exact in float64 and every add is one IEEE double add in both, so the results are bit
// for bit those of `dot`; only the speed differs (about 2.5x on 3072-D rows: no bounds checks, two
// lanes per instruction). Used for the lazy difference-matrix cells, the matcher's main cost.
//
// The module is small enough to write out here; the text form, with $a and $b byte addresses and
// $n the element count:
//   (func $dot (param $a i32) (param $b i32) (param $n i32) (result f64)
//     (local $end i32) (local $s01 v128) (local $s23 v128) (local $s0 f64)
//     $end = $a + (($n & ~3) << 2)
//     while $a < $end:                       ;; four elements per step
//       $s01 += promote_low(load64_zero $a)     * promote_low(load64_zero $b)
//       $s23 += promote_low(load64_zero $a + 8) * promote_low(load64_zero $b + 8)
//       $a += 16; $b += 16
//     $s0 = lane0($s01); $end += ($n & 3) << 2
//     while $a < $end: $s0 += f64(f32 $a) * f64(f32 $b); $a += 4; $b += 4
//     return (($s0 + lane1($s01)) + lane0($s23)) + lane1($s23))

/** Unsigned LEB128. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const bytesOf = (text: string): number[] => [...leb(text.length), ...[...text].map((c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

// Opcodes (WebAssembly core 2.0 and its fixed-width SIMD set).
const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const get = (local: number): number[] => [0x20, local];
const set = (local: number): number[] => [0x21, local];
const i32 = (value: number): number[] => [0x41, ...leb(value)]; // non-negative values below 64 only
const I32_ADD = 0x6a;
const I32_AND = 0x71;
const I32_SHL = 0x74;
const I32_LT_U = 0x49;
const F32_LOAD = [0x2a, 2, 0];
const F64_PROMOTE_F32 = 0xbb;
const F64_ADD = 0xa0;
const F64_MUL = 0xa2;
const simd = (op: number, ...immediates: number[]): number[] => [0xfd, ...leb(op), ...immediates];
const LOAD64_ZERO = (offset: number): number[] => simd(0x5d, 3, offset);
const PROMOTE_LOW = simd(0x5f);
const F64X2_ADD = simd(0xf0);
const F64X2_MUL = simd(0xf2);
const LANE = (lane: number): number[] => simd(0x21, lane);
/** `while (a < end) { body }` over locals a and end. */
const whileBelow = (a: number, end: number, body: number[]): number[] => [
  ...get(a), ...get(end), I32_LT_U, 0x04, 0x40, // if
  0x03, 0x40, ...body, ...get(a), ...get(end), I32_LT_U, 0x0d, 0, 0x0b, // loop ... br_if 0
  0x0b,
];

const [A, B, N, END, S01, S23, S0] = [0, 1, 2, 3, 4, 5, 6];
const advance = (step: number): number[] => [...get(A), ...i32(step), I32_ADD, ...set(A), ...get(B), ...i32(step), I32_ADD, ...set(B)];
const pairStep = (acc: number, offset: number): number[] => [
  ...get(acc),
  ...get(A), ...LOAD64_ZERO(offset), ...PROMOTE_LOW,
  ...get(B), ...LOAD64_ZERO(offset), ...PROMOTE_LOW,
  ...F64X2_MUL, ...F64X2_ADD, ...set(acc),
];
const DOT_BODY: number[] = [
  ...get(A), ...get(N), 0x41, 0x7c /* -4 */, I32_AND, ...i32(2), I32_SHL, I32_ADD, ...set(END),
  ...whileBelow(A, END, [...pairStep(S01, 0), ...pairStep(S23, 8), ...advance(16)]),
  ...get(S01), ...LANE(0), ...set(S0),
  ...get(END), ...get(N), ...i32(3), I32_AND, ...i32(2), I32_SHL, I32_ADD, ...set(END),
  ...whileBelow(A, END, [
    ...get(S0), ...get(A), ...F32_LOAD, F64_PROMOTE_F32, ...get(B), ...F32_LOAD, F64_PROMOTE_F32, F64_MUL, F64_ADD, ...set(S0),
    ...advance(4),
  ]),
  ...get(S0), ...get(S01), ...LANE(1), F64_ADD, ...get(S23), ...LANE(0), F64_ADD, ...get(S23), ...LANE(1), F64_ADD,
  0x0b,
];
const LOCALS = [...leb(3), 1, I32, 2, V128, 1, F64];
const FUNCTION = [...LOCALS, ...DOT_BODY];

const MODULE_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  ...section(1, [1, 0x60, 3, I32, I32, I32, 1, F64]), // type: (i32, i32, i32) -> f64
  ...section(2, [1, ...bytesOf('env'), ...bytesOf('memory'), 0x02, 0x00, 1]), // import env.memory, min 1 page
  ...section(3, [1, 0]), // one function of type 0
  ...section(7, [1, ...bytesOf('dot'), 0x00, 0]), // export it as "dot"
  ...section(10, [1, ...leb(FUNCTION.length), ...FUNCTION]),
]);

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where this runtime has no WebAssembly SIMD (then callers use `dot`). */
function dotModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(MODULE_BYTES);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const PAGE_BYTES = 65536;

/**
 * `slots` vectors of `dim` float32 values kept in WebAssembly memory (write them through
 * `vectors`), and dot products of any float32 row against one of them.
 */
export class ResidentDot {
  /** The resident vectors: slot s is vectors[s * dim .. (s + 1) * dim). */
  readonly vectors: Float32Array;
  /** Where a row is copied before each product (after the slots). */
  private readonly scratch: Float32Array;

  private constructor(
    private readonly run: (a: number, b: number, n: number) => number,
    memory: WebAssembly.Memory,
    readonly slots: number,
    readonly dim: number,
  ) {
    this.vectors = new Float32Array(memory.buffer, 0, slots * dim);
    this.scratch = new Float32Array(memory.buffer, slots * dim * 4, dim);
  }

  /** Null where WebAssembly SIMD is unavailable. */
  static create(slots: number, dim: number): ResidentDot | null {
    const module = dotModule();
    if (!module) return null;
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(((slots + 1) * dim * 4) / PAGE_BYTES)) });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const run = instance.exports.dot as (a: number, b: number, n: number) => number;
    return new ResidentDot(run, memory, slots, dim);
  }

  /** dot(rows[offset .. offset + dim), slot `slot`), bit for bit as vector.ts's `dot` computes it. */
  dot(rows: Float32Array, offset: number, slot: number): number {
    const dim = this.dim;
    this.scratch.set(rows.subarray(offset, offset + dim));
    return this.run(this.scratch.byteOffset, slot * dim * 4, dim);
  }
}
