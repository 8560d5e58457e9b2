// Sequence encoder config -> a ready SequenceEncoder, checked against the frame encoder's dimension.
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, ModelError } from '../../core/errors.js';
import { parseConfig } from '../../core/parse-config.js';
import type { EncoderContext } from '../factory.js';
import { onnxRuntimeConfigShape } from '../onnx-model.js';
import type { SequenceEncoder } from '../types.js';
import { OnnxSequenceEncoder } from './onnx.js';
import { SingleFrameSequenceEncoder } from './single.js';
import { createDeltaEncoder, createSmoothingEncoder } from './weighted.js';

const length = z.number().int().positive();

export const sequenceEncoderConfigSchema = z.discriminatedUnion('kind', [
  /** The newest frame's descriptor (single-frame baselines); length is the window kept for matching. */
  z.object({ kind: z.literal('single'), length: length.default(1) }).strict(),
  z.object({ kind: z.literal('smoothing'), length: length.min(2) }).strict(),
  z.object({ kind: z.literal('delta'), length: length.min(2) }).strict(),
  z
    .object({
      kind: z.literal('onnx'),
      manifest: z.string().min(1),
      /** Optional: when given it must equal the manifest's input.length. */
      length: length.optional(),
      maxBatch: z.number().int().positive().default(64),
      ...onnxRuntimeConfigShape,
    })
    .strict(),
]);

export type SequenceEncoderConfig = z.input<typeof sequenceEncoderConfigSchema>;

export interface SequenceEncoderContext extends EncoderContext {
  /** Dimension of the frame descriptors the encoder will receive. */
  frameDim: number;
}

export async function createSequenceEncoder(config: SequenceEncoderConfig, context: SequenceEncoderContext): Promise<SequenceEncoder> {
  const c = parseConfig(sequenceEncoderConfigSchema, config, 'sequence encoder config');
  switch (c.kind) {
    case 'single':
      return new SingleFrameSequenceEncoder(context.frameDim, c.length);
    case 'smoothing':
      return createSmoothingEncoder(c.length, context.frameDim);
    case 'delta':
      return createDeltaEncoder(c.length, context.frameDim);
    case 'onnx': {
      const manifestPath = path.resolve(context.baseDir ?? process.cwd(), c.manifest);
      const encoder = await OnnxSequenceEncoder.load(manifestPath, {
        providers: c.providers, intraOpThreads: c.intraOpThreads, maxBatch: c.maxBatch, warn: context.warn,
      });
      try {
        if (c.length !== undefined && c.length !== encoder.length) {
          throw new ConfigError(`sequence encoder config: length: ${c.length} differs from the model's window length ${encoder.length} (${manifestPath}); drop it or set ${encoder.length}`);
        }
        if (encoder.inputDim !== context.frameDim) {
          throw new ModelError(`sequence model ${manifestPath} takes ${encoder.inputDim}-d frame descriptors, the frame encoder gives ${context.frameDim}-d; use the frame encoder it was trained on`);
        }
      } catch (e) {
        await encoder.close();
        throw e;
      }
      return encoder;
    }
  }
}
