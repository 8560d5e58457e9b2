// Which pooling head turns the converted MobileNetV2 (nsfwjs, frozen ImageNet layers up to
// block_10) into a good place descriptor? Measured on nordland64: map = summer, query = winter,
// 64x32 frames upscaled (sharp, stretch), 2400 queries, correct when |i - j| <= 1.
//   single : Recall@1 of the nearest map frame by cosine distance (no exclusions)
//   seq10  : Recall@1 of plain SeqSLAM: score(i, j) = sum_k D[i-k, j-k], k = 0..9, best i
//            (queries and map frames 9..2399, i.e. 2391 queries)
// Backbone feature maps are cached (float32 files) so heads can be re-run without the CNN.
// The last row runs the built model (models/mobilenetv2-block10.yaml, if built) end to end with its
// manifest's preprocessing, so the shipped file is measured, not just the experiment's head code.
//   npx tsx bench/cnn-heads.ts [--data ../shared/data/nordland64] [--cache DIR] [--limit N] [--threads 2]
//                              [--model models/mobilenetv2-block10.yaml] [--model-only]
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { readNsfwjsMobileNetV2 } from '../src/encoders/builtin/nsfwjs-model.js';
import { readKerasModel } from '../src/encoders/builtin/keras-model.js';
import { convertKerasLayers } from '../src/encoders/builtin/keras-to-onnx.js';
import { OnnxGraphBuilder } from '../src/onnx/builder.js';
import { frameModelManifestSchema, loadManifest } from '../src/encoders/manifest.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/nordland64' },
    cache: { type: 'string', default: path.join(os.tmpdir(), 'seqvpr-cnn-heads') },
    limit: { type: 'string' },
    threads: { type: 'string', default: '2' },
    model: { type: 'string', default: 'models/mobilenetv2-block10.yaml' },
    'model-only': { type: 'boolean', default: false },
  },
});
const threads = Number(args.threads);
const TOLERANCE = 1;
const SEQ_LEN = 10;

/** Pixel normalisation as the manifest states it: (byte * scale - mean) / std, per RGB channel. */
interface Pixels {
  width: number;
  height: number;
  scale: number;
  mean: readonly number[];
  std: readonly number[];
}
type Preprocess = 'pm1' | 'unit';
const PREPROCESS: Record<Preprocess, Omit<Pixels, 'width' | 'height'>> = {
  pm1: { scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, // [-1, 1], Keras MobileNetV2
  unit: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] }, // [0, 1], as nsfwjs feeds it
};
interface Config {
  width: number;
  height: number;
  pre: Preprocess;
  layers: string[];
}
/** A feature map as the ONNX graph returns it: NCHW without the batch axis. */
interface FeatureMap {
  c: number;
  h: number;
  w: number;
  data: Float32Array;
}
type Head = (f: FeatureMap) => Float32Array;

// ---------------------------------------------------------------- pooling heads (experiment code)

/** Adaptive pooling into gw x gh cells (PyTorch AdaptiveAvg/MaxPool2d cell bounds); cell-major, channel-minor. */
function gridPool(f: FeatureMap, gw: number, gh: number, kind: 'avg' | 'max' = 'avg', preNorm = false): Float32Array {
  const src = preNorm ? positionL2(f) : f.data;
  const out = new Float32Array(gw * gh * f.c);
  for (let gy = 0; gy < gh; gy++) {
    const y0 = Math.floor((gy * f.h) / gh);
    const y1 = Math.ceil(((gy + 1) * f.h) / gh);
    for (let gx = 0; gx < gw; gx++) {
      const x0 = Math.floor((gx * f.w) / gw);
      const x1 = Math.ceil(((gx + 1) * f.w) / gw);
      const n = (y1 - y0) * (x1 - x0);
      for (let c = 0; c < f.c; c++) {
        let acc = kind === 'max' ? -Infinity : 0;
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            const v = src[(c * f.h + y) * f.w + x];
            acc = kind === 'max' ? Math.max(acc, v) : acc + v;
          }
        }
        out[(gy * gw + gx) * f.c + c] = kind === 'max' ? acc : acc / n;
      }
    }
  }
  return out;
}

