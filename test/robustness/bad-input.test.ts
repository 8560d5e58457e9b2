// The bad-input catalogue, one test per item, each on both paths where the item can reach them:
//   command line: a clear error is exit code 1 and exactly one "seqvpr: ..." line on stderr (no
//                 stack trace unless --debug), and nothing half-written is left behind; a bad
//                 frame is skipped with a warning and counted, and the run goes on;
//   live node:    a bad frame is a counted skip (by reason, as /diagnostics reports it), the node
//                 stays active and later good frames are still processed; a bad map, model or
//                 config fails configure with a logged reason and leaves the node unconfigured.
// Fixtures are synthetic (patchnorm or tiny generated ONNX front ends), so nothing needs ../shared/data.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { DescriptorError } from '../../src/core/errors.js';
import type { Frame, ImageSource } from '../../src/core/types.js';
import type { FrameEncoder } from '../../src/encoders/types.js';
import { loadMap } from '../../src/map/load-map.js';
import { createFrontend, createRecognizer } from '../../src/pipeline/assemble.js';
import { loadPipelineConfig } from '../../src/pipeline/config.js';
import type { FrameResult } from '../../src/pipeline/recognizer.js';
import { writePlacePng } from '../support/synthetic-images.js';
import { stampToNs } from '../../src/bag/stamp.js';
import {
  HEIGHT,
  PERIOD_NS,
  QUERY_LIGHT,
  WIDTH,
  buildSavedMap,
  compressedMsg,
  imageMsg,
  nodeUnderTest,
  queryImages,
  stampOf,
  writePipelineConfig,
  type NodeUnderTest,
  type PlaceImage,
} from '../ros/helpers.js';
import {
  assertFailedCleanly,
  assertNothingWritten,
  compressedImage,
  diagnosticValue,
  rawImage,
  seqvpr,
  seqvprProcess,
  writeImageBag,
  writeOnnxFrontends,
} from './helpers.js';

/** Map places; the query runs see the same places under other light. */
const PLACES = 16;
const BLACK = new Uint8Array(WIDTH * HEIGHT);

type Msg = Record<string, any>;

