// `seqvpr pca fit / apply / compose` as functions over files: descriptor .npy sets in, a PCA folder
// or projected .npy (with a sidecar saying what it is) out.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { ConfigError } from '../core/errors.js';
import { DescriptorMatrix } from '../core/matrix.js';
import { readDescriptorSet, sidecarPath, type DescriptorSet, type DescriptorSidecar } from './descriptor-set.js';
import { writeNpyMatrix } from './npy.js';
import { fitPca, projectPca, type PcaFit } from './pca.js';
import { loadPcaDir, savePcaDir } from './pca-files.js';
import type { FrameRange } from './seqnet/sequences.js';

export interface PcaFitFilesOptions {
  inputs: readonly string[];
  /** Use only rows [start, end) of every input (e.g. the training stretch). */
  rows?: FrameRange;
  dims: number;
  whiten: boolean;
  out: string;
  seed?: number;
}

export async function fitPcaFiles(options: PcaFitFilesOptions): Promise<{ fit: PcaFit; manifestPath: string; rows: number }> {
  if (options.inputs.length === 0) throw new ConfigError('give at least one --in FILE.npy');
  const sets: DescriptorSet[] = [];
  for (const file of options.inputs) sets.push(await readDescriptorSet(file));
  const dim = sets[0].matrix.dim;
  const identity = sets.find((s) => s.sidecar)?.sidecar?.encoder;
  for (const s of sets) {
    if (s.matrix.dim !== dim) throw new ConfigError(`${s.file} has ${s.matrix.dim}-d descriptors, ${sets[0].file} ${dim}-d`);
    if (identity && s.sidecar && s.sidecar.encoder.hash !== identity.hash) {
      throw new ConfigError(`${s.file} comes from ${s.sidecar.encoder.id}, other inputs from ${identity.id}; fit on descriptors of one encoder`);
    }
  }
  const parts = sets.map((s) => {
    const start = Math.max(0, options.rows?.start ?? 0);
    const end = Math.min(s.matrix.rows, options.rows?.end ?? s.matrix.rows);
    return s.matrix.data.subarray(start * dim, Math.max(start, end) * dim);
  });
  const total = parts.reduce((n, p) => n + p.length / dim, 0);
  const stacked = new DescriptorMatrix(total, dim);
  let at = 0;
  for (const p of parts) {
    stacked.data.set(p, at);
    at += p.length;
  }
  const fit = fitPca(stacked, { dims: options.dims, whiten: options.whiten, seed: options.seed });
  const files = sets.map((s) => path.resolve(s.file) + (options.rows ? ` rows ${options.rows.start}:${Number.isFinite(options.rows.end) ? options.rows.end : ''}` : ''));
  const manifestPath = await savePcaDir(options.out, fit, { files, ...(identity && { encoder: { id: identity.id, hash: identity.hash } }) });
  return { fit, manifestPath, rows: total };
}

/** Projects a descriptor file; the output's sidecar records the projection. */
export async function applyPcaFile(pcaDir: string, input: string, output: string): Promise<{ rows: number; dim: number }> {
  const pca = await loadPcaDir(pcaDir);
  const set = await readDescriptorSet(input);
  const fitted = pca.manifest.fittedOn.encoder;
  if (fitted && set.sidecar && fitted.hash !== set.sidecar.encoder.hash) {
    throw new ConfigError(`the PCA in ${pcaDir} was fitted on ${fitted.id} descriptors, ${input} holds ${set.sidecar.encoder.id}`);
  }
  const projected = projectPca(pca.model, set.matrix);
  await writeNpyMatrix(output, projected);
  if (set.sidecar) {
    const modelHash = createHash('sha256').update(await readFile(pca.modelPath)).digest('hex');
    const sidecar: DescriptorSidecar = {
      ...set.sidecar,
      npy: path.basename(output),
      dim: projected.dim,
      encoder: {
        id: `${set.sidecar.encoder.id}>${pca.manifest.name}`,
        hash: createHash('sha256').update(set.sidecar.encoder.hash).update('\0').update(modelHash).digest('hex'),
        dim: projected.dim,
      },
      createdAt: new Date().toISOString(),
      projection: { pca: path.resolve(pcaDir), name: pca.manifest.name, from: path.resolve(input) },
    };
    await writeFileAtomic(sidecarPath(output), JSON.stringify(sidecar, null, 1) + '\n');
  }
  return { rows: projected.rows, dim: projected.dim };
}
