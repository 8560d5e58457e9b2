// Images for the report's example matches when frames do not come from files (bags): the report
// only needs a dozen, so they are fetched again from the source after the run instead of keeping
// every frame's pixels in memory during it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Frame } from '../../core/types.js';
import { openImage } from '../../image/decode.js';
import type { ImageRef } from './examples.js';

/** The images of the frames whose `key(frame)` is wanted, as file paths or PNG bytes. */
export async function collectFrameImages<K>(
  frames: AsyncIterable<Frame>,
  wanted: ReadonlySet<K>,
  key: (frame: Frame) => K,
): Promise<Map<K, ImageRef>> {
  const found = new Map<K, ImageRef>();
  if (wanted.size === 0) return found;
  for await (const frame of frames) {
    const k = key(frame);
    if (!wanted.has(k) || found.has(k)) continue;
    try {
      found.set(k, frame.image.kind === 'file' ? frame.image.path : await openImage(frame.image).png().toBuffer());
    } catch {
      // An undecodable frame simply has no thumbnail (the report draws a placeholder).
    }
    if (found.size === wanted.size) break;
  }
  return found;
}

/** A map frame's image file when the map was built from an image folder and the file still exists. */
export function mapFrameFile(mapSource: string, frameSource: string | undefined): string | undefined {
  if (!frameSource) return undefined;
  const file = path.join(mapSource, frameSource);
  return existsSync(file) ? file : undefined;
}
