// The `rerank` section of the pipeline YAML: patch-level re-ranking of the fine matcher's best
// candidates (see reranker.ts). Off unless enabled; every parameter has a default.
import { z } from 'zod';
import { onnxRuntimeConfigShape } from '../encoders/onnx-model.js';

export const RERANK_DEFAULTS = {
  candidates: 3,
  frames: 5,
  patchSizes: [2, 3],
  tolerance: 1,
  searchRadius: 3,
  weight: 0.5,
  alongTrack: { rows: 0, columns: 4, minT: 2, confidenceRows: 0 },
};

export const rerankConfigSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Re-rank the best sequence candidates by local patch matches.'),
    model: z
      .string()
      .min(1)
      .optional()
      .describe('Patch model manifest (a frame-encoder manifest whose output is a cell grid); default: the built-in MobileNetV2 patch model.'),
    cellsX: z.number().int().positive().optional().describe('Grid of a custom patch model: cells across (built-in: 16).'),
    cellsY: z.number().int().positive().optional().describe('Grid of a custom patch model: cells down (built-in: 8).'),
    ...onnxRuntimeConfigShape,
    candidates: z.number().int().min(1).max(50).default(RERANK_DEFAULTS.candidates).describe('Best sequence candidates re-scored.'),
    frames: z.number().int().min(1).max(200).default(RERANK_DEFAULTS.frames).describe('Window frames compared per candidate (evenly spaced, newest included).'),
    patchSizes: z
      .array(z.number().int().min(1).max(16))
      .min(1)
      .default(RERANK_DEFAULTS.patchSizes)
      .describe('Patch sizes in cells (s x s windows of the patch grid), Patch-NetVLAD style multi-scale.'),
    tolerance: z.number().min(0).default(RERANK_DEFAULTS.tolerance).describe('Cells two patch displacements may differ by and still agree.'),
    searchRadius: z
      .number()
      .int()
      .min(0)
      .default(RERANK_DEFAULTS.searchRadius)
      .describe('Largest displacement (cells, x and y) between matching patches: the viewpoint change accepted.'),
    weight: z.number().min(0).max(0.99).default(RERANK_DEFAULTS.weight).describe('w in fused = sequence score * (1 - w * patch score).'),
    alongTrack: z
      .object({
        rows: z
          .number()
          .int()
          .min(0)
          .max(50)
          .default(RERANK_DEFAULTS.alongTrack.rows)
          .describe('Largest shift of the answer along the map, rows either way, chosen by row-aligned cell matching (0: off).'),
        columns: z
          .number()
          .int()
          .min(0)
          .default(RERANK_DEFAULTS.alongTrack.columns)
          .describe('Cells a query cell may move across (same row) in that matching: the sideways viewpoint change accepted.'),
        minT: z
          .number()
          .min(0)
          .default(RERANK_DEFAULTS.alongTrack.minT)
          .describe("Paired t statistic over the window's frames the move's similarity gain must reach (below: the answer stays)."),
        confidenceRows: z
          .number()
          .int()
          .min(0)
          .default(RERANK_DEFAULTS.alongTrack.confidenceRows)
          .describe('Scale the confidence by how sure the position along the place is, within this many rows (0: off).'),
      })
      .strict()
      .default(RERANK_DEFAULTS.alongTrack)
      .describe('Where along the matched place the camera is: a sideways camera offset looks like a move along the road to the place descriptor.'),
  })
  .strict()
  .refine((c) => (c.cellsX === undefined) === (c.cellsY === undefined) && (c.model !== undefined || c.cellsX === undefined), {
    message: 'cellsX and cellsY go together, and only with a custom model',
  });

export type RerankConfig = z.output<typeof rerankConfigSchema>;
