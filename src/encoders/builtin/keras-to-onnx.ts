// Converts the convolutional part of a Keras functional model (channels_last) into ONNX nodes
// (NCHW). Supports what MobileNet-style backbones use: Conv2D, DepthwiseConv2D,
// BatchNormalization, ReLU (with max_value -> Clip), ZeroPadding2D and Add.
// Inference-time folding keeps the graph small and fast: BatchNormalization right after a
// convolution is folded into its weights and bias, and ZeroPadding2D right before a 'valid'
// convolution becomes that convolution's (possibly asymmetric) pads.
import { ModelError } from '../../core/errors.js';
import type { OnnxGraphBuilder } from '../../onnx/builder.js';
import type { KerasLayer, KerasModel } from './keras-model.js';

export interface ConvertOptions {
  /** ONNX tensor (NCHW float32) that stands for the Keras InputLayer. */
  input: string;
  /** Keras layer names whose outputs are needed; only their ancestors are converted. */
  outputs: readonly string[];
}

const CONV_CLASSES = new Set(['Conv2D', 'DepthwiseConv2D']);

/**
 * Appends the layers needed for `options.outputs` to `g`. Returns, for each Keras layer converted,
 * the ONNX tensor holding its output (NCHW); tensors are named after the Keras layers. A conv whose
 * BatchNormalization was folded maps to the BN's tensor; a folded ZeroPadding2D has no entry.
 * Layers named in `outputs` are never folded away, so their entries are exact.
 */
export function convertKerasLayers(model: KerasModel, g: OnnxGraphBuilder, options: ConvertOptions): Map<string, string> {
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  for (const o of options.outputs) {
    if (!byName.has(o)) throw new ModelError(`Keras model has no layer "${o}"`);
  }
  const needed = ancestors(byName, options.outputs);
  const layers = model.layers.filter((l) => needed.has(l.name)); // Keras lists layers in topological order
  const consumers = new Map<string, KerasLayer[]>();
  for (const l of layers) for (const i of l.inputs) consumers.set(i, [...(consumers.get(i) ?? []), l]);
  const exposed = new Set(options.outputs);
  const soleConsumer = (name: string): KerasLayer | undefined => {
    const c = consumers.get(name);
    return c?.length === 1 && !exposed.has(name) ? c[0] : undefined;
  };

  const tensor = new Map<string, string>();
  const ctx: LayerContext = { g, model, tensor, layer: (name) => byName.get(name), soleConsumer };
  for (const layer of layers) {
    if (tensor.has(layer.name)) continue; // already emitted as part of a fused conv + BN
    switch (layer.className) {
      case 'InputLayer':
        tensor.set(layer.name, options.input);
        break;
      case 'ZeroPadding2D':
        if (!foldsPadding(soleConsumer(layer.name))) emitPad(ctx, layer);
        break;
      case 'Conv2D':
      case 'DepthwiseConv2D':
        emitConv(ctx, layer);
        break;
      case 'BatchNormalization':
        emitBatchNorm(ctx, layer);
        break;
      case 'ReLU':
        emitRelu(ctx, layer);
        break;
      case 'Add':
        g.node('Sum', layer.inputs.map((i) => inputTensor(ctx, i)), [layer.name]);
        tensor.set(layer.name, layer.name);
        break;
      default:
        throw new ModelError(`cannot convert Keras layer ${layer.name} of class ${layer.className} to ONNX`);
    }
  }
  return tensor;
}

interface LayerContext {
  g: OnnxGraphBuilder;
  model: KerasModel;
  tensor: Map<string, string>;
  layer(name: string): KerasLayer | undefined;
  soleConsumer(name: string): KerasLayer | undefined;
}

function ancestors(byName: Map<string, KerasLayer>, outputs: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    const layer = byName.get(name);
    if (!layer) throw new ModelError(`Keras layer graph refers to unknown layer "${name}"`);
    seen.add(name);
    stack.push(...layer.inputs);
  }
  return seen;
}

function inputTensor(ctx: LayerContext, kerasName: string): string {
  const t = ctx.tensor.get(kerasName);
  if (t === undefined) throw new ModelError(`Keras layer ${kerasName} was not converted before its use`);
  return t;
}

function weight(ctx: LayerContext, layer: string, name: string): Float32Array {
  const w = ctx.model.weights.get(`${layer}/${name}`);
  if (!w) throw new ModelError(`Keras weights lack ${layer}/${name}`);
  return w.data;
}

function pair(value: unknown, what: string, layer: KerasLayer): [number, number] {
  const v = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isInteger(x))) {
    throw new ModelError(`Keras layer ${layer.name}: ${what} must be an integer pair, got ${JSON.stringify(value)}`);
  }
  return [v[0] as number, v[1] as number];
}

