// A trained SeqNet on disk: `conv-weight.npy` [D, C, w], `conv-bias.npy` [D] (numpy-readable, the
// PyTorch state_dict's pool.conv.weight / pool.conv.bias) and `flags.json` (shape, training flags,
// the descriptors it was trained on, the validation recall it was chosen by). The folder is
// replaced atomically, so it always holds one consistent checkpoint.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ModelError } from '../../core/errors.js';
import { replaceDirAtomically } from '../../map/atomic-dir.js';
import { encodeNpy, readNpy } from '../npy.js';
import type { SeqNetParams } from './model.js';

export const SEQNET_FILES = {
  weight: 'conv-weight.npy',
  bias: 'conv-bias.npy',
  flags: 'flags.json',
  /** In a training output folder: the best checkpoint, the per-epoch history, the curves. */
  best: 'best',
  history: 'history.json',
  plot: 'training.svg',
} as const;

const identitySchema = z.object({ id: z.string(), hash: z.string() }).strict();

export const seqnetFlagsSchema = z
  .object({
    version: z.literal(1),
    kind: z.literal('seqnet'),
    seqLength: z.number().int().positive(),
    kernel: z.number().int().positive(),
    inputDim: z.number().int().positive(),
    outputDim: z.number().int().positive(),
    /** Identity of the frame descriptors trained on (encoder + centring), from the .npy sidecars. */
    frameEncoder: identitySchema.nullable(),
    /** PCA folder whose projection produced the descriptors, when the caller said so. */
    pca: z.string().optional(),
    training: z.record(z.string(), z.unknown()),
    best: z.object({ epoch: z.number().int().nonnegative(), valR1: z.number(), valR5: z.number(), valR10: z.number(), valQueries: z.number() }).strict(),
    createdAt: z.string(),
  })
  .strict();

export type SeqNetFlags = z.infer<typeof seqnetFlagsSchema>;

export async function saveSeqNetModel(dir: string, params: SeqNetParams, flags: SeqNetFlags): Promise<void> {
  await replaceDirAtomically(dir, async (tmp) => {
    await writeFile(path.join(tmp, SEQNET_FILES.weight), encodeNpy([params.outputDim, params.inputDim, params.kernel], params.weight));
    await writeFile(path.join(tmp, SEQNET_FILES.bias), encodeNpy([params.outputDim], params.bias));
    await writeFile(path.join(tmp, SEQNET_FILES.flags), JSON.stringify(flags, null, 2) + '\n');
  });
}

export interface LoadedSeqNet {
  dir: string;
  params: SeqNetParams;
  flags: SeqNetFlags;
}

/** Loads a model folder, or a training output folder (its best checkpoint). */
export async function loadSeqNetModel(dirArg: string): Promise<LoadedSeqNet> {
  const bestDir = path.join(dirArg, SEQNET_FILES.best);
  const dir = (await stat(path.join(bestDir, SEQNET_FILES.flags)).catch(() => undefined)) ? bestDir : dirArg;
  const flagsPath = path.join(dir, SEQNET_FILES.flags);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(flagsPath, 'utf8'));
  } catch (e) {
    throw new ModelError(`cannot read ${flagsPath}: ${(e as Error).message}; pass the folder "seqvpr train seqnet --out" wrote`);
  }
  const parsed = seqnetFlagsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelError(`${flagsPath}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const flags = parsed.data;
  const weight = await readNpy(path.join(dir, SEQNET_FILES.weight));
  const bias = await readNpy(path.join(dir, SEQNET_FILES.bias));
  const { outputDim: D, inputDim: C, kernel: w } = flags;
  if (weight.shape.join(',') !== [D, C, w].join(',') || bias.shape.join(',') !== String(D)) {
    throw new ModelError(`${dir}: weights of shape (${weight.shape}) / (${bias.shape}) do not match flags.json (${D}, ${C}, ${w}); the folder is corrupt, train again`);
  }
  return { dir, flags, params: { inputDim: C, outputDim: D, kernel: w, weight: weight.data, bias: bias.data } };
}
