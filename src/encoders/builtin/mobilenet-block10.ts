// The built-in pretrained frame encoder: MobileNetV2 (alpha 1.0, ImageNet weights as shipped by
// nsfwjs) cut after block_10_project_BN (stride 16, 96 channels), then a spatial grid head.
// Choices are measured in bench/cnn-heads.ts (nordland64 summer -> winter); see the report there.
import { OnnxGraphBuilder } from '../../onnx/builder.js';
import type { FrameModelManifest } from '../manifest.js';
import { MANIFEST_VERSION } from '../manifest.js';
import { readKerasModel } from './keras-model.js';
import { convertKerasLayers } from './keras-to-onnx.js';
import { appendGridHead } from './grid-head.js';
import { appendInputNorm, describeInputNorm, type InputNormOptions } from './input-norm.js';
import { readNsfwjsMobileNetV2, type NsfwjsModelFiles } from './nsfwjs-model.js';

/** Bump whenever the converter or the head changes the model bytes: built files then rebuild. */
export const CONVERTER_VERSION = 2;

export const MOBILENET_BLOCK10 = {
  name: 'mobilenetv2-block10',
  file: 'mobilenetv2-block10.onnx',
  manifestFile: 'mobilenetv2-block10.yaml',
  /** Last converted Keras layer (the last frozen ImageNet layer of nsfwjs's model). */
  featureLayer: 'block_10_project_BN',
  featureChannels: 96,
  inputName: 'image',
  outputName: 'descriptor',
  /** Input size the head was tuned at (nordland64 frames upscaled 4x); the graph accepts any size. */
  width: 256,
  height: 128,
  cellsX: 8,
  cellsY: 4,
  centre: true,
  /** Horizontal soft binning of the grid (grid-head.ts): 0 = hard cells. */
  smoothX: 0 as number,
  /** Signed power normalisation of the centred grid (grid-head.ts): 1 = none. */
  power: 1 as number,
  /**
   * Per-image illumination normalisation of the input, inside the graph (input-norm.ts), shared by
   * the frame and patch models: one binomial blur (the noise of a dark, high-gain camera), then an
   * auto-exposure gain to ImageNet's mean pixel value (0.45 in [0, 1] units), at most 22.5x.
   * Chosen on the demo world (seed 7) and nordland64 frames 0-1199 (README, "Day, night and
   * sideways shifts").
   */
  inputNorm: { mode: 'gain', targetMean: 0.45, targetStd: 0.225, minStd: 0.02, minMean: 0.02, blurPasses: 1 } as InputNormOptions,
  /**
   * Pixels as RGB / 255 in [0, 1], the way nsfwjs feeds this model. Keras' MobileNetV2 convention
   * is [-1, 1], but [0, 1] measured clearly better here (bench/cnn-heads.ts).
   */
  scale: 1 / 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
} as const;

export const MOBILENET_BLOCK10_DIM = MOBILENET_BLOCK10.featureChannels * MOBILENET_BLOCK10.cellsX * MOBILENET_BLOCK10.cellsY;

/** What an experiment may vary in the built-in model (bench/robust-sweep.ts); defaults: the spec. */
export interface BackboneVariant {
  smoothX?: number;
  power?: number;
  inputNorm?: InputNormOptions;
}

export interface BuildOptions {
  /** Head / input variant to build instead of the spec's (experiments only). */
  variant?: BackboneVariant;
  /** Also output the backbone feature map (NCHW) under its Keras layer name, for verification. */
  exposeFeatureMap?: boolean;
  /** Already-read nsfwjs files (tests reuse them); read from node_modules when omitted. */
  source?: NsfwjsModelFiles;
}

/** The stamp that says which inputs a built model came from; stored in the manifest description. */
export function buildStamp(source: Pick<NsfwjsModelFiles, 'packageVersion'>): string {
  return `nsfwjs@${source.packageVersion}/converter@${CONVERTER_VERSION}`;
}

/** Converts the nsfwjs MobileNetV2 and appends the grid head; returns the ONNX bytes. */
export function buildMobileNetBlock10(options: BuildOptions = {}): Uint8Array {
  const spec = MOBILENET_BLOCK10;
  const source = options.source ?? readNsfwjsMobileNetV2();
  const v = { ...spec, ...options.variant };
  const { g, features } = backboneGraph(spec.name, describe(source), source, v.inputNorm);
  appendGridHead(g, features, { cellsX: spec.cellsX, cellsY: spec.cellsY, centre: spec.centre, smoothX: v.smoothX, power: v.power, output: spec.outputName });
  g.output(spec.outputName, 'float32', ['batch', MOBILENET_BLOCK10_DIM]);
  if (options.exposeFeatureMap) {
    g.output(features, 'float32', ['batch', spec.featureChannels, 'feature_height', 'feature_width']);
  }
  return g.toBytes();
}

/**
 * A graph holding the converted backbone up to block_10 (input `image`, NCHW), for a head to be
 * appended to `features`. Shared by the frame model and the patch model (mobilenet-patches.ts).
 */
export function backboneGraph(
  name: string,
  docString: string,
  source: NsfwjsModelFiles,
  inputNorm: InputNormOptions = MOBILENET_BLOCK10.inputNorm,
): { g: OnnxGraphBuilder; features: string } {
  const spec = MOBILENET_BLOCK10;
  const model = readKerasModel(source.json, source.weightData);
  const g = new OnnxGraphBuilder(name, { producerName: 'seqvpr', producerVersion: String(CONVERTER_VERSION), docString });
  g.meta('seqvpr.build', buildStamp(source));
  g.input(spec.inputName, 'float32', ['batch', 3, 'height', 'width']);
  const pixels = appendInputNorm(g, spec.inputName, inputNorm);
  const tensors = convertKerasLayers(model, g, { input: pixels, outputs: [spec.featureLayer] });
  return { g, features: tensors.get(spec.featureLayer)! };
}

/** The manifest written beside the model; `modelSha256` lets a later build detect a changed file. */
export function mobileNetBlock10Manifest(source: Pick<NsfwjsModelFiles, 'packageVersion'>, modelSha256: string): FrameModelManifest {
  const spec = MOBILENET_BLOCK10;
  return {
    version: MANIFEST_VERSION,
    kind: 'frame-encoder',
    name: spec.name,
    model: spec.file,
    input: {
      name: spec.inputName,
      width: spec.width,
      height: spec.height,
      resize: 'stretch',
      channels: 'rgb',
      layout: 'nchw',
      scale: spec.scale,
      mean: [...spec.mean],
      std: [...spec.std],
    },
    output: { name: spec.outputName, dim: MOBILENET_BLOCK10_DIM, l2Normalize: false },
    maxBatch: 16,
    description: `${describe(source)} build: ${buildStamp(source)} sha256: ${modelSha256}`,
    license: 'MIT (weights: nsfwjs MobileNetV2, ImageNet-pretrained layers up to block_10)',
  };
}

function describe(source: Pick<NsfwjsModelFiles, 'packageVersion'>): string {
  const s = MOBILENET_BLOCK10;
  return (
    `MobileNetV2 (ImageNet weights from nsfwjs@${source.packageVersion}) up to ${s.featureLayer}, ` +
    `input ${describeInputNorm(s.inputNorm)}, adaptive average grid ${s.cellsX}x${s.cellsY}${s.centre ? ', centred per channel' : ''}, L2-normalised in the graph.`
  );
}
