// `seqvpr export`: a trained SeqNet as an ONNX sequence encoder ([batch, L, C] -> Transpose -> Conv1d
// -> ReduceMean over time -> LpNormalization) with the sequence-encoder manifest the pipeline loads
// (`sequence: {kind: onnx, manifest}`), optionally the PCA-composed frame model its descriptors
// need, and an example pipeline config that uses both. The config is assembled once here, so a
// frame encoder whose descriptors differ from the training ones is reported before anyone maps.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { ConfigError } from '../../core/errors.js';
import type { SequenceModelManifest } from '../../encoders/manifest.js';
import { OnnxGraphBuilder } from '../../onnx/builder.js';
import { createFrontend } from '../../pipeline/assemble.js';
import { loadPipelineConfig } from '../../pipeline/config.js';
import { composeFrameModelWithPca } from '../compose.js';
import { readSidecar } from '../descriptor-set.js';
import { loadSeqNetModel, type SeqNetFlags } from './checkpoint.js';
import type { SeqNetParams } from './model.js';

export const SEQNET_ONNX_IO = { input: 'windows', output: 'descriptor' } as const;

/** The ONNX graph of a SeqNet at window length L (any L >= kernel: the time mean absorbs it). */
export function seqnetOnnxGraph(params: SeqNetParams, seqLength: number, name = 'seqnet'): OnnxGraphBuilder {
  const { inputDim: C, outputDim: D, kernel: w } = params;
  if (seqLength < w) throw new ConfigError(`window length ${seqLength} is shorter than the SeqNet kernel ${w}`);
  const g = new OnnxGraphBuilder(name, { docString: `SeqNet: Conv1d ${C}->${D}, kernel ${w}, mean over time, L2 (window ${seqLength})` });
  g.input(SEQNET_ONNX_IO.input, 'float32', ['batch', seqLength, C]);
  g.initializer('conv_weight', params.weight, [D, C, w]);
  g.initializer('conv_bias', params.bias, [D]);
  const channelsFirst = g.op('Transpose', [SEQNET_ONNX_IO.input], { perm: [0, 2, 1] }, 'channels_first');
  const conv = g.op('Conv', [channelsFirst, 'conv_weight', 'conv_bias'], { kernel_shape: [w], strides: [1], pads: [0, 0], dilations: [1] }, 'conv');
  const mean = g.op('ReduceMean', [conv], { axes: [2], keepdims: 0 }, 'time_mean');
  g.node('LpNormalization', [mean], [SEQNET_ONNX_IO.output], { axis: 1, p: 2 });
  g.output(SEQNET_ONNX_IO.output, 'float32', ['batch', D]);
  return g;
}

export interface ExportOptions {
  /** Training output folder (its best checkpoint) or a model folder. */
  model: string;
  out: string;
  /** Window length of the exported graph (default: the training length). */
  seqLength?: number;
  /** Model name (default seqnet-l<L>-w<w>-d<D>). */
  name?: string;
  /** With frameManifest: write the frame model composed with this PCA and use it as the frontend. */
  pca?: string;
  frameManifest?: string;
  /** Fine matcher of the example config. */
  matcher?: 'seqslam' | 'adaptseq-v2';
  warn?: (message: string) => void;
}

export interface ExportResult {
  onnxPath: string;
  manifestPath: string;
  configPath: string;
  composedFrameManifest?: string;
  /** What the caller should tell the user (frontend needed, identity check outcome). */
  notes: string[];
}