describe('bad input catalogue (command line and live node)', function () {
  this.timeout(120_000);
  let dir: string;
  /** patchnorm pipeline (small, fast). */
  let config: string;
  let onnx: Awaited<ReturnType<typeof writeOnnxFrontends>>;
  /** Saved maps of the PLACES map places: patchnorm, and the NaN-prone `log` ONNX front end. */
  let mapDir: string;
  let logMapDir: string;
  /** The query places as PNG / JPEG / mono8 bytes, and as a folder of PNGs (img-00.png ...). */
  let images: PlaceImage[];
  let queryFolder: string;
  let t: NodeUnderTest | undefined;
  let serial = 0;
  const fresh = (name: string) => path.join(dir, `${name}-${++serial}`);

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-robust-'));
    config = await writePipelineConfig(dir);
    onnx = await writeOnnxFrontends(dir);
    mapDir = path.join(dir, 'map');
    logMapDir = path.join(dir, 'map-log');
    await buildSavedMap(dir, config, mapDir, PLACES);
    await buildSavedMap(dir, onnx.log, logMapDir, PLACES);
    images = await queryImages(dir, Array.from({ length: PLACES }, (_, p) => p));
    queryFolder = path.join(dir, 'queries');
    await mkdir(queryFolder);
    for (let p = 0; p < PLACES; p++) await writePlacePng(path.join(queryFolder, `img-${String(p).padStart(2, '0')}.png`), p, WIDTH, HEIGHT, QUERY_LIGHT(5000 + p));
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    process.exitCode = 0;
    if (t) {
      if (t.port.lifecycleState !== 'finalized') await t.port.transition('shutdown');
      t = undefined;
    }
  });

  /** A node on the fake transport (localize against the patchnorm map unless overridden), started. */
  const startNode = async (overrides: Record<string, any> = {}, start = true): Promise<NodeUnderTest> => {
    if (t && t.port.lifecycleState !== 'finalized') await t.port.transition('shutdown');
    t = await nodeUnderTest({ map_path: mapDir, config_file: config, ...overrides });
    if (start) assert.equal(await t.node.start(), true, t.port.logsMatching(/./).map((l) => l.message).join('\n'));
    return t;
  };

  /** Publishes `message` on `topic` and waits until the node has processed (or skipped) it. */
  const feed = async (topic: string, message: Record<string, unknown>) => {
    t!.port.publish(topic, message);
    await t!.node.whenIdle();
  };

  /** Which input frames (by stamp) got a place match. */
  const matchedFrames = (): number[] =>
    (t!.port.messages('~/place_match') as Msg[]).map((m) => Number((stampToNs(m.header.stamp) - stampOf(0)) / PERIOD_NS));

  /** A copy of the query folder plus `extra` files (name -> bytes), sorted after the good ones. */
  const queryFolderWith = async (extra: Record<string, Uint8Array>): Promise<string> => {
    const folder = fresh('folder');
    await cp(queryFolder, folder, { recursive: true });
    for (const [name, bytes] of Object.entries(extra)) await writeFile(path.join(folder, name), bytes);
    return folder;
  };

  const metricsOf = async (out: string) => JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8'));
  const csvRows = async (out: string) => (await readFile(path.join(out, 'matches.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
  const mapFrames = async (m: string) => JSON.parse(await readFile(path.join(m, 'manifest.json'), 'utf8')).frames as number;

  /** Replays `bag` against the patchnorm map; returns the run and its out folder. */
  const replay = async (bag: string, topic: string, ...extra: string[]) => {
    const out = fresh('replay');
    const run = await seqvpr('replay', '--map', mapDir, '--bag', bag, '--image-topic', topic, '--gt', 'aligned:1', '--out', out, '--config', config, ...extra);
    return { run, out };
  };

  /** Bag of the query places as mono8 Images, with `bad` replacing message i. */
  const queryBag = async (bad: Record<number, Record<string, unknown>>, options: { chunkSizeBytes?: number } = {}) =>
    writeImageBag(fresh('bag'), images.map((img, i) => bad[i] ?? rawImage(i, img.mono8)), options);

  it('corrupt JPEG/PNG', async () => {
    const png = images[3].png;
    const corruptPng = Buffer.concat([Buffer.from(png.subarray(0, 8)), Buffer.alloc(200, 0x5a)]); // PNG signature, then garbage
    const truncatedJpeg = images[4].jpeg.subarray(0, 150);

    // Command line: each bad file is skipped with a warning naming it, counted, and the run goes on.
    const folder = await queryFolderWith({ 'img-16-corrupt.png': corruptPng, 'img-17-truncated.jpg': truncatedJpeg });
    const built = fresh('map');
    const build = await seqvpr('map', 'build', '--images', folder, '--out', built, '--config', config);
    assert.equal(build.code, 0, build.stderr);
    assert.match(build.stderr, /warning: skipped map frame img-16-corrupt\.png: cannot decode image file/);
    assert.match(build.stderr, /warning: skipped map frame img-17-truncated\.jpg: cannot decode image file/);
    assert.match(build.stderr, /warning: 2 map frames could not be read and were skipped/);
    assert.equal(await mapFrames(built), PLACES);

    const out = fresh('eval');
    const evaluation = await seqvpr('eval', '--map', mapDir, '--query', folder, '--gt', 'aligned:1', '--out', out, '--config', config);
    assert.equal(evaluation.code, 0, evaluation.stderr);
    assert.match(evaluation.stderr, /warning: skipped query 16: cannot decode/);
    assert.match(evaluation.stderr, /warning: skipped query 17: cannot decode/);
    assert.equal((await metricsOf(out)).queries, PLACES + 2, 'skipped queries count (as unanswered)');
    assert.deepEqual((await csvRows(out)).slice(-2).map((r) => [r[0], r[1]]), [['16', ''], ['17', '']]);

    // Nothing readable at all: no map, one line.
    const allBad = await mkdtemp(path.join(dir, 'all-bad-'));
    await writeFile(path.join(allBad, 'a.png'), corruptPng);
    await writeFile(path.join(allBad, 'b.jpg'), truncatedJpeg);
    const nothing = fresh('map');
    assertFailedCleanly(await seqvpr('map', 'build', '--images', allBad, '--out', nothing, '--config', config), /none of the 2 frames of .* could be read .*; no map built/);
    await assertNothingWritten(nothing);

    // Live: corrupt frames are counted as corrupt_image; the frames around them are matched.
    const { port, node } = await startNode({ image_transport: 'compressed' });
    await feed('image/compressed', compressedMsg(stampOf(0), images[0].jpeg, 'jpeg'));
    await feed('image/compressed', compressedMsg(stampOf(1), truncatedJpeg, 'jpeg'));
    await feed('image/compressed', compressedMsg(stampOf(2), corruptPng, 'png'));
    await feed('image/compressed', compressedMsg(stampOf(3), png, 'png'));
    assert.equal(node.badInputCount('corrupt_image'), 2);
    assert.equal(port.lifecycleState, 'active');
    assert.deepEqual(matchedFrames(), [0, 3], 'the good frames');
  });

  it('zero-size image', async () => {
    // Command line, image folder: an empty file is named as such and skipped.
    const folder = await queryFolderWith({ 'img-16.png': new Uint8Array(0) });
    const built = fresh('map');
    const build = await seqvpr('map', 'build', '--images', folder, '--out', built, '--config', config);
    assert.equal(build.code, 0, build.stderr);
    assert.match(build.stderr, /warning: skipped map frame img-16\.png: image file .*img-16\.png is empty \(0 bytes\)/);
    assert.equal(await mapFrames(built), PLACES);

    // Command line, bags: a 0x0 Image and an empty CompressedImage are skipped and count as unanswered queries.
    const raw = await queryBag({ 5: rawImage(5, new Uint8Array(0), { width: 0, height: 0, step: 0 }) });
    const r1 = await replay(raw, '/camera/image_raw');
    assert.equal(r1.run.code, 0, r1.run.stderr);
    assert.match(r1.run.stderr, /warning: skipped image \/camera\/image_raw#5: .*empty image \(0x0\)/);
    assert.equal((await metricsOf(r1.out)).queries, PLACES);
    assert.deepEqual((await csvRows(r1.out))[5].slice(0, 2), ['5', '']);
    const compressed = await writeImageBag(fresh('bag'), images.map((img, i) => compressedImage(i, i === 7 ? new Uint8Array(0) : img.png, 'png')), { compressed: true });
    const r2 = await replay(compressed, '/camera/image_raw/compressed');
    assert.equal(r2.run.code, 0, r2.run.stderr);
    assert.match(r2.run.stderr, /warning: skipped image \/camera\/image_raw\/compressed#7: .*data is empty/);
    assert.equal((await metricsOf(r2.out)).queries, PLACES);

    // Live: counted as empty_image on either transport; the next frame is matched.
    let n = await startNode({ image_transport: 'raw' });
    await feed('image', imageMsg(stampOf(0), new Uint8Array(0), { width: 0, height: 0, step: 0 }));
    await feed('image', imageMsg(stampOf(1), images[1].mono8));
    assert.equal(n.node.badInputCount('empty_image'), 1);
    assert.equal(n.port.messages('~/place_match').length, 1);
    n = await startNode({ image_transport: 'compressed' });
    await feed('image/compressed', compressedMsg(stampOf(0), new Uint8Array(0), 'jpeg'));
    await feed('image/compressed', compressedMsg(stampOf(1), images[1].jpeg, 'jpeg'));
    assert.equal(n.node.badInputCount('empty_image'), 1);
    assert.equal(n.port.messages('~/place_match').length, 1);
  });

  it('unknown encoding', async () => {
    const gif = new TextEncoder().encode('GIF89a\x01\x00\x01\x00\x00\x00\x00;');
    // Command line: a raw encoding seqvpr cannot convert, and compressed bytes that are neither PNG nor JPEG.
    const raw = await queryBag({ 3: rawImage(3, images[3].mono8, { encoding: '32FC1' }), 4: rawImage(4, new Uint8Array(WIDTH * HEIGHT * 2), { encoding: 'bayer_rggb16', step: WIDTH * 2 }) });
    const r1 = await replay(raw, '/camera/image_raw');
    assert.equal(r1.run.code, 0, r1.run.stderr);
    assert.match(r1.run.stderr, /warning: skipped query 3: .*unsupported image encoding "32FC1"; supported: rgb8, /);
    assert.match(r1.run.stderr, /warning: skipped query 4: .*"bayer_rggb16"/);
    const m1 = await metricsOf(r1.out);
    assert.equal(m1.queries, PLACES);
    const compressed = await writeImageBag(fresh('bag'), images.map((img, i) => compressedImage(i, i === 2 ? gif : img.jpeg, i === 2 ? 'gif' : 'jpeg')), { compressed: true });
    const r2 = await replay(compressed, '/camera/image_raw/compressed');
    assert.equal(r2.run.code, 0, r2.run.stderr);
    assert.match(r2.run.stderr, /warning: skipped image \/camera\/image_raw\/compressed#2: compressed image \(format "gif"\) is neither PNG nor JPEG: it starts with bytes 47 49 46/);
    assert.equal((await metricsOf(r2.out)).queries, PLACES);

    // Live: counted as unsupported_encoding, with the supported list in the log.
    let n = await startNode({ image_transport: 'raw' });
    await feed('image', imageMsg(stampOf(0), images[0].mono8, { encoding: '32FC1' }));
    await feed('image', imageMsg(stampOf(1), images[1].mono8));
    assert.equal(n.node.badInputCount('unsupported_encoding'), 1);
    assert.match(n.port.logsMatching(/unsupported_encoding/)[0].message, /"32FC1" is not supported; publish one of rgb8/);
    assert.equal(n.port.messages('~/place_match').length, 1);
    n = await startNode({ image_transport: 'compressed' });
    await feed('image/compressed', compressedMsg(stampOf(0), gif, 'gif'));
    await feed('image/compressed', compressedMsg(stampOf(1), images[1].png, 'png'));
    assert.equal(n.node.badInputCount('unsupported_encoding'), 1);
    assert.equal(n.port.messages('~/place_match').length, 1);
    assert.equal(n.port.lifecycleState, 'active');
  });

  it('wrong step/size fields', async () => {
    const bad = {
      2: rawImage(2, images[2].mono8, { step: WIDTH - 14 }), // step shorter than a row
      3: rawImage(3, images[3].mono8.subarray(0, 100)), // fewer bytes than step * height
      4: rawImage(4, images[4].mono8, { encoding: 'rgb8' }), // step = width, but an rgb8 row needs 3 * width bytes
    };
    // Command line: each is skipped with a warning saying which field is wrong, and counted.
    const { run, out } = await replay(await queryBag(bad), '/camera/image_raw');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /skipped image \/camera\/image_raw#2: malformed sensor_msgs\/msg\/Image: step \(50\) is smaller than width \(64\)/);
    assert.match(run.stderr, /skipped image \/camera\/image_raw#3: .*data holds 100 bytes, fewer than step \* height = 2048/);
    assert.match(run.stderr, /skipped query 4: .*step/);
    assert.equal((await metricsOf(out)).queries, PLACES);
    assert.deepEqual((await csvRows(out)).slice(2, 5).map((r) => r[1]), ['', '', ''], 'unanswered');

    // Live: the first two are malformed messages, the third fails to decode; good frames go on.
    const { node } = await startNode({ image_transport: 'raw' });
    await feed('image', imageMsg(stampOf(0), images[0].mono8));
    for (const [i, fields] of [[2, { step: WIDTH - 14 }], [3, { data: images[3].mono8.subarray(0, 100) }], [4, { encoding: 'rgb8' }]] as const) {
      await feed('image', imageMsg(stampOf(i), images[i].mono8, fields));
    }
    await feed('image', imageMsg(stampOf(5), images[5].mono8));
    assert.equal(node.badInputCount('malformed_message'), 2);
    assert.equal(node.badInputCount('corrupt_image'), 1);
    assert.deepEqual(matchedFrames(), [0, 5]);
  });

  it('NaN descriptors from a model', async () => {
    // Command line: the `log` model turns a black frame into -Infinity; that frame is skipped, named.
    const png = async (pixels: Uint8Array) => new Uint8Array(await sharp(Buffer.from(pixels), { raw: { width: WIDTH, height: HEIGHT, channels: 1 } }).png().toBuffer());
    const folder = await queryFolderWith({ 'img-16-black.png': await png(BLACK) });
    const built = fresh('map');
    const build = await seqvpr('map', 'build', '--images', folder, '--out', built, '--config', onnx.log);
    assert.equal(build.code, 0, build.stderr);
    assert.match(build.stderr, /warning: skipped map frame img-16-black\.png: model .*log\.onnx produced NaN or Infinity/);
    assert.equal(await mapFrames(built), PLACES);
    const out = fresh('eval');
    const evaluation = await seqvpr('eval', '--map', logMapDir, '--query', folder, '--gt', 'aligned:1', '--out', out, '--config', onnx.log);
    assert.equal(evaluation.code, 0, evaluation.stderr);
    assert.match(evaluation.stderr, /warning: skipped query 16: model .* produced NaN or Infinity/);
    assert.equal((await metricsOf(out)).queries, PLACES + 1);

    // Any encoder: a NaN (or wrongly sized) descriptor is refused before it enters the query window,
    // so the frames after it are matched exactly as if it had never arrived.
    const loaded = await loadPipelineConfig(config);
    const map = await loadMap(mapDir);
    const plain = await createFrontend(loaded);
    let poisoned = new Set<number>();
    const inner = plain.frameEncoder;
    const faulty: FrameEncoder = {
      id: inner.id, hash: inner.hash, dim: inner.dim, provider: inner.provider, close: () => inner.close(),
      async encode(sources: readonly ImageSource[]) {
        const out = await inner.encode(sources);
        return sources.map((s, k) => {
          const mark = s.kind === 'compressed' ? Number(s.format.slice(5)) : -1; // format "mark:N"
          if (!poisoned.has(mark)) return out[k];
          return mark % 2 ? new Float32Array(inner.dim).fill(Number.NaN) : new Float32Array(7);
        });
      },
    };
    const withFaults = await createFrontend(loaded, { frameEncoder: faulty });
    const frame = (i: number): Frame => ({ index: i, stamp: stampOf(i), frameId: 'camera', image: { kind: 'compressed', format: `mark:${i}`, data: images[i].png } });
    const run = async (indices: number[]): Promise<FrameResult[]> => {
      const recognizer = createRecognizer(withFaults, map);
      const results: FrameResult[] = [];
      for (const i of indices) results.push(await recognizer.process(frame(i)));
      return results;
    };
    const all = Array.from({ length: 12 }, (_, i) => i);
    poisoned = new Set([5, 6]);
    const faultyRun = await run(all);
    for (const i of [5, 6]) {
      const r = faultyRun[i];
      assert.ok(r.kind === 'skipped' && r.error instanceof DescriptorError, `frame ${i} is skipped with a DescriptorError`);
      assert.match(r.error.message, i === 5 ? /returned NaN or Infinity/ : /returned 7 values, the map's descriptors have 512/);
    }
    poisoned = new Set();
    const cleanRun = await run(all.filter((i) => i !== 5 && i !== 6));
    const summary = (r: FrameResult) => (r.kind === 'match' ? { q: r.match.queryIndex, m: r.match.mapIndex, c: r.match.confidence, path: r.match.correspondences } : r.kind);
    assert.deepEqual(faultyRun.filter((r) => r.kind !== 'skipped').map(summary), cleanRun.map(summary));
    await plain.close();

    // Live: counted as invalid_descriptor; the node keeps matching.
    const { port, node } = await startNode({ image_transport: 'raw', config_file: onnx.log, map_path: logMapDir });
    await feed('image', imageMsg(stampOf(0), images[0].mono8));
    await feed('image', imageMsg(stampOf(1), BLACK));
    await feed('image', imageMsg(stampOf(2), images[2].mono8));
    assert.equal(node.badInputCount('invalid_descriptor'), 1);
    assert.match(port.logsMatching(/invalid_descriptor/)[0].message, /produced NaN or Infinity/);
    assert.deepEqual(matchedFrames(), [0, 2]);
    assert.equal(port.lifecycleState, 'active');
  });

  it('model with wrong output dims', async () => {
    const message = /model outputs 32 values per image, manifest says 20 \(.*\.onnx\); fix output\.dim or the export/;
    // Command line: whether the model says so in its graph (caught at load) or only when it runs,
    // the command fails with one line and writes nothing (it used to skip every frame and save an empty map).
    for (const cfg of [onnx.wrongDimStatic, onnx.wrongDimDynamic]) {
      const built = fresh('map');
      assertFailedCleanly(await seqvpr('map', 'build', '--images', queryFolder, '--out', built, '--config', cfg), message);
      await assertNothingWritten(built);
      const out = fresh('eval');
      assertFailedCleanly(await seqvpr('eval', '--map', queryFolder, '--query', queryFolder, '--gt', 'aligned:1', '--out', out, '--config', cfg), message);
      await assertNothingWritten(out);
      const loops = fresh('loops');
      assertFailedCleanly(await seqvpr('loops', '--images', queryFolder, '--out', loops, '--config', cfg), message);
      await assertNothingWritten(loops);
      const npy = path.join(dir, `extract-${++serial}.npy`);
      assertFailedCleanly(await seqvpr('extract', '--images', queryFolder, '--out', npy, '--config', cfg), message);
      assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith(path.basename(npy)) && !n.endsWith('.partial')), [], 'no .npy or sidecar');
    }

    // Live, caught at load: configure fails with the reason and the node stays unconfigured.
    let n = await startNode({ config_file: onnx.wrongDimStatic }, false);
    assert.equal(await n.node.start(), false);
    assert.equal(n.port.lifecycleState, 'unconfigured');
    assert.equal(n.port.logsMatching(message).length, 1);
    // Live, caught at run time: every frame is a counted processing_error; the node stays up.
    n = await startNode({ config_file: onnx.wrongDimDynamic, mode: 'map', map_path: '', image_transport: 'raw' });
    for (let i = 0; i < 3; i++) await feed('image', imageMsg(stampOf(i), images[i].mono8));
    assert.equal(n.node.badInputCount('processing_error'), 3);
    assert.equal(n.port.logsMatching(message).length, 1, 'logged once per log_throttle_s');
    assert.equal(n.port.lifecycleState, 'active');
    assert.equal(n.node.map!.size, 0);
  });

  it('map from another encoder', async () => {
    const names = /the map .* was built with frame encoder "patchnorm-32x16-p8\+ema-centering.*\), but this pipeline uses "onnx:log\+ema-centering/;
    // Command line: eval and replay refuse, naming both encoders; nothing is written.
    const out = fresh('eval');
    assertFailedCleanly(await seqvpr('eval', '--map', mapDir, '--query', queryFolder, '--gt', 'aligned:1', '--out', out, '--config', onnx.log), names);
    await assertNothingWritten(out);
    const bag = await queryBag({});
    const results = fresh('results');
    const r = await seqvpr('replay', '--map', mapDir, '--bag', bag, '--image-topic', '/camera/image_raw', '--gt', 'aligned:1', '--out', out, '--config', onnx.log, '--results-bag', results);
    assertFailedCleanly(r, names);
    await assertNothingWritten(out);
    await assertNothingWritten(results);
    // The same front end with other appearance centring is another encoder too.
    const otherCentring = path.join(dir, 'other-centring.yaml');
    await writeFile(otherCentring, (await readFile(config, 'utf8')) + 'centering: { windowFrames: 50 }\n');
    assertFailedCleanly(await seqvpr('eval', '--map', mapDir, '--query', queryFolder, '--gt', 'aligned:1', '--out', out, '--config', otherCentring), /ema-centering\(w=200.*but this pipeline uses "patchnorm-32x16-p8\+ema-centering\(w=50/);

    // Live: configure refuses the map; load_map refuses it and keeps the map in use.
    let n = await startNode({ config_file: onnx.log }, false);
    assert.equal(await n.node.start(), false);
    assert.equal(n.port.lifecycleState, 'unconfigured');
    assert.equal(n.port.logsMatching(/configure failed: the map .* was built with frame encoder "patchnorm/).length, 1);
    n = await startNode({ image_transport: 'raw' });
    const refused = await n.port.callService('~/load_map', { map_path: logMapDir });
    assert.equal(refused.success, false);
    assert.match(String(refused.message), /kept the previous map: .*built with frame encoder "onnx:log/);
    await feed('image', imageMsg(stampOf(0), images[0].mono8));
    assert.equal((n.port.messages('~/place_match') as Msg[])[0].map_id, mapDir);
  });

  it('truncated/corrupt map files', async () => {
    const damage: [string, (m: string) => Promise<void>, RegExp][] = [
      ['truncated frames.f32', (m) => truncate(path.join(m, 'frames.f32'), 100), /frames\.f32: file has 100 bytes, the manifest says \d+ \(truncated or overwritten\); the map is damaged, rebuild it/],
      ['manifest.json cut short', async (m) => writeFile(path.join(m, 'manifest.json'), (await readFile(path.join(m, 'manifest.json'), 'utf8')).slice(0, 40)), /manifest\.json is not valid JSON .*rebuild it/],
      ['a flipped byte', async (m) => {
        const f = path.join(m, 'frames.jsonl');
        const bytes = await readFile(f);
        bytes[10] ^= 0x01;
        await writeFile(f, bytes);
      }, /frames\.jsonl: checksum mismatch .*rebuild it/],
      ['a missing file', (m) => rm(path.join(m, 'frames.jsonl')), /frames\.jsonl: file is missing; the map is damaged, rebuild it/],
    ];
    const damaged: string[] = [];
    for (const [what, hurt, message] of damage) {
      const copy = fresh('damaged-map');
      await cp(mapDir, copy, { recursive: true });
      await hurt(copy);
      damaged.push(copy);
      const out = fresh('eval');
      const r = await seqvpr('eval', '--map', copy, '--query', queryFolder, '--gt', 'aligned:1', '--out', out, '--config', config);
      assertFailedCleanly(r, message);
      assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, `${what}: nothing but the error on stderr`);
      await assertNothingWritten(out);
    }

    // A build that fails leaves the map it would have replaced as it was.
    const target = fresh('map');
    await cp(mapDir, target, { recursive: true });
    const before = await readFile(path.join(target, 'manifest.json'), 'utf8');
    assertFailedCleanly(await seqvpr('map', 'build', '--images', queryFolder, '--out', target, '--config', onnx.wrongDimDynamic), /model outputs 32 values/);
    assert.equal(await readFile(path.join(target, 'manifest.json'), 'utf8'), before);
    assert.equal((await loadMap(target)).size, PLACES);
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith(`.${path.basename(target)}.`)), [], 'no temp copies');

    // Live: configure fails on a damaged map; load_map refuses one and keeps the map in use.
    let n = await startNode({ map_path: damaged[0] }, false);
    assert.equal(await n.node.start(), false);
    assert.equal(n.port.lifecycleState, 'unconfigured');
    assert.equal(n.port.logsMatching(/configure failed: .*frames\.f32: file has 100 bytes/).length, 1);
    n = await startNode({ image_transport: 'raw' });
    for (const copy of damaged) {
      const r = await n.port.callService('~/load_map', { map_path: copy });
      assert.equal(r.success, false);
      assert.match(String(r.message), /^kept the previous map: .*rebuild it/);
    }
    await feed('image', imageMsg(stampOf(0), images[0].mono8));
    assert.equal((n.port.messages('~/place_match') as Msg[])[0].map_id, mapDir);
  });

  it('truncated bag', async () => {
    const frames = 40;
    const messages = Array.from({ length: frames }, (_, i) => rawImage(i, images[i % PLACES].mono8));
    // Small chunks (about two images each): a cut keeps every complete chunk before it.
    const bag = await writeImageBag(fresh('bag'), messages, { chunkSizeBytes: 4096 });
    const mcap = path.join(bag, (await readdir(bag)).find((n) => n.endsWith('.mcap'))!);
    await truncate(mcap, Math.floor((await stat(mcap)).size * 0.6));

    const { run, out } = await replay(bag, '/camera/image_raw');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: .*\.mcap: the file ends before its footer \(truncated recording\?\); messages before that point are read/);
    const readable = (await metricsOf(out)).queries;
    assert.ok(readable > frames / 3 && readable < frames, `the frames before the cut are replayed (${readable} of ${frames})`);
    const built = fresh('map');
    const build = await seqvpr('map', 'build', '--bag', bag, '--image-topic', '/camera/image_raw', '--out', built, '--config', config);
    assert.equal(build.code, 0, build.stderr);
    assert.equal(await mapFrames(built), readable, 'the same frames make the map');

    // Cut inside its only chunk: no image can be read; one line says so (not "no such topic"), nothing is written.
    const whole = await writeImageBag(fresh('bag'), messages);
    const only = path.join(whole, (await readdir(whole)).find((n) => n.endsWith('.mcap'))!);
    await truncate(only, Math.floor((await stat(only)).size / 2));
    const results = fresh('results');
    const again = await replay(whole, '/camera/image_raw', '--results-bag', results);
    assertFailedCleanly(again.run, /metadata\.yaml lists 40 messages on \/camera\/image_raw, but none of them can be read from the bag's files \(truncated or damaged recording/);
    await assertNothingWritten(again.out);
    await assertNothingWritten(results);
    const noMap = fresh('map');
    assertFailedCleanly(await seqvpr('map', 'build', '--bag', whole, '--image-topic', '/camera/image_raw', '--out', noMap, '--config', config), /none of them can be read/);
    await assertNothingWritten(noMap);
  });

  it('bag without the topic', async () => {
    const bag = await queryBag({});
    const results = fresh('results');
    const { run, out } = await replay(bag, '/camera/left/image_raw', '--results-bag', results);
    assertFailedCleanly(run, /has no topic \/camera\/left\/image_raw; image topics in .*: \/camera\/image_raw \(sensor_msgs\/msg\/Image, 16 messages\)$/);
    assert.equal(run.stderr.split('\n').filter(Boolean).length, 1, run.stderr);
    await assertNothingWritten(out);
    await assertNothingWritten(results);
    const built = fresh('map');
    assertFailedCleanly(
      await seqvpr('map', 'build', '--bag', bag, '--image-topic', '/camera/image_raw', '--pose-topic', '/odom', '--out', built, '--config', config),
      /has no topic \/odom; pose topics in .*: none$/,
    );
    await assertNothingWritten(built);
    assertFailedCleanly(await seqvpr('bag', 'info', path.join(dir, 'no-such-bag')), /bag not found: /);

    // Live: a topic nobody publishes on is no error, but /diagnostics says so.
    const { port } = await startNode({ diagnostics_period_s: 1.0 });
    port.advance(1000);
    const diagnostics = port.messages('/diagnostics') as Msg[];
    assert.equal(diagnostics.at(-1)!.status[0].level, 1, 'WARN');
    assert.match(diagnostics.at(-1)!.status[0].message, /no images on \/image$/, 'the topic as named on the graph');
    assert.equal(diagnosticValue(diagnostics, 'frames received'), '0');
    assert.equal(port.lifecycleState, 'active');
  });

  it('config with unknown keys or out-of-range values', async () => {
    const base = await readFile(config, 'utf8');
    const cases: [string, RegExp][] = [
      ['windowLenght: 10\n', /config .*: \(top level\): Unrecognized key: "windowLenght"/],
      ['matcher: { kind: seqslam, velocityMaxx: 2 }\n', /config .*: matcher: Unrecognized key: "velocityMaxx"/],
      ['centering: { minChange: 3 }\n', /config .*: centering\.minChange: Too big/],
      ['encodeBatch: 0\n', /config .*: encodeBatch: Too small/],
    ];
    const files: string[] = [];
    for (const [extra, message] of cases) {
      const file = path.join(dir, `bad-config-${++serial}.yaml`);
      // Later keys replace earlier ones in a flow map only when unique, so append to a copy without them.
      await writeFile(file, base.replace(/^matcher:.*\n/m, extra.startsWith('matcher') ? '' : '$&') + extra);
      files.push(file);
      const built = fresh('map');
      assertFailedCleanly(await seqvpr('map', 'build', '--images', queryFolder, '--out', built, '--config', file), message);
      await assertNothingWritten(built);
    }
    // Command-line values out of range are refused the same way.
    assertFailedCleanly(await seqvpr('map', 'build', '--images', queryFolder, '--keyframe-period', '-5', '--out', fresh('map'), '--config', config), /--keyframe-period <ms>' argument '-5' is invalid\. Expected a number > 0/);
    assertFailedCleanly(await seqvpr('replay', '--map', mapDir, '--images', queryFolder, '--gt', 'aligned:1', '--out', fresh('x'), '--rate', 'fast'), /--rate <x>' argument 'fast' is invalid\. Expected "max" or a number > 0/);

    // Live: a bad config_file fails configure with the key named; fixing the parameter recovers the node.
    const { port, node } = await startNode({ config_file: files[0] }, false);
    assert.equal(await node.start(), false);
    assert.equal(port.lifecycleState, 'unconfigured');
    assert.equal(port.logsMatching(/configure failed: config .*: \(top level\): Unrecognized key: "windowLenght"/).length, 1);
    assert.deepEqual(port.setParameters([{ name: 'config_file', value: config }]), { successful: true });
    assert.equal(await port.transition('configure'), true);
    assert.equal(await port.transition('activate'), true);
    // Node parameters: out of range at run time is refused with the reason; a misspelt one is warned about.
    const refused = port.setParameters([{ name: 'min_confidence', value: 1.5 }]);
    assert.equal(refused.successful, false);
    assert.match(refused.successful ? '' : refused.reason, /min_confidence/);
    const misspelt = await nodeUnderTest({ map_path: mapDir, config_file: config, loop_min_confidense: 0.3 });
    assert.equal(misspelt.port.logsMatching(/ignoring unknown parameters loop_min_confidense/).length, 1);
  });
});

describe('command line failures outside the catalogue', function () {
  this.timeout(120_000);
  let dir: string;
  let config: string;
  let mapDir: string;
  let queryFolder: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-robust-cli-'));
    config = await writePipelineConfig(dir);
    mapDir = path.join(dir, 'map');
    await buildSavedMap(dir, config, mapDir, 8);
    queryFolder = path.join(dir, 'queries');
    await mkdir(queryFolder);
    for (let p = 0; p < 8; p++) await writePlacePng(path.join(queryFolder, `img-${p}.png`), p, WIDTH, HEIGHT, QUERY_LIGHT(5000 + p));
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('an operating-system error (an output path under a file) is one line; --debug adds the stack', async () => {
    const underFile = path.join(queryFolder, 'img-0.png', 'out');
    const plain = await seqvpr('eval', '--map', mapDir, '--query', queryFolder, '--gt', 'aligned:1', '--out', underFile, '--config', config);
    assertFailedCleanly(plain, /^seqvpr: (EEXIST|ENOTDIR): .*img-0\.png/);
    const debug = await seqvpr('--debug', 'map', 'build', '--images', queryFolder, '--out', underFile, '--config', config);
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /\n\s+at /, '--debug prints the stack');
  });

  it('as its own process: exit code 1 and one line for a damaged map, the stack only with --debug', async () => {
    const damaged = path.join(dir, 'damaged');
    await cp(mapDir, damaged, { recursive: true });
    const fullSize = (await stat(path.join(damaged, 'frames.f32'))).size;
    await truncate(path.join(damaged, 'frames.f32'), 10);
    const args = ['eval', '--map', damaged, '--query', queryFolder, '--gt', 'aligned:1', '--out', path.join(dir, 'never'), '--config', config];
    const r = await seqvprProcess(...args);
    assert.equal(r.code, 1);
    assert.deepEqual(r.stderr.split('\n').filter(Boolean), [`seqvpr: ${damaged}/frames.f32: file has 10 bytes, the manifest says ${fullSize} (truncated or overwritten); the map is damaged, rebuild it`]);
    const debug = await seqvprProcess('--debug', ...args);
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /^seqvpr: MapFormatError: .*frames\.f32: file has 10 bytes/);
    assert.match(debug.stderr, /\n\s+at .*load-map/);
    await assertNothingWritten(path.join(dir, 'never'));
  });

  it('replay failing after the run (its outputs cannot be written) leaves no results bag and no reports', async () => {
    const bagDir = path.join(dir, 'query-bag');
    assert.equal((await seqvpr('bag', 'from-images', queryFolder, '--out', bagDir)).code, 0);
    const out = path.join(dir, 'replay-out');
    const results = path.join(dir, 'results-bag');
    // The whole run succeeds and the results bag is complete before --out turns out to be unusable.
    const underFile = path.join(queryFolder, 'img-0.png', 'out');
    const r = await seqvpr('replay', '--map', mapDir, '--bag', bagDir, '--image-topic', '/camera/image_raw', '--gt', 'aligned:1', '--out', underFile, '--results-bag', results, '--config', config);
    assertFailedCleanly(r, /^seqvpr: (EEXIST|ENOTDIR): /);
    await assertNothingWritten(results);
    // A missing ground-truth file is found before the run starts (the run would warn about its
    // undecodable frame), with nothing written either.
    const withBadFrame = path.join(dir, 'bag-with-bad-frame');
    const frames = await Promise.all(
      (await readdir(queryFolder)).sort().map(async (f) => new Uint8Array(await sharp(path.join(queryFolder, f)).grayscale().raw().toBuffer())),
    );
    await writeImageBag(withBadFrame, frames.map((px, i) => rawImage(i, px, i === 3 ? { encoding: '32FC1' } : {})));
    const early = await seqvpr('replay', '--map', mapDir, '--bag', withBadFrame, '--image-topic', '/camera/image_raw', '--gt', path.join(dir, 'nope.csv'), '--out', out, '--results-bag', results, '--config', config);
    assertFailedCleanly(early, /cannot read ground-truth file .*nope\.csv/);
    assert.equal(early.stderr.split('\n').filter(Boolean).length, 1, `no frame was processed:\n${early.stderr}`);
    await assertNothingWritten(results);
    await assertNothingWritten(out);
    // The same replay with good ground truth writes all of it.
    const ok = await seqvpr('replay', '--map', mapDir, '--bag', bagDir, '--image-topic', '/camera/image_raw', '--gt', 'aligned:1', '--out', out, '--results-bag', results, '--config', config);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual((await readdir(out)).sort(), ['matches.csv', 'metrics.json', 'report.html']);
    assert.ok((await readdir(results)).includes('metadata.yaml'));
  });
});
