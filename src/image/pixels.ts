// The in-memory form every decoded image takes before sharp resizes it: 8-bit, packed (no row
// padding), grey or RGB. Alpha is dropped on purpose: place recognition never uses it.

export interface Pixels {
  width: number;
  height: number;
  /** 1 = grey, 3 = RGB (in that order). */
  channels: 1 | 3;
  /** width * height * channels bytes, row-major, no padding. */
  data: Uint8Array;
}
