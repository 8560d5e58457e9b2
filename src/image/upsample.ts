// Enlargement by a power-of-two factor in each axis that gives the same bytes as sharp's resize.
// Why not sharp: for a small image (nordland's 64x32 to the CNN's 256x128) libvips spends about
// 1.8 ms of CPU per call on the enlargement (measured), while the arithmetic is a few hundred
// thousand integer multiply-adds.
//
// What sharp does there (libvips 8.18 `vips_resize` when both scales are > 1): `vips_affine` with
// the bicubic (Catmull-Rom) interpolator on 8-bit pixels, edges extended by copying, the input
// displaced by half a pixel (see axisTaps). The interpolator is 12-bit fixed point: four taps per row, each row sum rounded, then
// four rows, rounded and clipped to 0..255; its coefficients come from a table of 65 sub-pixel
// positions. Both passes are done here separably with the same integers, so every byte matches
// (`test/image/upsample.test.ts` compares with sharp). With a power-of-two factor every sample
// position is a dyadic fraction, exact in floating point, so no rounding of positions can differ;
// other factors are left to sharp.
import type { Pixels } from './pixels.js';
import { RECORD_BYTES, VerticalPass } from './upsample-wasm.js';

/** libvips' sub-pixel positions per pixel (VIPS_TRANSFORM_SCALE) and fixed-point bits (VIPS_INTERPOLATE_SHIFT). */
const SUBPIXELS = 64;
const FIXED_SHIFT = 12;
const FIXED_ONE = 1 << FIXED_SHIFT;
const FIXED_HALF = FIXED_ONE >> 1;

/** Catmull-Rom weights of the four taps at fraction t, as libvips evaluates them. */
function catmullRom(t: number): [number, number, number, number] {
  const a = 1 - t;
  const b = -0.5 * t;
  const ab = a * b;
  const w0 = a * ab;
  const w3 = t * ab;
  const d = w3 - w0;
  return [w0, a - w0 + d, t - w3 - d, w3];
}

/** Fixed-point weights per sub-pixel position 0..SUBPIXELS (C's double -> int truncates). */
const WEIGHTS: readonly Int32Array[] = Array.from({ length: SUBPIXELS + 1 }, (_, s) =>
  Int32Array.from(catmullRom(Math.fround(s / SUBPIXELS)), (w) => Math.trunc(w * FIXED_ONE)),
);

/** True for 2, 4, 8, ...: the enlargements this module reproduces exactly. */
function isPowerOfTwoFactor(factor: number): boolean {
  return Number.isInteger(factor) && factor >= 2 && (factor & (factor - 1)) === 0;
}

/** Whether `upsample` can take `from` to `to` pixels (an exact power-of-two enlargement in both axes). */
export function canUpsample(from: { width: number; height: number }, to: { width: number; height: number }): boolean {
  return isPowerOfTwoFactor(to.width / from.width) && isPowerOfTwoFactor(to.height / from.height);
}

/** Per output coordinate of one axis: four source indices and their fixed-point weights. */
interface Taps {
  index: Int32Array;
  weight: Int32Array;
}

/**
 * For each output coordinate along one axis: the four source indices (edges copied) and the table
 * row of weights. The sample position is libvips 8.18's: o / factor - 0.5 in source pixels (its
 * input displacement of half a pixel; later libvips versions sample at output pixel centres, and the
 * test against sharp then fails), held in its window space (offset 2: one pixel of stencil, one of
 * border) and read as an integer part plus a sub-pixel index rounded to the nearest of SUBPIXELS.
 */
function axisTaps(size: number, outSize: number): Taps {
  const inverse = size / outSize;
  const index = new Int32Array(outSize * 4);
  const weight = new Int32Array(outSize * 4);
  for (let o = 0; o < outSize; o++) {
    const windowPos = o * inverse + 1.5;
    const whole = Math.trunc(windowPos);
    const sub = ((Math.trunc(windowPos * SUBPIXELS * 2) & (SUBPIXELS * 2 - 1)) + 1) >> 1;
    const w = WEIGHTS[sub];
    for (let k = 0; k < 4; k++) {
      index[o * 4 + k] = Math.min(size - 1, Math.max(0, whole - 3 + k));
      weight[o * 4 + k] = w[k];
    }
  }
  return { index, weight };
}

