// A frame model followed by a fitted PCA, as one ONNX model: the base model's graph is loaded as is
// and the projection's nodes and initializers are appended after its descriptor output. The result
// gets its own frame-encoder manifest, so a pipeline uses it as `frontend: {kind: onnx, manifest}`.
import path from 'node:path';
import YAML from 'yaml';
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { ModelError } from '../core/errors.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { frameModelManifestSchema, loadManifest, type FrameModelManifest } from '../encoders/manifest.js';
import { PCA_GRAPH } from './pca.js';
import { loadPcaDir } from './pca-files.js';
import { defaultOpset, encodeOnnxModel, hasExternalData, readOnnxModel } from './onnx-read.js';

export interface ComposedFrameModel {
  manifestPath: string;
  modelPath: string;
  manifest: FrameModelManifest;
}

/** Lowest default-domain opset whose Sub/Mul broadcast numpy-style (earlier ones need attributes). */
const MIN_OPSET = 7;

/** A projection graph to append after a frame model's descriptor output. */
export interface ProjectionGraph {
  model: onnx.IModelProto;
  /** The projection graph's input and output tensor names. */
  input: string;
  output: string;
  inputDim: number;
  outputDim: number;
  /** Appended to the base model's name. */
  name: string;
  description: string;
  /** L2-normalise the composed output in JS (manifest flag). */
  l2Normalize?: boolean;
}

/**
 * Writes `<name>.onnx` and `<name>.yaml` into outDir: the frame model of `frameManifestPath` with the
 * PCA of `pcaDir` applied to its output (after an L2 normalisation when the base manifest asks the
 * encoder to normalise in JS, so the projection sees what it was fitted on).
 */
export async function composeFrameModelWithPca(frameManifestPath: string, pcaDir: string, outDir: string): Promise<ComposedFrameModel> {
  const pca = await loadPcaDir(pcaDir);
  return composeFrameModelWithProjection(frameManifestPath, {
    model: await readOnnxModel(pca.modelPath),
    input: PCA_GRAPH.input,
    output: PCA_GRAPH.output,
    inputDim: pca.manifest.input.dim,
    outputDim: pca.manifest.output.dim,
    name: pca.manifest.name,
    description:
      `${pca.manifest.description ?? pca.manifest.name} ` +
      `(fitted on ${pca.manifest.fittedOn.samples} descriptors of ${pca.manifest.fittedOn.files.join(', ') || 'unknown files'})`,
  }, outDir, `the PCA in ${pcaDir}`);
}

