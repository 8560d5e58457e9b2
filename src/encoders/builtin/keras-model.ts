// Reads a TensorFlow.js Layers model (model.json topology + weight bytes) into plain data: the
// Keras functional layer list and dequantised float32 weights. Nothing here runs the model.
import { z } from 'zod';
import { ModelError } from '../../core/errors.js';

/** The part of tfjs's weightsManifest entry we use (one weight tensor). */
const weightSpecSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.literal('float32'),
  quantization: z
    .object({ dtype: z.enum(['uint8', 'uint16']), min: z.number(), scale: z.number() })
    .optional(),
});
export type WeightSpec = z.infer<typeof weightSpecSchema>;

const layerSchema = z.object({
  class_name: z.string(),
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  inbound_nodes: z.array(z.array(z.tuple([z.string(), z.number(), z.number()]).rest(z.unknown()))),
});

const functionalModelSchema = z.object({
  class_name: z.enum(['Model', 'Functional']),
  config: z.object({ name: z.string(), layers: z.array(layerSchema) }).passthrough(),
});

/**
 * tfjs Layers model.json: a Keras functional model topology plus the weights manifest. Keras'
 * converter wraps the model config in {keras_version, model_config}; tfjs' own save() does not.
 */
export const tfjsLayersModelSchema = z.object({
  modelTopology: z.union([z.object({ model_config: functionalModelSchema }).passthrough(), functionalModelSchema]),
  weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(weightSpecSchema) })),
});
export type TfjsLayersModelJson = z.infer<typeof tfjsLayersModelSchema>;

export interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
  /** Names of the layers whose (single) outputs feed this layer, in order. */
  inputs: string[];
}

export interface KerasWeight {
  shape: number[];
  data: Float32Array;
}

export interface KerasModel {
  layers: KerasLayer[];
  /** Dequantised weights by tfjs name, e.g. "Conv1/kernel", "bn_Conv1/moving_variance". */
  weights: Map<string, KerasWeight>;
}

/** Validates model.json content; throws ModelError naming the first problem. */
export function parseTfjsLayersModelJson(json: unknown, source: string): TfjsLayersModelJson {
  const parsed = tfjsLayersModelSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelError(`${source} is not a tfjs Layers model we can read: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** Builds the layer list and dequantised weights from validated model.json and its weight bytes. */
export function readKerasModel(json: TfjsLayersModelJson, weightData: Uint8Array): KerasModel {
  const topology = 'model_config' in json.modelTopology ? json.modelTopology.model_config : json.modelTopology;
  const layers = topology.config.layers.map((l) => {
    if (l.inbound_nodes.length > 1) throw new ModelError(`layer ${l.name} is shared (called more than once); not supported`);
    return {
      className: l.class_name,
      name: l.name,
      config: l.config,
      inputs: (l.inbound_nodes[0] ?? []).map((ref) => ref[0]),
    };
  });
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  return { layers, weights: dequantizeWeights(specs, weightData) };
}

/**
 * Splits the concatenated weight bytes into tensors. Quantised weights are stored as uint8/uint16
 * codes q with value = q * scale + min, exactly as tfjs-core's decodeWeights computes it.
 */
export function dequantizeWeights(specs: readonly WeightSpec[], data: Uint8Array): Map<string, KerasWeight> {
  const weights = new Map<string, KerasWeight>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const q = spec.quantization;
    const bytesPer = q ? (q.dtype === 'uint8' ? 1 : 2) : 4;
    if (offset + size * bytesPer > data.byteLength) {
      throw new ModelError(`weight data ends before weight ${spec.name} (need ${offset + size * bytesPer} bytes, have ${data.byteLength})`);
    }
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const at = offset + i * bytesPer;
      if (!q) values[i] = view.getFloat32(at, true);
      else values[i] = (bytesPer === 1 ? view.getUint8(at) : view.getUint16(at, true)) * q.scale + q.min;
    }
    weights.set(spec.name, { shape: spec.shape, data: values });
    offset += size * bytesPer;
  }
  if (offset !== data.byteLength) {
    throw new ModelError(`weight data has ${data.byteLength} bytes but the manifest describes ${offset}`);
  }
  return weights;
}
