// A fitted PCA on disk: `pca.onnx` (the projection graph, whose initializers are the parameters) and
// `pca.yaml` (what it maps from and to, the spectrum, what it was fitted on). Written atomically as
// a directory; loading reads the parameters back out of the graph.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ModelError } from '../core/errors.js';
import { replaceDirAtomically } from '../map/atomic-dir.js';
import { EIGENVALUE_FLOOR, PCA_GRAPH, pcaOnnxGraph, type PcaFit, type PcaModel } from './pca.js';
import { floatInitializer, readOnnxModel } from './onnx-read.js';

export const PCA_FILES = { manifest: 'pca.yaml', model: 'pca.onnx' } as const;

export const pcaManifestSchema = z
  .object({
    version: z.literal(1),
    kind: z.literal('pca-projection'),
    name: z.string().min(1),
    model: z.string().min(1),
    input: z.object({ name: z.string().min(1), dim: z.number().int().positive() }).strict(),
    output: z.object({ name: z.string().min(1), dim: z.number().int().positive(), l2Normalize: z.literal(false) }).strict(),
    whiten: z.boolean(),
    eigenvalueFloor: z.number().nonnegative(),
    /** Covariance eigenvalues of the kept axes, decreasing. */
    eigenvalues: z.array(z.number()),
    /** Fraction of the total variance the kept axes explain. */
    explainedVariance: z.number().min(0).max(1.000001),
    fittedOn: z
      .object({
        files: z.array(z.string()),
        samples: z.number().int().positive(),
        /** Encoder identity of the descriptors (from the .npy sidecar), when known. */
        encoder: z.object({ id: z.string(), hash: z.string() }).strict().optional(),
      })
      .strict(),
    description: z.string().optional(),
  })
  .strict();

export type PcaManifest = z.infer<typeof pcaManifestSchema>;

export interface PcaProvenance {
  files: string[];
  encoder?: { id: string; hash: string };
}

/** Writes (replacing) a PCA directory; returns its manifest path. */
export async function savePcaDir(dir: string, fit: PcaFit, provenance: PcaProvenance): Promise<string> {
  const name = `pca${fit.outputDim}${fit.whiten ? 'w' : ''}`;
  const explained = fit.eigenvalues.reduce((a, b) => a + b, 0) / fit.totalVariance;
  const manifest: PcaManifest = {
    version: 1,
    kind: 'pca-projection',
    name,
    model: PCA_FILES.model,
    input: { name: PCA_GRAPH.input, dim: fit.inputDim },
    output: { name: PCA_GRAPH.output, dim: fit.outputDim, l2Normalize: false },
    whiten: fit.whiten,
    eigenvalueFloor: EIGENVALUE_FLOOR,
    eigenvalues: Array.from(fit.eigenvalues, (v) => Number(v.toPrecision(7))),
    explainedVariance: Number(Math.min(1, explained).toFixed(6)),
    fittedOn: { files: provenance.files, samples: fit.samples, ...(provenance.encoder && { encoder: provenance.encoder }) },
    description:
      `PCA ${fit.inputDim} -> ${fit.outputDim}${fit.whiten ? ', whitened (1/sqrt(lambda + 1e-9))' : ''}, then L2; ` +
      `solver ${fit.solver.method} on the ${fit.solver.on} (${fit.solver.size}x${fit.solver.size})`,
  };
  const bytes = pcaOnnxGraph(fit, name).toBytes();
  await replaceDirAtomically(dir, async (tmp) => {
    await writeFile(path.join(tmp, PCA_FILES.model), bytes);
    await writeFile(path.join(tmp, PCA_FILES.manifest), YAML.stringify(manifest));
  });
  return path.join(dir, PCA_FILES.manifest);
}

export interface LoadedPca {
  manifest: PcaManifest;
  model: PcaModel;
  /** Absolute path of the projection graph. */
  modelPath: string;
}

/** Reads a PCA directory written by savePcaDir (or its manifest path). */
export async function loadPcaDir(dirOrManifest: string): Promise<LoadedPca> {
  const manifestPath = dirOrManifest.endsWith('.yaml') ? dirOrManifest : path.join(dirOrManifest, PCA_FILES.manifest);
  let raw: unknown;
  try {
    raw = YAML.parse(await readFile(manifestPath, 'utf8'));
  } catch (e) {
    throw new ModelError(`cannot read PCA manifest ${manifestPath}: ${(e as Error).message}; write one with "seqvpr pca fit"`);
  }
  const parsed = pcaManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelError(`PCA manifest ${manifestPath}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const manifest = parsed.data;
  const modelPath = path.resolve(path.dirname(manifestPath), manifest.model);
  const onnx = await readOnnxModel(modelPath);
  const d = manifest.input.dim;
  const k = manifest.output.dim;
  const mean = floatInitializer(onnx, PCA_GRAPH.mean, modelPath).data;
  const componentsT = floatInitializer(onnx, PCA_GRAPH.components, modelPath).data;
  if (mean.length !== d || componentsT.length !== d * k) {
    throw new ModelError(`${modelPath} does not match its manifest (${d} -> ${k}); refit with "seqvpr pca fit"`);
  }
  const components = new Float32Array(k * d);
  for (let c = 0; c < d; c++) for (let i = 0; i < k; i++) components[i * d + c] = componentsT[c * k + i];
  const scale = manifest.whiten ? floatInitializer(onnx, PCA_GRAPH.scale, modelPath).data : new Float32Array(k).fill(1);
  if (scale.length !== k) throw new ModelError(`${modelPath}: whitening scale has ${scale.length} values, expected ${k}`);
  return { manifest, modelPath, model: { inputDim: d, outputDim: k, whiten: manifest.whiten, mean, components, scale } };
}
