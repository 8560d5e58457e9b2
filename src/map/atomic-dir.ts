// Replaces a whole directory so that, whatever moment the process dies, the target name holds either
// the complete old contents, the complete new contents, or nothing (never a mix): everything is
// written and fsynced in a hidden temp sibling, then swapped in with renames.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Flushes a file or directory entry that something else wrote (e.g. a native library). */
export async function fsyncPath(p: string): Promise<void> {
  const handle = await open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Sibling names used while saving `target`; also how a loader recognises an interrupted save. */
export function tempSiblingPrefix(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-`);
}

export function oldSiblingPrefix(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.old-`);
}

/** Leftover copies of `target` from a save that died between its two renames. */
export async function findInterruptedSaves(target: string): Promise<string[]> {
  const prefix = path.basename(oldSiblingPrefix(target));
  const parent = path.dirname(target);
  try {
    return (await readdir(parent)).filter((n) => n.startsWith(prefix)).map((n) => path.join(parent, n));
  } catch {
    return [];
  }
}

/**
 * Fills a fresh temp sibling of `target` with `fill`, fsyncs it, then renames it over `target`.
 * An existing target is first renamed aside and deleted only once the new one is in place; if the
 * swap fails, it is renamed back. If `fill` throws, the temp directory is removed and `target` is
 * untouched.
 */
export async function replaceDirAtomically(target: string, fill: (tempDir: string) => Promise<void>): Promise<void> {
  const dest = path.resolve(target);
  const parent = path.dirname(dest);
  await mkdir(parent, { recursive: true });
  const temp = await mkdtemp(tempSiblingPrefix(dest));
  try {
    await fill(temp);
    await fsyncPath(temp);
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    throw e;
  }
  const existing = await stat(dest).catch(() => undefined);
  const aside = existing ? `${oldSiblingPrefix(dest)}${randomBytes(6).toString('hex')}` : undefined;
  try {
    if (aside) await rename(dest, aside);
    try {
      await rename(temp, dest);
    } catch (e) {
      if (aside) await rename(aside, dest);
      throw e;
    }
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    throw e;
  }
  // Make both renames durable before the old copy disappears.
  await fsyncPath(parent);
  if (aside) await rm(aside, { recursive: true, force: true });
}
