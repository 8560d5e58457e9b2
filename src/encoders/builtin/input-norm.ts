// Illumination normalisation of the input image, inside the ONNX graph (so every model built on
// backboneGraph — frame, patch, combined — sees the same pixels): an optional blur against sensor
// noise, then per-image statistics brought to fixed targets (a gain, or a full standardisation).
// A night or under-exposed frame then reaches the network at the brightness of the images it was
// trained on (ImageNet's), instead of as a dim image whose weak activations the noise dominates.
import { int64s, type OnnxGraphBuilder } from '../../onnx/builder.js';

export type InputNormMode = 'none' | 'image' | 'channel' | 'gain';

export interface InputNormOptions {
  /**
   * none: pixels as given. image: one mean and standard deviation over all pixels and channels
   * (brightness and contrast; colour ratios kept). channel: per colour channel (also removes a tint).
   * gain: one multiplicative gain per image that brings its mean to targetMean (an auto-exposure:
   * ratios between pixels kept, so a snowy or hazy low-contrast image is not stretched).
   */
  mode: InputNormMode;
  /** Mean (all modes) and standard deviation (image, channel) every image is mapped to, in input units. */
  targetMean: number;
  targetStd: number;
  /**
   * Smallest standard deviation (image, channel) or mean (gain) divided by: caps the gain, so a flat
   * or black image is not blown up into pure noise.
   */
  minStd: number;
  minMean: number;
  /**
   * Passes of a 3 x 3 binomial blur ([1 2 1] / 4 each way) before the statistics are taken (0: none).
   * It suppresses the pixel noise of a dark, high-gain camera (white noise std x 0.375 per pass) while
   * keeping the coarse structure that a stride-16 feature map sees.
   */
  blurPasses?: number;
}

/**
 * Appends the normalisation to `input` (NCHW float), statistics taken per image after the optional
 * blur: image / channel: x' = (x - mean) / max(std, minStd) * targetStd + targetMean; gain:
 * x' = x * targetMean / max(mean, minMean). Returns the normalised tensor's name (`input` itself
 * when there is nothing to do).
 */
export function appendInputNorm(g: OnnxGraphBuilder, input: string, options: InputNormOptions): string {
  for (let i = 0; i < (options.blurPasses ?? 0); i++) input = appendBinomialBlur(g, input);
  if (options.mode === 'none') return input;
  const axes = options.mode === 'channel' ? [2, 3] : [1, 2, 3];
  if (options.mode === 'gain') {
    const m = g.op('ReduceMean', [input], { axes, keepdims: 1 }, 'input_norm/mean');
    const floor = g.op('Max', [m, g.scalar('input_norm/min_mean', options.minMean)], {}, 'input_norm/mean_floor');
    return g.op('Mul', [input, g.op('Div', [g.scalar('input_norm/target_mean', options.targetMean), floor], {}, 'input_norm/gain')], {}, 'input_norm/out');
  }
  const mean = g.op('ReduceMean', [input], { axes, keepdims: 1 }, 'input_norm/mean');
  const centred = g.op('Sub', [input, mean], {}, 'input_norm/centred');
  const variance = g.op('ReduceMean', [g.op('Mul', [centred, centred], {}, 'input_norm/sq')], { axes, keepdims: 1 }, 'input_norm/var');
  const std = g.op('Sqrt', [variance], {}, 'input_norm/std');
  const floor = g.op('Max', [std, g.scalar('input_norm/min_std', options.minStd)], {}, 'input_norm/std_floor');
  const gain = g.op('Div', [g.scalar('input_norm/target_std', options.targetStd), floor], {}, 'input_norm/gain');
  const scaled = g.op('Mul', [centred, gain], {}, 'input_norm/scaled');
  return g.op('Add', [scaled, g.scalar('input_norm/target_mean', options.targetMean)], {}, 'input_norm/out');
}

/** One 3 x 3 binomial blur of each channel of an NCHW image (3 channels), edges replicated. */
function appendBinomialBlur(g: OnnxGraphBuilder, input: string): string {
  const k1 = [1, 2, 1];
  const kernel = new Float32Array(3 * 9);
  for (let c = 0; c < 3; c++) for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) kernel[c * 9 + y * 3 + x] = (k1[y] * k1[x]) / 16;
  const weights = g.has('input_norm/blur_kernel') ? 'input_norm/blur_kernel' : g.initializer('input_norm/blur_kernel', kernel, [3, 1, 3, 3]);
  const pads = g.has('input_norm/blur_pads') ? 'input_norm/blur_pads' : g.initializer('input_norm/blur_pads', int64s([0, 0, 1, 1, 0, 0, 1, 1]), [8]);
  const padded = g.op('Pad', [input, pads], { mode: 'edge' }, 'input_norm/blur_pad');
  return g.op('Conv', [padded, weights], { group: 3, kernel_shape: [3, 3] }, 'input_norm/blur');
}

/** One line for model descriptions, e.g. "blur x1, gain to mean 0.45". */
export function describeInputNorm(o: InputNormOptions): string {
  const blur = o.blurPasses ? `3x3 binomial blur x${o.blurPasses}, ` : '';
  if (o.mode === 'none') return `${blur}not normalised`;
  if (o.mode === 'gain') return `${blur}gain to mean ${o.targetMean} (mean floor ${o.minMean})`;
  return `${blur}standardised per ${o.mode} to mean ${o.targetMean}, std ${o.targetStd} (std floor ${o.minStd})`;
}