function requireChannelsLast(layer: KerasLayer): void {
  const f = layer.config.data_format;
  if (f !== undefined && f !== 'channels_last') {
    throw new ModelError(`Keras layer ${layer.name} uses data_format ${String(f)}; only channels_last is supported`);
  }
}

/** ZeroPadding2D pads as [top, left, bottom, right] (ONNX's begin..., end... order). */
function zeroPads(layer: KerasLayer): number[] {
  const p = layer.config.padding;
  if (typeof p === 'number') return [p, p, p, p];
  if (Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number')) return [p[0], p[1], p[0], p[1]];
  if (Array.isArray(p) && p.length === 2 && p.every((x) => Array.isArray(x) && x.length === 2)) {
    const [[top, bottom], [left, right]] = p as number[][];
    return [top, left, bottom, right];
  }
  throw new ModelError(`Keras layer ${layer.name}: unsupported padding ${JSON.stringify(p)}`);
}

/** A ZeroPadding2D whose sole consumer is a 'valid' conv becomes that conv's pads. */
function foldsPadding(next: KerasLayer | undefined): boolean {
  return next !== undefined && CONV_CLASSES.has(next.className) && next.config.padding === 'valid';
}

function emitPad(ctx: LayerContext, layer: KerasLayer): void {
  requireChannelsLast(layer);
  const [top, left, bottom, right] = zeroPads(layer);
  const pads = ctx.g.initializer(`${layer.name}/pads`, BigInt64Array.from([0, 0, top, left, 0, 0, bottom, right], BigInt), [8]);
  ctx.g.node('Pad', [inputTensor(ctx, layer.inputs[0]), pads], [layer.name], { mode: 'constant' });
  ctx.tensor.set(layer.name, layer.name);
}

/** Emits a convolution, with a following BatchNormalization folded in when it is the sole consumer. */
function emitConv(ctx: LayerContext, layer: KerasLayer): void {
  requireChannelsLast(layer);
  const [kh, kw] = pair(layer.config.kernel_size, 'kernel_size', layer);
  const strides = pair(layer.config.strides ?? 1, 'strides', layer);
  const dilations = pair(layer.config.dilation_rate ?? 1, 'dilation_rate', layer);
  const activation = layer.config.activation ?? 'linear';
  if (activation !== 'linear') throw new ModelError(`Keras layer ${layer.name}: fused activation ${String(activation)} is not supported`);

  // Input, with a preceding ZeroPadding2D folded into pads.
  let source = layer.inputs[0];
  let pads = [0, 0, 0, 0];
  const before = ctx.layer(source);
  if (before?.className === 'ZeroPadding2D' && !ctx.tensor.has(before.name)) {
    pads = zeroPads(before);
    source = before.inputs[0];
  }
  const attributes: Record<string, number[] | number | string> = { kernel_shape: [kh, kw], strides, dilations };
  if (layer.config.padding === 'same') {
    if (strides[0] === 1 && strides[1] === 1) {
      // TF 'same' with stride 1: total padding (k-1)*d, the odd pixel at the end.
      const th = (kh - 1) * dilations[0];
      const tw = (kw - 1) * dilations[1];
      attributes.pads = [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
    } else {
      attributes.auto_pad = 'SAME_UPPER'; // TF 'same' for strided convs depends on the input size
    }
  } else if (layer.config.padding === 'valid') {
    attributes.pads = pads;
  } else {
    throw new ModelError(`Keras layer ${layer.name}: unsupported padding ${String(layer.config.padding)}`);
  }

  // Keras kernels are [kh, kw, in, out] (Conv2D) or [kh, kw, in, multiplier] (DepthwiseConv2D).
  const depthwise = layer.className === 'DepthwiseConv2D';
  const kernelName = depthwise ? 'depthwise_kernel' : 'kernel';
  const kernel = ctx.model.weights.get(`${layer.name}/${kernelName}`);
  if (!kernel) throw new ModelError(`Keras weights lack ${layer.name}/${kernelName}`);
  const [, , cin, last] = kernel.shape;
  const cout = depthwise ? cin * last : last;
  const perOut = depthwise ? kh * kw : cin * kh * kw;
  const w = new Float32Array(cout * perOut);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let c = 0; c < cin; c++) {
        for (let m = 0; m < last; m++) {
          const v = kernel.data[((y * kw + x) * cin + c) * last + m];
          // ONNX: [out, in/group, kh, kw]; depthwise output channel c*multiplier+m reads input c.
          const at = depthwise ? ((c * last + m) * kh + y) * kw + x : ((m * cin + c) * kh + y) * kw + x;
          w[at] = v;
        }
      }
    }
  }
  if (depthwise) attributes.group = cin;
  const bias = new Float64Array(cout);
  if (layer.config.use_bias === true) weight(ctx, layer.name, 'bias').forEach((b, i) => (bias[i] = b));

  let outName = layer.name;
  const next = ctx.soleConsumer(layer.name);
  if (next?.className === 'BatchNormalization') {
    const { scale, shift } = batchNormAffine(ctx, next, cout);
    for (let o = 0; o < cout; o++) {
      for (let k = 0; k < perOut; k++) w[o * perOut + k] *= scale[o];
      bias[o] = bias[o] * scale[o] + shift[o];
    }
    outName = next.name;
    ctx.tensor.set(layer.name, outName); // the raw conv output no longer exists on its own
  }
  const wName = ctx.g.initializer(`${layer.name}/W`, w, depthwise ? [cout, 1, kh, kw] : [cout, cin, kh, kw]);
  const inputs = [inputTensor(ctx, source), wName];
  if (outName !== layer.name || layer.config.use_bias === true) {
    inputs.push(ctx.g.initializer(`${layer.name}/B`, Float32Array.from(bias), [cout]));
  }
  ctx.g.node('Conv', inputs, [outName], attributes, { name: layer.name });
  ctx.tensor.set(outName, outName);
}

