// Source adapter: a folder of PNG/JPEG images, in natural file-name order, as a Frame stream.
// Folders carry no clock, so stamps are synthesised at a nominal rate.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SeqvprError } from '../core/errors.js';
import type { Frame } from '../core/types.js';

const IMAGE_FILE = /\.(png|jpe?g)$/i;
const naturalOrder = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export interface ImageFolderOptions {
  /** Nominal frame rate used to synthesise stamps (frame i at i / rateHz seconds). */
  rateHz?: number;
  frameId?: string;
}

/** Lists the folder's image files in natural order (images-2.png before images-10.png). */
export async function listImages(dir: string): Promise<string[]> {
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    names = await readdir(dir);
  } catch (e) {
    throw new SeqvprError(`cannot read image folder ${dir}: ${(e as Error).message}`);
  }
  const files = names.filter((n) => IMAGE_FILE.test(n)).sort(naturalOrder.compare);
  if (files.length === 0) throw new SeqvprError(`image folder ${dir} holds no .png or .jpg files`);
  return files.map((n) => path.join(dir, n));
}

/** Frames of an image folder, lazily (the images are read when encoded). */
export async function* imageFolderFrames(dir: string, options: ImageFolderOptions = {}): AsyncGenerator<Frame> {
  const files = await listImages(dir);
  const periodNs = BigInt(Math.round(1e9 / (options.rateHz ?? 10)));
  for (let index = 0; index < files.length; index++) {
    yield {
      index,
      stamp: BigInt(index) * periodNs,
      frameId: options.frameId ?? 'camera',
      image: { kind: 'file', path: files[index] },
      source: path.basename(files[index]),
    };
  }
}