/** The frame model followed by any projection graph, as one ONNX model with its manifest. */
export async function composeFrameModelWithProjection(
  frameManifestPath: string,
  projection: ProjectionGraph,
  outDir: string,
  what = `the projection ${projection.name}`,
): Promise<ComposedFrameModel> {
  const base = await loadManifest(frameManifestPath, frameModelManifestSchema);
  const where = `frame model ${base.modelPath}`;
  if (base.manifest.output.dim !== projection.inputDim) {
    throw new ModelError(
      `${where} outputs ${base.manifest.output.dim}-d descriptors but ${what} was fitted on ${projection.inputDim}-d ones; fit it on this model's descriptors`,
    );
  }
  const model = await readOnnxModel(base.modelPath);
  const pcaModel = projection.model;
  if (hasExternalData(model)) {
    throw new ModelError(`${where} keeps weights in external data files; re-save it with all weights inside the .onnx file`);
  }
  if (defaultOpset(model) < MIN_OPSET) {
    throw new ModelError(`${where} uses opset ${defaultOpset(model)}; convert it to opset ${MIN_OPSET} or later first`);
  }
  const graph = model.graph!;
  const baseOutput = base.manifest.output.name;
  const baseOutputInfo = (graph.output ?? []).find((o) => o.name === baseOutput);
  if (!baseOutputInfo) throw new ModelError(`${where} has no output "${baseOutput}" (named by ${frameManifestPath})`);

  const used = new Set<string>([
    ...(graph.input ?? []).map((i) => i.name!),
    ...(graph.initializer ?? []).map((i) => i.name!),
    ...(graph.node ?? []).flatMap((n) => [...(n.output ?? []), n.name ?? '']),
  ]);
  const fresh = (name: string): string => {
    let candidate = name;
    for (let i = 1; used.has(candidate); i++) candidate = `${name}_${i}`;
    used.add(candidate);
    return candidate;
  };

  const nodes: onnx.INodeProto[] = [];
  let source = baseOutput;
  if (base.manifest.output.l2Normalize) {
    const normalised = fresh('pca_input_l2');
    nodes.push({ opType: 'LpNormalization', name: fresh('pca_input_l2_node'), domain: '', input: [source], output: [normalised], attribute: [intAttr('axis', 1), intAttr('p', 2)] });
    source = normalised;
  }
  const rename = new Map<string, string>([[projection.input, source]]);
  const renamed = (n: string): string => {
    if (n === '') return n;
    let r = rename.get(n);
    if (r === undefined) {
      r = fresh(n);
      rename.set(n, r);
    }
    return r;
  };
  const initializers = (pcaModel.graph?.initializer ?? []).map((t) => ({ ...t, name: renamed(t.name!) }));
  for (const node of pcaModel.graph?.node ?? []) {
    nodes.push({ ...node, name: fresh(node.name ?? node.opType ?? 'pca_node'), input: (node.input ?? []).map(renamed), output: (node.output ?? []).map(renamed) });
  }
  const outputName = rename.get(projection.output)!;
  const batchDim = baseOutputInfo.type?.tensorType?.shape?.dim?.[0] ?? { dimParam: 'batch' };
  graph.node = [...(graph.node ?? []), ...nodes];
  graph.initializer = [...(graph.initializer ?? []), ...initializers];
  graph.output = [
    {
      name: outputName,
      type: { tensorType: { elemType: baseOutputInfo.type?.tensorType?.elemType ?? 1, shape: { dim: [batchDim, { dimValue: projection.outputDim }] } } },
    },
  ];
  model.docString = `${model.docString ?? ''}\n+ ${projection.description}`.trim();

  const name = `${base.manifest.name}-${projection.name}`;
  const manifest: FrameModelManifest = {
    ...base.manifest,
    name,
    model: `${name}.onnx`,
    output: { name: outputName, dim: projection.outputDim, l2Normalize: projection.l2Normalize ?? false },
    description: `${base.manifest.name} followed by ${projection.description}`,
  };
  const modelPath = path.join(outDir, manifest.model);
  const manifestPath = path.join(outDir, `${name}.yaml`);
  // Model first: a manifest on disk always names a complete model.
  await writeFileAtomic(modelPath, encodeOnnxModel(model));
  await writeFileAtomic(manifestPath, YAML.stringify(manifest));
  return { manifestPath, modelPath, manifest };
}

function intAttr(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnxProto.onnx.AttributeProto.AttributeType.INT, i: value };
}

/** The config `seqvpr pca compose` writes next to the composed model (frontend + centring + a frame-vote matcher). */
export const COMPOSED_CONFIG_FILE = 'pipeline.yaml';

/**
 * composeFrameModelWithPca, plus a complete pipeline config using the composed model as its frontend
 * (with the default appearance centring): the config to extract training descriptors with, so they
 * are exactly what a map built with that frontend stores.
 */
export async function composeFrontend(frameManifestPath: string, pcaDir: string, outDir: string): Promise<ComposedFrameModel & { configPath: string }> {
  const composed = await composeFrameModelWithPca(frameManifestPath, pcaDir, outDir);
  const configPath = path.join(outDir, COMPOSED_CONFIG_FILE);
  const config = {
    name: composed.manifest.name,
    frontend: { kind: 'onnx', manifest: path.basename(composed.manifestPath) },
    centering: { enabled: true },
    sequence: { kind: 'single' },
    retrieval: { source: 'frame-votes', k: 20, perFrameK: 50 },
    matcher: { kind: 'seqslam', rivalScope: 'candidates', maxCandidates: 20, localizationRows: 2 },
    windowLength: 10,
  };
  await writeFileAtomic(
    configPath,
    `# ${composed.manifest.name}: the frame model followed by the PCA, then appearance centring (as every pipeline).\n` +
      '# Use it to extract training descriptors (seqvpr extract --config) or as a frame-vote pipeline.\n' +
      YAML.stringify(config),
  );
  return { ...composed, configPath };
}