/** Inference BatchNormalization as y = x * scale + shift per channel (computed in float64). */
function batchNormAffine(ctx: LayerContext, bn: KerasLayer, channels: number): { scale: Float64Array; shift: Float64Array } {
  const axis = bn.config.axis;
  if (!(axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3)))) {
    throw new ModelError(`Keras layer ${bn.name}: BatchNormalization over axis ${JSON.stringify(axis)} is not supported`);
  }
  const epsilon = typeof bn.config.epsilon === 'number' ? bn.config.epsilon : 1e-3; // Keras default
  const mean = weight(ctx, bn.name, 'moving_mean');
  const variance = weight(ctx, bn.name, 'moving_variance');
  const gamma = bn.config.scale === false ? undefined : weight(ctx, bn.name, 'gamma');
  const beta = bn.config.center === false ? undefined : weight(ctx, bn.name, 'beta');
  if (mean.length !== channels) throw new ModelError(`Keras layer ${bn.name} has ${mean.length} channels, expected ${channels}`);
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon);
    shift[c] = (beta ? beta[c] : 0) - mean[c] * scale[c];
  }
  return { scale, shift };
}

/** A BatchNormalization that does not follow a foldable conv: a per-channel Mul + Add. */
function emitBatchNorm(ctx: LayerContext, layer: KerasLayer): void {
  const channels = ctx.model.weights.get(`${layer.name}/moving_mean`)?.data.length;
  if (channels === undefined) throw new ModelError(`Keras weights lack ${layer.name}/moving_mean`);
  const { scale, shift } = batchNormAffine(ctx, layer, channels);
  const s = ctx.g.initializer(`${layer.name}/scale`, Float32Array.from(scale), [1, channels, 1, 1]);
  const b = ctx.g.initializer(`${layer.name}/shift`, Float32Array.from(shift), [1, channels, 1, 1]);
  const scaled = ctx.g.op('Mul', [inputTensor(ctx, layer.inputs[0]), s], {}, `${layer.name}/scaled`);
  ctx.g.node('Add', [scaled, b], [layer.name]);
  ctx.tensor.set(layer.name, layer.name);
}

function emitRelu(ctx: LayerContext, layer: KerasLayer): void {
  const { max_value: maxValue, negative_slope: slope = 0, threshold = 0 } = layer.config;
  if (slope !== 0 || threshold !== 0) {
    throw new ModelError(`Keras layer ${layer.name}: ReLU with negative_slope/threshold is not supported`);
  }
  const input = inputTensor(ctx, layer.inputs[0]);
  if (typeof maxValue === 'number') {
    // Opset >= 11 Clip takes its bounds as inputs; layers with the same bound share constants.
    const minName = 'relu/min';
    const maxName = `relu/max${maxValue}`;
    if (!ctx.g.has(minName)) ctx.g.scalar(minName, 0);
    if (!ctx.g.has(maxName)) ctx.g.scalar(maxName, maxValue);
    ctx.g.node('Clip', [input, minName, maxName], [layer.name]);
  } else {
    ctx.g.node('Relu', [input], [layer.name]);
  }
  ctx.tensor.set(layer.name, layer.name);
}
