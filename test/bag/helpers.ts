// Shared by the bag tests: fixture location, temp folders (never inside the repo), warning capture.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BagMessage, BagReader } from '../../src/bag/types.js';

export const FIXTURES = fileURLToPath(new URL('../../../shared/data/rosbag2-fixtures/', import.meta.url));

export function fixturesPresent(): boolean {
  return existsSync(join(FIXTURES, 'mcap_talker'));
}

/** Runs `body` with a fresh temp folder and removes it afterwards. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'seqvpr-bag-test-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function collectWarnings(): { warn: (m: string) => void; warnings: string[] } {
  const warnings: string[] = [];
  return { warn: (m) => warnings.push(m), warnings };
}

export async function readAll(bag: BagReader, filter?: Parameters<BagReader['messages']>[0]): Promise<BagMessage[]> {
  const out: BagMessage[] = [];
  for await (const m of bag.messages(filter)) out.push(m);
  return out;
}
