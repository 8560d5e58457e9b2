// Dot products against a few resident float32 vectors, in WebAssembly (128-bit SIMD), with exactly
// the arithmetic of vector.ts's `dot`: four float64 accumulators (element i goes to i mod 4, in
// order), a scalar tail into the first, summed ((s0 + s1) + s2) + s3. Every product of two float32
// values is exact in float64 and every add is one IEEE double add in both, so the results are bit
// for bit those of `dot`; only the speed differs (about 2.5x on 3072-D rows: no bounds checks, two
// lanes per instruction). Used for the lazy difference-matrix cells, the matcher's main cost, and
// (a second function, `block`, one vector against a rectangle of others) for the patch matcher.
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
//   (func $block (param $a i32) (param $b i32) (param $n i32) (param $count i32) (param $rows i32)
//                (param $stride i32) (param $out i32)        ;; $stride and $out in bytes too
//     (local $bEnd i32) (local $p i32) (local $rowEnd i32) (local $vec i32)
//     $vec = $n << 2; $bEnd = $b + $rows * $stride
//     while $b < $bEnd:                      ;; one row of the rectangle
//       $p = $b; $rowEnd = $b + $count * $vec
//       while $p < $rowEnd: f64.store $out (call $dot $a $p $n); $out += 8; $p += $vec
//       $b += $stride

import { dot } from './vector.js';
import {
  addTo, bytesOf, compileOrNull, F64, get, I32, I32_ADD, I32_AND, I32_MUL, I32_SHL, i32, leb, pagesFor, section, set, simd, V128, whileBelow,
} from './wasm-bytes.js';

const F32_LOAD = [0x2a, 2, 0];
const F64_PROMOTE_F32 = 0xbb;
const F64_ADD = 0xa0;
const F64_MUL = 0xa2;
const F64_STORE = [0x39, 3, 0];
const CALL = (fn: number): number[] => [0x10, ...leb(fn)];
const LOAD64_ZERO = (offset: number): number[] => simd(0x5d, 3, offset);
const PROMOTE_LOW = simd(0x5f);
const F64X2_ADD = simd(0xf0);
const F64X2_MUL = simd(0xf2);
const LANE = (lane: number): number[] => simd(0x21, lane);
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
const DOT_FUNCTION = [...leb(3), 1, I32, 2, V128, 1, F64, ...DOT_BODY];

const [BA, BB, BN, COUNT, ROWS, STRIDE, OUT, B_END, P, ROW_END, VEC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const BLOCK_BODY: number[] = [
  ...get(BN), ...i32(2), I32_SHL, ...set(VEC),
  ...get(BB), ...get(ROWS), ...get(STRIDE), I32_MUL, I32_ADD, ...set(B_END),
  ...whileBelow(BB, B_END, [
    ...get(BB), ...set(P),
    ...get(BB), ...get(COUNT), ...get(VEC), I32_MUL, I32_ADD, ...set(ROW_END),
    ...whileBelow(P, ROW_END, [
      ...get(OUT), ...get(BA), ...get(P), ...get(BN), ...CALL(0), ...F64_STORE,
      ...addTo(OUT, i32(8)),
      ...addTo(P, get(VEC)),
    ]),
    ...addTo(BB, get(STRIDE)),
  ]),
  0x0b,
];
const BLOCK_FUNCTION = [...leb(1), 4, I32, ...BLOCK_BODY];

const MODULE_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  // types: 0 = (i32, i32, i32) -> f64 (dot), 1 = (i32 x 7) -> () (block)
  ...section(1, [2, 0x60, 3, I32, I32, I32, 1, F64, 0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0]),
  ...section(2, [1, ...bytesOf('env'), ...bytesOf('memory'), 0x02, 0x00, 1]), // import env.memory, min 1 page
  ...section(3, [2, 0, 1]), // function 0 of type 0, function 1 of type 1
  ...section(7, [2, ...bytesOf('dot'), 0x00, 0, ...bytesOf('block'), 0x00, 1]),
  ...section(10, [2, ...leb(DOT_FUNCTION.length), ...DOT_FUNCTION, ...leb(BLOCK_FUNCTION.length), ...BLOCK_FUNCTION]),
]);

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where this runtime has no WebAssembly SIMD (then callers use `dot`). */
function dotModule(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileOrNull(MODULE_BYTES);
  return compiled;
}

