// What a PNG's chunks before its pixel data say: size, bit depth, colour type, and whether it
// carries transparency or a colour profile. Read without decoding, to pick a decode path.

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colorType: number;
  /** Adam7 interlacing. */
  interlaced: boolean;
  /** A tRNS chunk: a transparent colour (or palette alphas), so the decoded image gets alpha. */
  transparency: boolean;
  /** An iCCP chunk: an embedded colour profile. */
  iccProfile: boolean;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Bytes from the file's start through the IHDR chunk's data: enough for `readPngSize`. */
export const PNG_SIZE_BYTES = 24;

const chunkTypeAt = (bytes: Uint8Array, at: number): string => String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);

/** A PNG's size from its first `PNG_SIZE_BYTES` bytes, or undefined when they do not start a PNG. */
export function readPngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < PNG_SIZE_BYTES || SIGNATURE.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(8) !== 13 || chunkTypeAt(bytes, 8) !== 'IHDR') return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** The header of `bytes`, or undefined when they are not a well-formed PNG up to its first IDAT. */
export function readPngHeader(bytes: Uint8Array): PngHeader | undefined {
  const size = bytes.length >= 33 ? readPngSize(bytes) : undefined;
  if (!size) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunkType = (at: number): string => chunkTypeAt(bytes, at);
  const header: PngHeader = {
    ...size,
    bitDepth: bytes[24],
    colorType: bytes[25],
    interlaced: bytes[28] !== 0,
    transparency: false,
    iccProfile: false,
  };
  // Chunks: length (4), type (4), data, CRC (4). Ancillary chunks that matter come before IDAT.
  for (let at = 33; at + 8 <= bytes.length; ) {
    const type = chunkType(at);
    if (type === 'IDAT') return header;
    if (type === 'tRNS') header.transparency = true;
    if (type === 'iCCP') header.iccProfile = true;
    at += 12 + view.getUint32(at);
  }
  return undefined;
}