/** Each spatial position's channel vector scaled to unit length (a local descriptor normalisation). */
function positionL2(f: FeatureMap): Float32Array {
  const out = new Float32Array(f.data.length);
  const hw = f.h * f.w;
  for (let p = 0; p < hw; p++) {
    let s = 0;
    for (let c = 0; c < f.c; c++) s += f.data[c * hw + p] ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let c = 0; c < f.c; c++) out[c * hw + p] = f.data[c * hw + p] * inv;
  }
  return out;
}

/** GeM over the whole map (p = 3), the team's earlier global descriptor. */
function gem(f: FeatureMap, p = 3): Float32Array {
  const out = new Float32Array(f.c);
  const hw = f.h * f.w;
  for (let c = 0; c < f.c; c++) {
    let s = 0;
    for (let i = 0; i < hw; i++) s += Math.max(f.data[c * hw + i], 1e-6) ** p;
    out[c] = (s / hw) ** (1 / p);
  }
  return out;
}

/** L2 per block of `size` consecutive values (per grid cell). */
function blockL2(v: Float32Array, size: number): Float32Array {
  for (let b = 0; b < v.length; b += size) {
    let s = 0;
    for (let i = b; i < b + size; i++) s += v[i] * v[i];
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let i = b; i < b + size; i++) v[i] *= inv;
  }
  return v;
}

/** L2 per channel across cells (channel c at positions c, c + C, c + 2C, ...). */
function channelL2(v: Float32Array, channels: number): Float32Array {
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let i = c; i < v.length; i += channels) s += v[i] * v[i];
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let i = c; i < v.length; i += channels) v[i] *= inv;
  }
  return v;
}

/** Subtracts each channel's mean over the cells: keeps the layout, drops the frame's global appearance. */
function centre(v: Float32Array, channels: number): Float32Array {
  const cells = v.length / channels;
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let i = c; i < v.length; i += channels) s += v[i];
    for (let i = c; i < v.length; i += channels) v[i] -= s / cells;
  }
  return v;
}

function signedSqrt(v: Float32Array): Float32Array {
  for (let i = 0; i < v.length; i++) v[i] = Math.sign(v[i]) * Math.sqrt(Math.abs(v[i]));
  return v;
}

function l2(v: Float32Array): Float32Array {
  return blockL2(v, v.length);
}

const heads: Record<string, Head> = {
  'avg 8x4': (f) => gridPool(f, 8, 4),
  'avg 4x2': (f) => gridPool(f, 4, 2),
  'avg 16x8': (f) => gridPool(f, 16, 8),
  'avg 1x1': (f) => gridPool(f, 1, 1),
  'max 8x4': (f) => gridPool(f, 8, 4, 'max'),
  'avg 8x4 cellL2': (f) => blockL2(gridPool(f, 8, 4), f.c),
  'avg 8x4 chanL2': (f) => channelL2(gridPool(f, 8, 4), f.c),
  'avg 8x4 sqrt': (f) => signedSqrt(gridPool(f, 8, 4)),
  'avg 8x4 sqrt cellL2': (f) => blockL2(signedSqrt(gridPool(f, 8, 4)), f.c),
  'posL2 avg 8x4': (f) => gridPool(f, 8, 4, 'avg', true),
  'posL2 avg 4x2': (f) => gridPool(f, 4, 2, 'avg', true),
  'posL2 avg 16x8': (f) => gridPool(f, 16, 8, 'avg', true),
  'posL2 avg 8x4 cellL2': (f) => blockL2(gridPool(f, 8, 4, 'avg', true), f.c),
  'avg 8x4 centred': (f) => centre(gridPool(f, 8, 4), f.c),
  'avg 8x4 centred chanL2': (f) => channelL2(centre(gridPool(f, 8, 4), f.c), f.c),
  'avg 8x4 centred cellL2': (f) => blockL2(centre(gridPool(f, 8, 4), f.c), f.c),
  'avg 8x4 centred sqrt': (f) => signedSqrt(centre(gridPool(f, 8, 4), f.c)),
  'avg 4x2 centred': (f) => centre(gridPool(f, 4, 2), f.c),
  'avg 16x8 centred': (f) => centre(gridPool(f, 16, 8), f.c),
  'max 8x4 centred': (f) => centre(gridPool(f, 8, 4, 'max'), f.c),
  'gem global': (f) => gem(f),
};

