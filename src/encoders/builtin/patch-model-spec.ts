// What the running pipeline needs to know of the built-in patch model (file names, grid), apart from
// the code that builds it (mobilenet-patches.ts), so the node and the re-ranker load none of the
// ONNX graph-building code.
export const MOBILENET_PATCHES = {
  name: 'mobilenetv2-block10-patches',
  file: 'mobilenetv2-block10-patches.onnx',
  manifestFile: 'mobilenetv2-block10-patches.yaml',
  outputName: 'patches',
  /** The backbone's own resolution at the 256 x 128 input (stride 16): one patch per cell. */
  cellsX: 16,
  cellsY: 8,
  centre: true,
  /** Values per cell after the fixed projection (96 channels in). */
  dim: 32,
  /** Seed of the projection: changing it changes the model (and its hash, so maps are refused). */
  projectionSeed: 12,
} as const;

/**
 * The frame model and the patch model as one ONNX model (built from the two, the shared backbone
 * computed once: src/onnx/merge.ts), so that with re-ranking one decode and one backbone pass give
 * both outputs. Its manifest names the two models' manifests; their identities are what maps record.
 */
export const MOBILENET_WITH_PATCHES = {
  name: 'mobilenetv2-block10-with-patches',
  file: 'mobilenetv2-block10-with-patches.onnx',
  manifestFile: 'mobilenetv2-block10-with-patches.yaml',
} as const;

/**
 * The patch model's cells before any projection (96 channels per cell): what `seqvpr train patches`
 * learns a projection from (extract them with config/patch-cells.yaml). Not used for matching.
 */
export const MOBILENET_CELLS = {
  name: 'mobilenetv2-block10-cells',
  file: 'mobilenetv2-block10-cells.onnx',
  manifestFile: 'mobilenetv2-block10-cells.yaml',
} as const;
