// A trained frame projection y = P x (no bias, no normalisation) as an ONNX graph, its forward pass
// in JS (what the trainer computed), and the composition with the frame model it was trained after.
// The composed model is a frame encoder like any other; the pipeline's appearance centring then
// subtracts the running mean of P x and L2-normalises, i.e. it yields norm(P (x − mean)).
import { DescriptorError } from '../../core/errors.js';
import { DescriptorMatrix } from '../../core/matrix.js';
import { l2NormalizeInPlace } from '../../core/vector.js';
import { OnnxGraphBuilder } from '../../onnx/builder.js';
import { composeFrameModelWithProjection, type ComposedFrameModel } from '../compose.js';
import { transpose } from '../linalg.js';
import { projectRows } from './discriminative.js';

export interface FrameProjection {
  inputDim: number;
  outputDim: number;
  /** [outputDim x inputDim], row-major. */
  weight: Float32Array;
  /** Short name for the composed model (e.g. "lda128"). */
  name: string;
  description: string;
}

export const PROJECTION_GRAPH = { input: 'descriptor', output: 'projected', weight: 'projection_weight_t' } as const;

/** [batch, inputDim] -> [batch, outputDim]: one MatMul. */
export function projectionOnnxGraph(p: FrameProjection): OnnxGraphBuilder {
  const g = new OnnxGraphBuilder(p.name, { docString: p.description });
  g.input(PROJECTION_GRAPH.input, 'float32', ['batch', p.inputDim]);
  g.initializer(PROJECTION_GRAPH.weight, transpose(p.weight, p.outputDim, p.inputDim, new Float32Array(p.inputDim * p.outputDim)), [p.inputDim, p.outputDim]);
  g.node('MatMul', [PROJECTION_GRAPH.input, PROJECTION_GRAPH.weight], [PROJECTION_GRAPH.output]);
  g.output(PROJECTION_GRAPH.output, 'float32', ['batch', p.outputDim]);
  return g;
}

/** The trainer's forward pass: norm(P x) for every row (what matching compares). */
export function projectAndNormalize(p: FrameProjection, x: DescriptorMatrix): DescriptorMatrix {
  if (x.dim !== p.inputDim) throw new DescriptorError(`descriptors have ${x.dim} values, the projection takes ${p.inputDim}`);
  const out = projectRows(x, p.weight, p.outputDim);
  for (let r = 0; r < out.rows; r++) l2NormalizeInPlace(out.row(r));
  return out;
}

/**
 * Writes the frame model of `frameManifestPath` followed by the projection into outDir. Without
 * appearance centring after it, the output must be L2-normalised by the encoder itself.
 */
export function composeProjectedFrameModel(frameManifestPath: string, p: FrameProjection, outDir: string, centred: boolean): Promise<ComposedFrameModel> {
  return composeFrameModelWithProjection(
    frameManifestPath,
    {
      model: projectionOnnxGraph(p).toModel(),
      input: PROJECTION_GRAPH.input,
      output: PROJECTION_GRAPH.output,
      inputDim: p.inputDim,
      outputDim: p.outputDim,
      name: p.name,
      description: p.description,
      l2Normalize: !centred,
    },
    outDir,
  );
}