interface Exports {
  dot(a: number, b: number, n: number): number;
  block(a: number, b: number, n: number, count: number, rows: number, stride: number, out: number): void;
}

function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): Exports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
}

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
    const memory = new WebAssembly.Memory({ initial: pagesFor((slots + 1) * dim * 4) });
    return new ResidentDot(instantiate(module, memory).dot, memory, slots, dim);
  }

  /** dot(rows[offset .. offset + dim), slot `slot`), bit for bit as vector.ts's `dot` computes it. */
  dot(rows: Float32Array, offset: number, slot: number): number {
    const dim = this.dim;
    this.scratch.set(rows.subarray(offset, offset + dim));
    return this.run(this.scratch.byteOffset, slot * dim * 4, dim);
  }
}

/**
 * Two sets of `dim`-value float32 vectors, A and B, and rectangles of their dot products: one vector
 * of A against `rows` runs of `count` consecutive vectors of B, the runs `stride` vectors apart (a
 * search window on a row-major grid). Each product is bit for bit vector.ts's `dot`, in WebAssembly
 * where the runtime has SIMD, else through `dot` itself.
 */
export class DotBlocks {
  private memory: WebAssembly.Memory | null = null;
  private a: Float32Array = new Float32Array(0);
  private b: Float32Array = new Float32Array(0);
  private out = new Float64Array(0);
  private dim = 0;

  private constructor(private readonly exports: Exports | null) {}

  /** `webAssembly: false` forces the plain `dot` path (what runs where WebAssembly SIMD is missing). */
  static create(webAssembly = true): DotBlocks {
    const module = webAssembly ? dotModule() : null;
    if (!module) return new DotBlocks(null);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const blocks = new DotBlocks(instantiate(module, memory));
    blocks.memory = memory;
    return blocks;
  }

  /** Makes `a` and `b` the two sets (copied into WebAssembly memory, which grows as needed). */
  load(a: Float32Array, b: Float32Array, dim: number): void {
    this.dim = dim;
    const products = dim > 0 ? b.length / dim : 0; // the most a block can hold
    const memory = this.memory;
    if (!memory) {
      this.a = a;
      this.b = b;
      if (this.out.length < products) this.out = new Float64Array(products);
      return;
    }
    const outAt = Math.ceil(((a.length + b.length) * 4) / 8) * 8;
    const bytes = outAt + products * 8;
    if (memory.buffer.byteLength < bytes) memory.grow(pagesFor(bytes - memory.buffer.byteLength));
    // New views on every load: growing detaches the old buffer.
    this.a = new Float32Array(memory.buffer, 0, a.length);
    this.b = new Float32Array(memory.buffer, a.length * 4, b.length);
    this.out = new Float64Array(memory.buffer, outAt, products);
    this.a.set(a);
    this.b.set(b);
  }

  /**
   * out[r * count + c] = dot(A[i], B[first + r * stride + c]) for r < rows, c < count. The returned
   * array is reused by the next call.
   */
  block(i: number, first: number, count: number, rows: number, stride: number): Float64Array {
    const { dim, exports } = this;
    if (exports) {
      exports.block(this.a.byteOffset + i * dim * 4, this.b.byteOffset + first * dim * 4, dim, count, rows, stride * dim * 4, this.out.byteOffset);
      return this.out;
    }
    for (let r = 0, k = 0; r < rows; r++) {
      for (let c = 0; c < count; c++) this.out[k++] = dot(this.a, this.b, dim, i * dim, (first + r * stride + c) * dim);
    }
    return this.out;
  }
}

let shared: DotBlocks | undefined;

/**
 * One DotBlocks per thread for synchronous callers (the patch matcher, the along-track cells): a
 * caller loads its sets and reads its blocks without yielding, so calls never interleave.
 */
export function sharedDotBlocks(): DotBlocks {
  return (shared ??= DotBlocks.create());
}