export async function exportSeqNet(options: ExportOptions): Promise<ExportResult> {
  const { params, flags } = await loadSeqNetModel(options.model);
  const seqLength = options.seqLength ?? flags.seqLength;
  const name = options.name ?? `seqnet-l${seqLength}-w${params.kernel}-d${params.outputDim}`;
  const out = path.resolve(options.out);
  const notes: string[] = [];

  const onnxPath = path.join(out, `${name}.onnx`);
  const manifestPath = path.join(out, `${name}.yaml`);
  const manifest: SequenceModelManifest = {
    version: 1,
    kind: 'sequence-encoder',
    name,
    model: `${name}.onnx`,
    input: { name: SEQNET_ONNX_IO.input, length: seqLength, dim: params.inputDim },
    output: { name: SEQNET_ONNX_IO.output, dim: params.outputDim, l2Normalize: false },
    ...(flags.frameEncoder && { frameEncoder: flags.frameEncoder.id }),
    description: `SeqNet trained by seqvpr (best epoch ${flags.best.epoch}, val R@1 ${flags.best.valR1.toFixed(3)} R@5 ${flags.best.valR5.toFixed(3)}); trailing windows, oldest frame first`,
  };
  await writeFileAtomic(onnxPath, seqnetOnnxGraph(params, seqLength, name).toBytes());
  await writeFileAtomic(manifestPath, YAML.stringify(manifest));

  // The frontend: the composed PCA model when asked, else the one the training descriptors came from.
  let frontend: Record<string, unknown> | undefined;
  let centering: Record<string, unknown> | undefined;
  let composedFrameManifest: string | undefined;
  const trainingConfig = await trainingConfigOf(flags);
  if (trainingConfig) centering = trainingConfig.centering;
  if (options.pca || options.frameManifest) {
    if (!options.pca || !options.frameManifest) throw new ConfigError('give --pca DIR together with --frame-manifest M (the frame model the PCA was fitted on)');
    const composed = await composeFrameModelWithPca(options.frameManifest, options.pca, out);
    composedFrameManifest = composed.manifestPath;
    frontend = { kind: 'onnx', manifest: path.basename(composed.manifestPath) };
    notes.push(`frontend: ${composed.manifest.name} (the frame model followed by the PCA), written to ${composed.manifestPath}`);
  } else if (trainingConfig) {
    frontend = trainingConfig.frontend;
  } else {
    throw new ConfigError(
      'cannot tell which frontend produced the training descriptors (no readable sidecar / config); ' +
        'give --pca DIR --frame-manifest M when they were PCA-projected, or write the config by hand',
    );
  }
  if (flags.pca && !options.pca) {
    notes.push(`the model was trained on descriptors projected with the PCA in ${flags.pca}: the pipeline needs that projection in its frontend`);
  }

  const config = {
    name,
    frontend,
    ...(centering && { centering }),
    sequence: { kind: 'onnx', manifest: path.basename(manifestPath) },
    retrieval: { source: 'sequence', k: 10 },
    matcher:
      options.matcher === 'adaptseq-v2'
        ? { kind: 'adaptseq-v2', coarseSequenceLength: seqLength, maxCandidates: 20, localizationRows: 2 }
        : { kind: 'seqslam', maxCandidates: 20, localizationRows: 2 },
    windowLength: seqLength,
  };
  const configPath = path.join(out, 'pipeline.yaml');
  const header =
    `# Example pipeline: ${frontend.kind === 'onnx' ? 'ONNX frontend' : String(frontend.kind)} -> appearance centring -> SeqNet sequence\n` +
    `# descriptor (${name}) retrieves the ${config.retrieval.k} nearest map sequences -> ${config.matcher.kind} aligns the frames.\n` +
    '#   seqvpr map build --images MAP_DIR --config pipeline.yaml --out MAP\n' +
    '#   seqvpr eval --map MAP --query QUERY_DIR --gt aligned:1 --config pipeline.yaml --out OUT\n';
  await writeFileAtomic(configPath, header + YAML.stringify(config));

  // Assemble it once: loads every model and compares the frame descriptors' identity with training's.
  const loaded = await loadPipelineConfig(configPath);
  const built = await createFrontend(loaded, { warn: options.warn });
  try {
    if (flags.frameEncoder) {
      if (built.identity.encoder.hash === flags.frameEncoder.hash) {
        notes.push(`checked: the pipeline's frame descriptors (${built.identity.encoder.id}) are the ones the model was trained on`);
      } else {
        notes.push(
          `WARNING: the model was trained on ${flags.frameEncoder.id} descriptors, this pipeline produces ${built.identity.encoder.id}; ` +
            'for identical descriptors extract the training data with this config (seqvpr extract --config pipeline.yaml)',
        );
      }
    }
  } finally {
    await built.close();
  }
  return { onnxPath, manifestPath, configPath, composedFrameManifest, notes };
}

/** The frontend and centring sections of the config the training DB descriptors were extracted with. */
async function trainingConfigOf(flags: SeqNetFlags): Promise<{ frontend: Record<string, unknown>; centering: Record<string, unknown> } | undefined> {
  const db = flags.training.db;
  if (typeof db !== 'string') return undefined;
  try {
    const sidecar = await readSidecar(db);
    if (!sidecar) return undefined;
    const raw = YAML.parse(await readFile(sidecar.config.file, 'utf8')) as Record<string, unknown>;
    const frontend = { ...(raw.frontend as Record<string, unknown>) };
    if (frontend.kind === 'onnx' && typeof frontend.manifest === 'string') {
      frontend.manifest = path.resolve(path.dirname(sidecar.config.file), frontend.manifest);
    }
    return { frontend, centering: sidecar.centering };
  } catch {
    return undefined;
  }
}
