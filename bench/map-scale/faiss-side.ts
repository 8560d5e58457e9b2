// faiss's side of the scale bench: hands the dataset and seqvpr's exact top-k to bench/faiss_peer.py
// as float32 .npy files (written once per dataset) and reads back its JSON.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { promisify } from 'node:util';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import type { HnswParams } from '../../src/map/manifest.js';
import { writeNpyMatrix } from '../../src/train/npy.js';
import type { Dataset } from './data.js';
import type { BuildResult, GroundTruth, QueryResult } from './seqvpr-side.js';

const PEER = fileURLToPath(new URL('../faiss_peer.py', import.meta.url));

export interface FaissResult {
  version: string;
  threads: number;
  flat?: BuildResult & QueryResult;
  hnsw: BuildResult & QueryResult & { recallVsFaissFlat?: number };
}

/** Writes base.npy, queries.npy and truth.npy (labels as float32: exact below 2^24 rows). */
export async function writePeerInputs(dir: string, data: Dataset, truth: GroundTruth): Promise<void> {
  if (data.base.rows > 2 ** 24) throw new Error('labels above 2^24 do not survive float32; use fewer rows');
  await writeNpyMatrix(path.join(dir, 'base.npy'), data.base);
  await writeNpyMatrix(path.join(dir, 'queries.npy'), data.queries);
  const labels = new DescriptorMatrix(data.queries.rows, truth.k, Float32Array.from(truth.labels));
  await writeNpyMatrix(path.join(dir, 'truth.npy'), labels);
}

/** Fails fast, before any index is built, when the interpreter cannot import faiss and numpy. */
export async function assertFaissAvailable(python: string): Promise<void> {
  try {
    await promisify(execFile)(python, ['-c', 'import faiss, numpy']);
  } catch {
    throw new Error(`${python} cannot import faiss and numpy: apt-get install python3-faiss python3-numpy, or pass --peer none`);
  }
}

export async function runFaissPeer(
  python: string,
  dir: string,
  hnsw: Pick<HnswParams, 'm' | 'efConstruction' | 'efSearch'>,
  threads: number,
): Promise<FaissResult> {
  const args = [PEER, '--dir', dir, '--m', String(hnsw.m), '--ef-construction', String(hnsw.efConstruction)];
  args.push('--ef-search', String(hnsw.efSearch), '--threads', String(threads));
  const { stdout } = await promisify(execFile)(python, args, { maxBuffer: 64 * 2 ** 20 });
  const out = JSON.parse(stdout) as Omit<FaissResult, 'version'> & { faiss: string };
  return { version: out.faiss, threads: out.threads, flat: out.flat, hnsw: out.hnsw };
}
