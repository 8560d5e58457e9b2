// Makes a long extraction restartable: a frame encoder wrapper that writes every descriptor it
// computes to chunk files in a work folder, and on a rerun answers images it has already encoded
// from there. Only the expensive part (the encoder) is cached; centring and everything after it run
// again in order, so a resumed run writes exactly what an uninterrupted one would.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { DescriptorMatrix } from '../core/matrix.js';
import type { ImageSource } from '../core/types.js';
import { DelegatingFrameEncoder } from '../encoders/delegating.js';
import type { FrameEncoder } from '../encoders/types.js';
import { readNpyMatrix, writeNpyMatrix } from './npy.js';

const STATE_FILE = 'state.json';
const CHUNK = /^chunk-(\d+)\.keys\.json$/;

interface State {
  version: 1;
  encoderId: string;
  encoderHash: string;
  dim: number;
}

export interface ResumableEncoderOptions {
  /** Descriptors per chunk file (what a kill can lose at most). Default 256. */
  chunkSize?: number;
  warn?: (message: string) => void;
}

export class ResumableFrameEncoder extends DelegatingFrameEncoder {
  private readonly cache = new Map<string, Float32Array>();
  private pendingKeys: string[] = [];
  private pendingRows: Float32Array[] = [];
  private nextChunk: number;
  /** Descriptors found from an earlier run when the encoder was opened. */
  readonly resumed: number;

  private constructor(
    inner: FrameEncoder,
    readonly dir: string,
    loaded: { keys: string[]; rows: DescriptorMatrix }[],
    nextChunk: number,
    private readonly chunkSize: number,
  ) {
    super(inner);
    for (const { keys, rows } of loaded) keys.forEach((k, i) => this.cache.set(k, rows.row(i)));
    this.resumed = this.cache.size;
    this.nextChunk = nextChunk;
  }

  /** Opens (or starts) the work folder; chunks from another encoder are discarded with a warning. */
  static async open(inner: FrameEncoder, dir: string, options: ResumableEncoderOptions = {}): Promise<ResumableFrameEncoder> {
    const state: State = { version: 1, encoderId: inner.id, encoderHash: inner.hash, dim: inner.dim };
    const previous = await readState(dir);
    if (previous && (previous.encoderHash !== state.encoderHash || previous.dim !== state.dim)) {
      options.warn?.(`${dir} holds descriptors of another encoder (${previous.encoderId}); starting over`);
      await rm(dir, { recursive: true, force: true });
    }
    await mkdir(dir, { recursive: true });
    if (!previous || previous.encoderHash !== state.encoderHash) await writeFileAtomic(path.join(dir, STATE_FILE), JSON.stringify(state));
    const loaded: { keys: string[]; rows: DescriptorMatrix }[] = [];
    let nextChunk = 0;
    for (const name of (await readdir(dir)).sort()) {
      const m = CHUNK.exec(name);
      if (!m) continue;
      nextChunk = Math.max(nextChunk, Number(m[1]) + 1);
      try {
        const keys = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as string[];
        const rows = await readNpyMatrix(path.join(dir, `chunk-${m[1]}.npy`));
        if (rows.rows === keys.length && rows.dim === state.dim) loaded.push({ keys, rows });
      } catch {
        // A chunk cut short by a kill: its frames are simply encoded again.
      }
    }
    return new ResumableFrameEncoder(inner, dir, loaded, nextChunk, options.chunkSize ?? 256);
  }

  async encode(images: readonly ImageSource[]): Promise<Float32Array[]> {
    const keys = await Promise.all(images.map(imageKey));
    const missing: number[] = [];
    keys.forEach((k, i) => {
      if (!this.cache.has(k)) missing.push(i);
    });
    if (missing.length > 0) {
      const fresh = await this.inner.encode(missing.map((i) => images[i]));
      missing.forEach((i, j) => {
        this.cache.set(keys[i], fresh[j]);
        this.pendingKeys.push(keys[i]);
        this.pendingRows.push(fresh[j]);
      });
      if (this.pendingRows.length >= this.chunkSize) await this.flush();
    }
    return keys.map((k) => this.cache.get(k)!);
  }

  /** Writes the descriptors computed since the last chunk (npy first, keys last: keys mark a complete chunk). */
  async flush(): Promise<void> {
    if (this.pendingRows.length === 0) return;
    const id = String(this.nextChunk++).padStart(6, '0');
    await writeNpyMatrix(path.join(this.dir, `chunk-${id}.npy`), DescriptorMatrix.fromRows(this.pendingRows, this.dim));
    await writeFileAtomic(path.join(this.dir, `chunk-${id}.keys.json`), JSON.stringify(this.pendingKeys));
    this.pendingKeys = [];
    this.pendingRows = [];
  }

  /** Removes the work folder (after the output is safely written). */
  async discard(): Promise<void> {
    this.pendingKeys = [];
    this.pendingRows = [];
    await rm(this.dir, { recursive: true, force: true });
  }

}

async function readState(dir: string): Promise<State | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, STATE_FILE), 'utf8')) as State;
  } catch {
    return undefined;
  }
}

/** What identifies an image across runs: a file by path, size and time; bytes by their hash. */
async function imageKey(image: ImageSource): Promise<string> {
  if (image.kind === 'file') {
    const resolved = path.resolve(image.path);
    const s = await stat(resolved).catch(() => undefined);
    return s ? `file:${resolved}:${s.size}:${s.mtimeMs}` : `file:${resolved}:missing`;
  }
  const h = createHash('sha256');
  if (image.kind === 'compressed') h.update(`compressed:${image.format}:`);
  else h.update(`raw:${image.width}x${image.height}:${image.encoding}:${image.step}:${image.isBigEndian}:`);
  h.update(image.data);
  return h.digest('base64');
}
