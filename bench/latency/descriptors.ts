// Real map-side descriptors for the latency bench: a nordland traversal encoded and centred by the
// same code `seqvpr map build` runs (centredFrameBatches), cached on disk per encoder so repeated
// bench runs skip the encoding (2400 CNN frames take about a minute on 2 cores).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import type { Frame } from '../../src/core/types.js';
import type { Frontend } from '../../src/pipeline/assemble.js';
import { centredFrameBatches } from '../../src/pipeline/centred-frames.js';
import { imageFolderFrames } from '../../src/sources/image-folder.js';

async function* firstFrames<T>(frames: AsyncIterable<T>, n: number): AsyncGenerator<T> {
  let i = 0;
  for await (const f of frames) {
    if (i++ >= n) return;
    yield f;
  }
}

/** The re-ranker's patch grids of the first `count` frames of `dir` (the frontend must re-rank); cached like the descriptors. */
export async function traversalPatches(dir: string, count: number, frontend: Frontend, cacheDir: string): Promise<DescriptorMatrix> {
  const patch = frontend.patchEncoder!;
  const dim = patch.encoder.dim;
  const file = path.join(cacheDir, `${path.basename(dir)}-patches-${patch.encoder.hash.slice(0, 16)}-${count}.f32`);
  if (existsSync(file)) {
    const bytes = await readFile(file);
    return new DescriptorMatrix(bytes.length / 4 / dim, dim, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4).slice());
  }
  const rows: Float32Array[] = [];
  const batch: Frame[] = [];
  const flush = async () => rows.push(...(await patch.encoder.encode(batch.splice(0).map((f) => f.image))));
  for await (const frame of firstFrames(imageFolderFrames(dir), count)) {
    batch.push(frame);
    if (batch.length === 16) await flush();
  }
  if (batch.length) await flush();
  const m = DescriptorMatrix.fromRows(rows, dim);
  await mkdir(cacheDir, { recursive: true });
  await writeFile(file, new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength));
  return m;
}

/** The first `count` frames of `dir`, encoded and centred; from `cacheDir` when it holds them. */
export async function traversalDescriptors(dir: string, count: number, frontend: Frontend, cacheDir: string): Promise<DescriptorMatrix> {
  const dim = frontend.identity.encoder.dim;
  const key = `${path.basename(dir)}-${frontend.identity.encoder.hash.slice(0, 16)}-${count}.f32`;
  const file = path.join(cacheDir, key);
  if (existsSync(file)) {
    const bytes = await readFile(file);
    const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4).slice();
    if (data.length % dim === 0) return new DescriptorMatrix(data.length / dim, dim, data);
  }
  const rows: Float32Array[] = [];
  for await (const batch of centredFrameBatches(firstFrames(imageFolderFrames(dir), count), frontend)) {
    for (const e of batch.encoded) rows.push(e.descriptor);
  }
  const m = DescriptorMatrix.fromRows(rows, dim);
  await mkdir(cacheDir, { recursive: true });
  await writeFile(file, new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength));
  return m;
}
