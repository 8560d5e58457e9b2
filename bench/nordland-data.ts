// Where the benches find nordland64 (../shared/data/nordland64 unless --data says otherwise).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DescriptorMatrix } from '../src/core/matrix.js';
import { readDescriptorSet } from '../src/train/descriptor-set.js';
import { extractImageFolder } from '../src/train/extract.js';

/** The two season folders under `data`; without them, one line on stderr and exit code 1. */
export function nordlandSeasons(data: string): { summer: string; winter: string } {
  const summer = path.join(data, 'summer');
  const winter = path.join(data, 'winter');
  if (!existsSync(summer) || !existsSync(winter)) {
    console.error(`nordland64 not found under ${data}; pass --data DIR`);
    process.exit(1);
  }
  return { summer, winter };
}

/**
 * The descriptors `configFile` gives frames start..end-1 of an image folder, played as a traversal of
 * its own (centring from its first frame): extracted once into outDir, then read back.
 */
export async function stretchDescriptors(configFile: string, dir: string, outDir: string, name: string, frames: { start: number; end: number }): Promise<DescriptorMatrix> {
  const npy = path.resolve(outDir, `${name}-${frames.start}-${frames.end}.npy`);
  if (!existsSync(npy)) await extractImageFolder(configFile, dir, npy, frames);
  return (await readDescriptorSet(npy)).matrix;
}