/**
 * Horizontal pass into `sums` (one row of width * channels values per source row): each tap sum
 * rounded, as the interpolator rounds it. Math.imul: every product and sum fits in int32 (taps
 * below 2^13, sums below 2^23).
 */
function horizontalPass(px: Pixels, width: number, xs: Taps, sums: Int32Array): void {
  const c = px.channels;
  const src = px.data;
  const { index, weight } = xs;
  const rowStride = px.width * c;
  for (let y = 0; y < px.height; y++) {
    const inRow = y * rowStride;
    let out = y * width * c;
    for (let x = 0; x < width; x++) {
      const t = x * 4;
      const i0 = inRow + index[t] * c;
      const i1 = inRow + index[t + 1] * c;
      const i2 = inRow + index[t + 2] * c;
      const i3 = inRow + index[t + 3] * c;
      const w0 = weight[t];
      const w1 = weight[t + 1];
      const w2 = weight[t + 2];
      const w3 = weight[t + 3];
      for (let b = 0; b < c; b++) {
        sums[out++] = (Math.imul(w0, src[i0 + b]) + Math.imul(w1, src[i1 + b]) + Math.imul(w2, src[i2 + b]) + Math.imul(w3, src[i3 + b]) + FIXED_HALF) >> FIXED_SHIFT;
      }
    }
  }
}

/** Vertical pass over the rounded row sums (n values per row), clipped to a byte: the JS fallback of upsample-wasm.ts. */
function verticalPassJs(sums: Int32Array, n: number, ys: Taps, height: number): Uint8Array {
  const { index, weight } = ys;
  const data = new Uint8Array(n * height);
  for (let y = 0; y < height; y++) {
    const t = y * 4;
    const r0 = index[t] * n;
    const r1 = index[t + 1] * n;
    const r2 = index[t + 2] * n;
    const r3 = index[t + 3] * n;
    const w0 = weight[t];
    const w1 = weight[t + 1];
    const w2 = weight[t + 2];
    const w3 = weight[t + 3];
    const out = y * n;
    for (let i = 0; i < n; i++) {
      const v = (Math.imul(w0, sums[r0 + i]) + Math.imul(w1, sums[r1 + i]) + Math.imul(w2, sums[r2 + i]) + Math.imul(w3, sums[r3 + i]) + FIXED_HALF) >> FIXED_SHIFT;
      data[out + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return data;
}

/** This thread's WebAssembly vertical pass; null where WebAssembly SIMD is missing. */
let wasmPass: VerticalPass | null | undefined;

/** Both passes with the vertical one in WebAssembly memory (row sums written there directly). */
function upsampleInWasm(pass: VerticalPass, px: Pixels, width: number, height: number, xs: Taps, ys: Taps): Uint8Array {
  const n = width * px.channels;
  const { records, sums, out } = pass.prepare(height, px.height * n, height * n);
  horizontalPass(px, width, xs, sums);
  const fields = RECORD_BYTES / 4;
  for (let y = 0; y < height; y++) {
    for (let k = 0; k < 4; k++) {
      records[y * fields + k] = sums.byteOffset + ys.index[y * 4 + k] * n * 4;
      records[y * fields + 4 + k] = ys.weight[y * 4 + k];
    }
    records[y * fields + 8] = out.byteOffset + y * n;
  }
  pass.apply(height, n);
  return out.slice();
}

/**
 * `px` enlarged to width x height; the caller checks `canUpsample` (RangeError otherwise).
 * `webAssembly: false` forces the JS vertical pass (what runs where WebAssembly SIMD is missing).
 */
export function upsample(px: Pixels, width: number, height: number, options: { webAssembly?: boolean } = {}): Pixels {
  if (!canUpsample(px, { width, height })) {
    throw new RangeError(`upsample takes power-of-two enlargements only, not ${px.width}x${px.height} to ${width}x${height}`);
  }
  const xs = axisTaps(px.width, width);
  const ys = axisTaps(px.height, height);
  if (wasmPass === undefined) wasmPass = VerticalPass.create();
  const pass = options.webAssembly === false ? null : wasmPass;
  if (pass) return { width, height, channels: px.channels, data: upsampleInWasm(pass, px, width, height, xs, ys) };
  const n = width * px.channels;
  const sums = new Int32Array(px.height * n);
  horizontalPass(px, width, xs, sums);
  return { width, height, channels: px.channels, data: verticalPassJs(sums, n, ys, height) };
}