/** Which heads run on which (config, layer): full sweeps at 256x128 for both preprocessings. */
const SWEEP = Object.keys(heads).filter((h) => h !== 'gem global');
const OTHER_LAYERS = {
  block_9_add: ['avg 8x4', 'avg 8x4 cellL2', 'avg 8x4 sqrt', 'avg 8x4 centred', 'avg 16x8 centred'],
  block_10_expand_relu: ['gem global', 'avg 8x4', 'avg 8x4 sqrt', 'avg 8x4 centred'],
  block_5_add: ['avg 8x4', 'posL2 avg 16x8', 'avg 8x4 centred'],
};
const LAYERS = ['block_10_project_BN', ...Object.keys(OTHER_LAYERS)];
const SIZE_HEADS = ['avg 8x4', 'avg 4x2', 'max 8x4', 'avg 8x4 centred', 'avg 4x2 centred', 'max 8x4 centred'];
const CONFIGS: { config: Config; plan: Record<string, string[]> }[] = [
  {
    config: { width: 256, height: 128, pre: 'pm1', layers: LAYERS },
    plan: { block_10_project_BN: SWEEP, ...OTHER_LAYERS },
  },
  {
    config: { width: 256, height: 128, pre: 'unit', layers: LAYERS },
    plan: { block_10_project_BN: SWEEP, ...OTHER_LAYERS },
  },
  ...(['pm1', 'unit'] as const).map((pre) => ({
    config: { width: 128, height: 64, pre, layers: ['block_10_project_BN'] },
    plan: { block_10_project_BN: SIZE_HEADS },
  })),
  {
    config: { width: 384, height: 192, pre: 'unit', layers: ['block_10_project_BN'] },
    plan: { block_10_project_BN: [...SIZE_HEADS, 'avg 16x8 centred'] },
  },
];

// ---------------------------------------------------------------- features

async function listFrames(dir: string, limit?: number): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.png')).sort();
  return names.slice(0, limit ?? names.length).map((n) => path.join(dir, n));
}

/** NCHW batch: stretch-resized with sharp's default kernel (what the pipeline's preprocess does). */
async function loadTensor(files: string[], px: Pixels): Promise<Float32Array> {
  const { width: W, height: H } = px;
  const out = new Float32Array(files.length * 3 * H * W);
  await Promise.all(
    files.map(async (file, b) => {
      const rgb = await sharp(file).removeAlpha().resize(W, H, { fit: 'fill' }).raw().toBuffer();
      for (let p = 0; p < H * W; p++) {
        for (let c = 0; c < 3; c++) {
          out[(b * 3 + c) * H * W + p] = (rgb[p * 3 + c] * px.scale - px.mean[c]) / px.std[c];
        }
      }
    }),
  );
  return out;
}

async function backboneSession(layers: string[]): Promise<ort.InferenceSession> {
  const source = readNsfwjsMobileNetV2();
  const model = readKerasModel(source.json, source.weightData);
  const g = new OnnxGraphBuilder('mobilenetv2-bench');
  g.input('image', 'float32', ['batch', 3, 'height', 'width']);
  const tensors = convertKerasLayers(model, g, { input: 'image', outputs: layers });
  for (const l of layers) g.output(tensors.get(l)!, 'float32', ['batch', 'c', 'h', 'w']);
  return ort.InferenceSession.create(g.toBytes(), { intraOpNumThreads: threads, interOpNumThreads: 1 });
}

