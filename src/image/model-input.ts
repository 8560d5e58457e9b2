// How a model wants its input image: size, resize mode, channels, layout and normalisation (the
// `input` block of a model manifest). The image stage turns decoded frames into this tensor.
import { z } from 'zod';

export const modelInputSchema = z
  .object({
    name: z.string().min(1),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    /** stretch: resize ignoring aspect; crop: cover then centre-crop; pad: contain then pad. */
    resize: z.enum(['stretch', 'crop', 'pad']).default('stretch'),
    channels: z.enum(['rgb', 'bgr', 'gray']).default('rgb'),
    layout: z.enum(['nchw', 'nhwc']).default('nchw'),
    /** Pixel value multiplier applied first (1/255 maps bytes to [0,1]). */
    scale: z.number().positive().default(1 / 255),
    mean: z.array(z.number()).min(1).max(3).default([0, 0, 0]),
    std: z.array(z.number().positive()).min(1).max(3).default([1, 1, 1]),
  })
  .strict();

export type ModelInputSpec = z.infer<typeof modelInputSchema>;