/** Feature maps of every frame for each layer, from the cache or computed (batches of 16). */
async function features(files: string[], cfg: Config, tag: string): Promise<Map<string, FeatureMap[]>> {
  const key = (layer: string) => path.join(args.cache!, `${tag}-${cfg.width}x${cfg.height}-${cfg.pre}-${layer}-${files.length}.f32`);
  const result = new Map<string, FeatureMap[]>();
  const missing = cfg.layers.filter((l) => !existsSync(key(l)));
  if (missing.length > 0) {
    const session = await backboneSession(missing);
    const chunks = new Map<string, Float32Array[]>(missing.map((l) => [l, []]));
    const shape = new Map<string, number[]>();
    const t0 = performance.now();
    for (let i = 0; i < files.length; i += 16) {
      const batch = files.slice(i, i + 16);
      const x = new ort.Tensor('float32', await loadTensor(batch, { ...cfg, ...PREPROCESS[cfg.pre] }), [batch.length, 3, cfg.height, cfg.width]);
      const out = await session.run({ image: x });
      for (const l of missing) {
        chunks.get(l)!.push((out[l].data as Float32Array).slice());
        shape.set(l, (out[l].dims as number[]).slice(1));
      }
    }
    console.error(`  ${tag} ${cfg.width}x${cfg.height} ${cfg.pre}: ${files.length} frames in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await session.release();
    await mkdir(args.cache!, { recursive: true });
    for (const l of missing) {
      const [c, h, w] = shape.get(l)!;
      const all = new Float32Array(files.length * c * h * w);
      let o = 0;
      for (const chunk of chunks.get(l)!) {
        all.set(chunk, o);
        o += chunk.length;
      }
      await writeFile(key(l), Buffer.concat([Buffer.from(Int32Array.of(c, h, w).buffer), Buffer.from(all.buffer)]));
    }
  }
  for (const l of cfg.layers) {
    const buf = await readFile(key(l));
    const [c, h, w] = new Int32Array(buf.buffer, buf.byteOffset, 3);
    const all = new Float32Array(buf.buffer, buf.byteOffset + 12, (buf.byteLength - 12) / 4);
    const size = c * h * w;
    result.set(l, files.map((_, i) => ({ c, h, w, data: all.subarray(i * size, (i + 1) * size) })));
  }
  return result;
}

// ---------------------------------------------------------------- evaluation

let gemmSession: ort.InferenceSession | undefined;
/** Cosine distance matrix D[i * nq + j] = 1 - map_i . query_j, computed by onnxruntime (Gemm). */
async function distances(map: Float32Array[], query: Float32Array[]): Promise<Float32Array> {
  if (!gemmSession) {
    const g = new OnnxGraphBuilder('gemm');
    g.input('m', 'float32', ['nm', 'd']);
    g.input('q', 'float32', ['nq', 'd']);
    g.node('Gemm', ['m', 'q'], ['s'], { transB: 1 });
    g.output('s', 'float32', ['nm', 'nq']);
    gemmSession = await ort.InferenceSession.create(g.toBytes(), { intraOpNumThreads: threads });
  }
  const stack = (rows: Float32Array[]) => {
    const out = new Float32Array(rows.length * rows[0].length);
    rows.forEach((r, i) => out.set(r, i * r.length));
    return new ort.Tensor('float32', out, [rows.length, rows[0].length]);
  };
  const { s } = await gemmSession.run({ m: stack(map), q: stack(query) });
  const d = s.data as Float32Array;
  for (let i = 0; i < d.length; i++) d[i] = 1 - d[i];
  return d;
}

function recallSingle(d: Float32Array, nm: number, nq: number): number {
  let hits = 0;
  for (let j = 0; j < nq; j++) {
    let best = 0;
    for (let i = 1; i < nm; i++) if (d[i * nq + j] < d[best * nq + j]) best = i;
    if (Math.abs(best - j) <= TOLERANCE) hits++;
  }
  return hits / nq;
}

/** Plain SeqSLAM along the constant-speed diagonal, via prefix sums along diagonals. */
function recallSeq(d: Float32Array, nm: number, nq: number, L: number): number {
  const prefix = new Float64Array(nm * nq);
  for (let i = 0; i < nm; i++) {
    for (let j = 0; j < nq; j++) prefix[i * nq + j] = d[i * nq + j] + (i > 0 && j > 0 ? prefix[(i - 1) * nq + j - 1] : 0);
  }
  const window = (i: number, j: number) => prefix[i * nq + j] - (i >= L && j >= L ? prefix[(i - L) * nq + j - L] : 0);
  let hits = 0;
  for (let j = L - 1; j < nq; j++) {
    let best = L - 1;
    for (let i = L; i < nm; i++) if (window(i, j) < window(best, j)) best = i;
    if (Math.abs(best - j) <= TOLERANCE) hits++;
  }
  return hits / (nq - L + 1);
}

// ---------------------------------------------------------------- main

const limit = args.limit ? Number(args.limit) : undefined;
const summer = await listFrames(path.join(args.data!, 'summer'), limit);
const winter = await listFrames(path.join(args.data!, 'winter'), limit);
if (summer.length === 0 || summer.length !== winter.length) {
  throw new Error(`expected equal, non-empty summer/winter folders under ${args.data}`);
}
/** Descriptors of the built model, run as the pipeline will: manifest preprocessing, graph head. */
async function builtModelDescriptors(manifestPath: string, files: string[]): Promise<{ dim: number; rows: Float32Array[] }> {
  const { manifest, modelPath } = await loadManifest(manifestPath, frameModelManifestSchema);
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const { width, height, scale, mean, std } = manifest.input;
  const rows: Float32Array[] = [];
  for (let i = 0; i < files.length; i += manifest.maxBatch) {
    const batch = files.slice(i, i + manifest.maxBatch);
    const x = new ort.Tensor('float32', await loadTensor(batch, { width, height, scale, mean, std }), [batch.length, 3, height, width]);
    const out = (await session.run({ [manifest.input.name]: x }))[manifest.output.name].data as Float32Array;
    for (let b = 0; b < batch.length; b++) rows.push(out.slice(b * manifest.output.dim, (b + 1) * manifest.output.dim));
  }
  await session.release();
  return { dim: manifest.output.dim, rows };
}

async function report(label: string, m: Float32Array[], q: Float32Array[]): Promise<void> {
  const d = await distances(m, q);
  const single = recallSingle(d, m.length, q.length);
  const seq = recallSeq(d, m.length, q.length, SEQ_LEN);
  console.log(`${label} | ${m[0].length} | ${single.toFixed(3)} | ${seq.toFixed(3)} |`);
}

console.log(`nordland64: map=summer query=winter, ${winter.length} frames, tolerance ${TOLERANCE}, seq L=${SEQ_LEN}\n`);
console.log('| input | pre | layer | head | dim | R@1 single | R@1 seq10 |');
console.log('|---|---|---|---|---|---|---|');
for (const { config, plan } of args['model-only'] ? [] : CONFIGS) {
  const mapF = await features(summer, config, 'summer');
  const queryF = await features(winter, config, 'winter');
  for (const [layer, headNames] of Object.entries(plan)) {
    for (const name of headNames) {
      const describe = (f: FeatureMap) => l2(heads[name](f));
      const label = `| ${config.width}x${config.height} | ${config.pre} | ${layer} | ${name}`;
      await report(label, mapF.get(layer)!.map(describe), queryF.get(layer)!.map(describe));
    }
  }
}
if (existsSync(args.model!)) {
  const m = await builtModelDescriptors(args.model!, summer);
  const q = await builtModelDescriptors(args.model!, winter);
  await report(`| (built) | manifest | ${path.basename(args.model!)} | in-graph head`, m.rows, q.rows);
} else {
  console.error(`${args.model} not found: build it with "npx tsx src/encoders/builtin/build-models.ts models" to measure it`);
}
await gemmSession?.release();
