// The motion gate of the query window: hand-made traversals with a stop, with and without poses.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Frame, ImageSource, MapFrameMeta, Pose } from '../../src/core/types.js';
import type { FrameEncoder } from '../../src/encoders/types.js';
import { PlaceMap } from '../../src/map/place-map.js';
import { createFrontend, createRecognizer } from '../../src/pipeline/assemble.js';
import { pipelineConfigSchema } from '../../src/pipeline/config.js';
import { MIN_SPACING_STEPS, MapSpacing, MotionGate, medianFrameSpacing, unevenSpacing } from '../../src/pipeline/motion-gate.js';
import type { FrameResult } from '../../src/pipeline/recognizer.js';
import { ConfigError } from '../../src/core/errors.js';
import { parseConfig } from '../../src/core/parse-config.js';
import { planar } from '../support/poses.js';
import { mulberry32, randomUnitVector, randomUnitVectors } from '../support/random-unit-vectors.js';

const DIM = 32;
const at = (x: number): Pose => planar(x, 0, 0);
const frame = (index: number, pose?: Pose, key = `f${index}`): Frame => ({
  index,
  stamp: BigInt(index) * 100_000_000n,
  frameId: 'camera',
  image: { kind: 'file', path: key },
  ...(pose && { pose }),
});

describe('MotionGate', () => {
  const d = randomUnitVectors(3, DIM, 1);

  it('with poses admits a frame once it is the spacing away from the last admitted one', () => {
    const gate = new MotionGate({ spacingM: 1, minChange: 0.05 });
    const xs = [0, 0.3, 0.6, 1.0, 1.0, 1.0, 1.4, 2.1];
    // The same descriptor throughout: only the poses can tell the camera moved.
    const admitted = xs.map((x, i) => gate.admit(frame(i, at(x)), d[0]));
    assert.deepEqual(admitted, [true, false, false, true, false, false, false, true]);
  });

  it('with poses ignores appearance: a view that changes while the camera stands is still held', () => {
    const gate = new MotionGate({ spacingM: 1, minChange: 0.05 });
    assert.deepEqual([gate.admit(frame(0, at(5)), d[0]), gate.admit(frame(1, at(5)), d[1]), gate.admit(frame(2, at(5)), d[2])], [true, false, false]);
  });

  it('without poses admits a frame whose descriptor moved more than minChange from the last admitted one', () => {
    const gate = new MotionGate({ spacingM: 1, minChange: 0.05 });
    const near = Float32Array.from(d[0], (v, i) => v + (i === 0 ? 0.05 : 0)); // cosine distance ~0.001
    assert.deepEqual([gate.admit(frame(0), d[0]), gate.admit(frame(1), near), gate.admit(frame(2), d[0]), gate.admit(frame(3), d[1])], [true, false, false, true]);
  });

  it('judges a posed frame by appearance when the last admitted frame had no pose, then by distance from it', () => {
    const gate = new MotionGate({ spacingM: 1, minChange: 0.05 });
    assert.equal(gate.admit(frame(0), d[0]), true);
    assert.equal(gate.admit(frame(1, at(0)), d[0]), false, 'same view, no pose to compare with');
    assert.equal(gate.admit(frame(2, at(0)), d[1]), true, 'the view changed');
    assert.equal(gate.admit(frame(3, at(0.5)), d[2]), false, 'now the pose decides');
    assert.equal(gate.admit(frame(4, at(1.2)), d[2]), true);
  });

  it('without a spacing (a map without poses) judges posed frames by appearance; without any rule admits every frame', () => {
    const appearance = new MotionGate({ minChange: 0.05 });
    assert.deepEqual([appearance.admit(frame(0, at(0)), d[0]), appearance.admit(frame(1, at(9)), d[0])], [true, false]);
    const none = new MotionGate({});
    assert.deepEqual([none.admit(frame(0), d[0]), none.admit(frame(1), d[0])], [true, true]);
  });

  it('starts over after reset', () => {
    const gate = new MotionGate({ spacingM: 1, minChange: 0.05 });
    gate.admit(frame(0, at(0)), d[0]);
    assert.equal(gate.admit(frame(1, at(0)), d[0]), false);
    gate.reset();
    assert.equal(gate.admit(frame(2, at(0)), d[0]), true);
  });
});

describe('medianFrameSpacing', () => {
  const meta = (xs: (number | undefined)[]): MapFrameMeta[] => xs.map((x, index) => ({ index, stamp: BigInt(index), ...(x !== undefined && { pose: at(x) }) }));

  it('is the median planar step between consecutive posed frames', () => {
    assert.ok(Math.abs(medianFrameSpacing(meta([0, 1, 2, 2, 2.9, 3.8]))! - 0.9) < 1e-9);
    assert.equal(medianFrameSpacing(meta([0, 0.5, 1.5, 3.5])), 1);
  });

  it('leaves out steps across a session start and frames without a pose', () => {
    assert.equal(medianFrameSpacing(meta([0, 2, 4, 100, 102, 104]), [0, 3]), 2);
    assert.equal(medianFrameSpacing(meta([0, 2, undefined, 4, 6])), 2);
  });

  it('is undefined for a map without (enough) poses', () => {
    assert.equal(medianFrameSpacing(meta([undefined, undefined, undefined])), undefined);
    assert.equal(medianFrameSpacing(meta([0, 1])), undefined);
    assert.equal(medianFrameSpacing([]), undefined);
  });
});

describe('unevenSpacing', () => {
  const meta = (xs: number[]): MapFrameMeta[] => xs.map((x, index) => ({ index, stamp: BigInt(index), pose: at(x) }));
  const cumulative = (steps: number[]) => steps.reduce<number[]>((xs, s) => [...xs, xs.at(-1)! + s], [0]);

  it('says nothing for evenly spaced frames (keyframed, or a steady drive with jitter)', () => {
    assert.equal(unevenSpacing(meta(cumulative(Array.from({ length: 40 }, (_, i) => 0.94 + 0.05 * Math.sin(i))))), undefined);
  });

  it('names the spread of a map driven every frame at two speeds, and of one with a stop', () => {
    const twoSpeeds = unevenSpacing(meta(cumulative([...Array(20).fill(0.5), ...Array(20).fill(1.5)])));
    assert.match(twoSpeeds!, /unevenly spaced \(steps: 10th percentile 0\.50 m, median 1\.50 m, 90th 1\.50 m\)/);
    assert.equal(unevenSpacing(meta(cumulative([...Array(20).fill(1.2), ...Array(20).fill(1.5)]))), undefined, 'keyframes 1.2-1.5 m apart');
    assert.ok(unevenSpacing(meta(cumulative([...Array(30).fill(1), ...Array(6).fill(0)]))));
  });

  it('says nothing for maps with fewer than MIN_SPACING_STEPS posed steps, and ignores session starts', () => {
    assert.equal(unevenSpacing(meta(cumulative([0.2, 3, 0.2, 3]))), undefined);
    const twoSessions = meta([...cumulative(Array(20).fill(1)), ...cumulative(Array(20).fill(1)).map((x) => x + 500)]);
    assert.equal(unevenSpacing(twoSessions, [0, 21]), undefined);
  });
});

describe('MapSpacing (a map that grows)', () => {
  const meta = (xs: number[]): MapFrameMeta[] => xs.map((x, index) => ({ index, stamp: BigInt(index), pose: at(x) }));

  it(`is undefined until the map has ${MIN_SPACING_STEPS} posed steps, then follows it each time it doubled`, () => {
    const map = { frames: [] as MapFrameMeta[] };
    const spacing = new MapSpacing(map);
    assert.equal(spacing.current(), undefined, 'an empty live map');
    map.frames = meta(Array.from({ length: MIN_SPACING_STEPS }, (_, i) => 2 * i));
    assert.equal(spacing.current(), undefined, `${MIN_SPACING_STEPS - 1} steps`);
    map.frames = meta(Array.from({ length: MIN_SPACING_STEPS + 1 }, (_, i) => 2 * i));
    assert.equal(spacing.current(), 2);
    // The vehicle now runs at 3 m per frame: the estimate stays until the map has doubled (22 frames).
    const grow = (n: number) => (map.frames = meta(Array.from({ length: n }, (_, i) => (i <= MIN_SPACING_STEPS ? 2 * i : 2 * MIN_SPACING_STEPS + 3 * (i - MIN_SPACING_STEPS)))));
    grow(21);
    assert.equal(spacing.current(), 2);
    grow(40);
    assert.equal(spacing.current(), 3, 'most steps are 3 m now');
  });

  it('a map that does not grow is estimated once; a map without poses never has a spacing', () => {
    const map = { frames: meta(Array.from({ length: 30 }, (_, i) => 0.9 * i)) };
    const spacing = new MapSpacing(map);
    assert.ok(Math.abs(spacing.current()! - 0.9) < 1e-9);
    const unposed = new MapSpacing({ frames: Array.from({ length: 30 }, (_, index): MapFrameMeta => ({ index, stamp: BigInt(index) })) });
    assert.equal(unposed.current(), undefined);
  });

  it('a live map without poses is not scanned on every frame (mapping without odometry)', () => {
    const frames: MapFrameMeta[] = [];
    let reads = 0;
    const counted = new Proxy(frames, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const spacing = new MapSpacing({ frames: counted });
    for (let index = 0; index < 2000; index++) {
      frames.push({ index, stamp: BigInt(index) });
      assert.equal(spacing.current(), undefined);
    }
    // A scan per frame would read about 2000^2 = 4 million frames; growing by an eighth, about 2 x 8 x 2000.
    assert.ok(reads < 100_000, `${reads} frame reads`);
  });

  it('drives the gate once known: posed frames all enter before, a stop is held after', () => {
    let known: number | undefined;
    const gate = new MotionGate({ spacingM: () => known });
    const d = randomUnitVectors(1, DIM, 3)[0];
    assert.deepEqual([0, 1, 1, 1].map((x, i) => gate.admit(frame(i, at(x)), d)), [true, true, true, true], 'no spacing yet: no pose rule');
    known = 1;
    assert.equal(gate.spacing(), 1);
    assert.deepEqual([1, 1, 1.5, 2.05].map((x, i) => gate.admit(frame(4 + i, at(x)), d)), [false, false, false, true], 'the grid starts at the last admitted frame');
  });
});

describe('motionGate config', () => {
  const minimal = { frontend: { kind: 'patchnorm' }, sequence: { kind: 'single' }, matcher: { kind: 'seqslam' } };
  const parse = (motionGate: unknown) => parseConfig(pipelineConfigSchema, { ...minimal, motionGate }, 'test config');

  it('is on by default, with the map spacing, no appearance rule and kept confidence', () => {
    const c = parseConfig(pipelineConfigSchema, minimal, 'test config');
    assert.deepEqual(c.motionGate, { enabled: true, spacingM: 'map', appearance: false, heldAdvance: 'none', heldConfidence: 'keep' });
    assert.equal(parse({ enabled: true, spacingM: 0.5 }).motionGate.spacingM, 0.5);
  });

  it('rejects bad values with the offending key', () => {
    for (const bad of [{ spacingM: 0 }, { spacingM: 'auto' }, { heldConfidence: 'half' }, { heldAdvance: 'ahead' }, { enabled: 'yes' }, { spacing: 1 }]) {
      assert.throws(() => parse(bad), (e: unknown) => e instanceof ConfigError && /motionGate/.test(e.message), JSON.stringify(bad));
    }
  });
});

/**
 * A map of PLACES places 1 m apart (random descriptors, poses when `posed`), and a query run that
 * drives it again with noise and stands still at place STOP for STOP_FRAMES extra frames.
 */
const PLACES = 40;
const STOP = 20;
const STOP_FRAMES = 6;
const WINDOW = 5;

interface Traversal {
  map: PlaceMap;
  frames: Frame[];
  /** Query frame index -> the place it shows. */
  places: number[];
}

async function setup(options: { posed: boolean; stopViewChanges: boolean; gate: Record<string, unknown>; stepM?: number; windowPlacement?: 'path' | 'frames' }) {
  const places = randomUnitVectors(PLACES, DIM, 7);
  const rand = mulberry32(11);
  const descriptors = new Map<string, Float32Array>();
  const noisy = (p: number): Float32Array => {
    const n = randomUnitVector(DIM, rand);
    const v = Float32Array.from(places[p], (x, i) => x + 0.15 * n[i]);
    return v;
  };
  const encoder: FrameEncoder = {
    id: 'lookup',
    hash: 'lookup-1',
    dim: DIM,
    provider: 'js',
    async encode(images: readonly ImageSource[]) {
      return images.map((im) => descriptors.get((im as { path: string }).path)!);
    },
    async close() {},
  };
  const raw = {
    frontend: { kind: 'patchnorm' },
    centering: { enabled: false },
    sequence: { kind: 'single' },
    retrieval: { k: 0 },
    matcher: { kind: 'seqslam' },
    windowLength: WINDOW,
    motionGate: options.gate,
    ...(options.windowPlacement && { windowPlacement: options.windowPlacement }),
  };
  const frontend = await createFrontend({ config: pipelineConfigSchema.parse(raw), file: path.join('/tmp', 'gate.yaml'), text: '' }, { frameEncoder: encoder });
  const map = PlaceMap.create({ encoder: frontend.identity.encoder });
  for (let p = 0; p < PLACES; p++) map.add({ stamp: BigInt(p), ...(options.posed && { pose: at(p) }) }, places[p]);

  const frames: Frame[] = [];
  const truth: number[] = [];
  const push = (place: number, key: string, d: Float32Array, x = place) => {
    descriptors.set(key, d);
    frames.push(frame(frames.length, options.posed ? at(x) : undefined, key));
    truth.push(place);
  };
  if (options.stepM !== undefined) {
    // A slow run without a stop: a frame every stepM metres, each showing the place it is nearest.
    for (let x = 0; x <= PLACES - 1; x += options.stepM) push(Math.round(x), `q${frames.length}`, noisy(Math.round(x)), x);
  }
  for (let p = 0; p < PLACES && options.stepM === undefined; p++) {
    const view = noisy(p);
    push(p, `q${p}`, view);
    if (p !== STOP) continue;
    // Standing at the stop: the same view again, or (a passing car) a changed one at the same pose.
    for (let s = 0; s < STOP_FRAMES; s++) push(p, `q${p}-stop${s}`, options.stopViewChanges ? randomUnitVector(DIM, rand) : view);
  }
  const recognizer = createRecognizer(frontend, map);
  const results: FrameResult[] = [];
  for (const f of frames) results.push(await recognizer.process(f));
  return { map, frames, places: truth, results } satisfies Traversal & { results: FrameResult[] };
}

const matches = (results: FrameResult[]) =>
  results.map((r) => {
    assert.equal(r.kind, 'match');
    return r.kind === 'match' ? r.match : (undefined as never);
  });
const stopIndices = Array.from({ length: STOP_FRAMES }, (_, s) => STOP + 1 + s);

describe('PlaceRecognizer with the motion gate', () => {
  for (const posed of [true, false]) {
    it(`${posed ? 'with poses' : 'without poses (appearance)'}: keeps the window through a stop and repeats its answer`, async () => {
      const { results, places } = await setup({ posed, stopViewChanges: false, gate: { enabled: true, appearance: !posed } });
      const ms = matches(results);
      const before = ms[STOP];
      assert.equal(before.held, undefined);
      for (const i of stopIndices) {
        const m = ms[i];
        assert.equal(m.held, true, `query ${i} is held`);
        assert.equal(m.queryIndex, i);
        assert.equal(m.mapIndex, before.mapIndex);
        assert.equal(m.confidence, before.confidence, "'keep': the window's confidence");
        assert.deepEqual(m.correspondences, before.correspondences, 'the same window');
      }
      // After the stop the window holds no frame of the stop: the places follow at constant rate.
      const after = ms[STOP + STOP_FRAMES + WINDOW - 1];
      assert.deepEqual(after.correspondences.map((c) => c.queryIndex), [STOP, ...Array.from({ length: WINDOW - 1 }, (_, k) => STOP + STOP_FRAMES + 1 + k)]);
      // Every answer with a full window is right (within a place).
      for (let i = WINDOW; i < ms.length; i++) assert.ok(Math.abs(ms[i].mapIndex - places[i]) <= 1, `query ${i}: ${ms[i].mapIndex} vs ${places[i]}`);
    });
  }

  it('with poses, a run at half the map spacing per frame is resampled to one map frame per column', async () => {
    const { results, places } = await setup({ posed: true, stopViewChanges: false, gate: { enabled: true }, stepM: 0.5 });
    const ms = matches(results);
    // Every second frame (1 m apart) enters the window, the others repeat its answer.
    assert.deepEqual(ms.slice(0, 8).map((m) => m.held === true), [false, true, false, true, false, true, false, true]);
    const last = ms.at(-1)!;
    const admitted = last.held ? ms.at(-2)! : last;
    assert.deepEqual(admitted.correspondences.map((c) => c.queryIndex), Array.from({ length: WINDOW }, (_, k) => admitted.queryIndex - 2 * (WINDOW - 1 - k)));
    // Along the map the window then advances one frame per column (velocity 1), and the answers are right.
    const rows = admitted.correspondences.map((c) => c.mapIndex);
    assert.deepEqual(rows.slice(1).map((r, k) => r - rows[k]), Array(WINDOW - 1).fill(1));
    for (let i = 2 * WINDOW; i < ms.length; i++) assert.ok(Math.abs(ms[i].mapIndex - places[i]) <= 1, `query ${i}`);
  });

  it('with poses, a run at 2.5 map spacings per frame (a keyframed query) is placed by its path and found', async () => {
    const run = async (windowPlacement: 'path' | 'frames') => {
      const { results, places } = await setup({ posed: true, stopViewChanges: false, gate: { enabled: true }, stepM: 2.5, windowPlacement });
      const ms = matches(results);
      assert.ok(ms.every((m) => !m.held), 'every frame is past the grid: all enter the window');
      return ms.slice(WINDOW - 1).filter((m) => m.mapIndex === places[m.queryIndex]).length / (ms.length - WINDOW + 1);
    };
    const [byPath, byFrame] = [await run('path'), await run('frames')];
    assert.equal(byPath, 1, 'placed by the path, every full window finds its place');
    assert.ok(byFrame < 0.5, `one row per frame (velocities 0.8-1.25) cannot follow 2.5: ${byFrame}`);
  });

  it("with poses, a held frame's answer moves on by the distance travelled since the admitted frame", async () => {
    // 0.75 m per frame on a 1 m grid: some frames are held 0.75 m past the admitted one, nearer the next place.
    const run = async (heldAdvance: string) => matches((await setup({ posed: true, stopViewChanges: false, gate: { enabled: true, heldAdvance }, stepM: 0.75 })).results);
    const { places } = await setup({ posed: true, stopViewChanges: false, gate: {}, stepM: 0.75 });
    const [moved, repeated] = [await run('path'), await run('none')];
    const held = moved.map((m, i) => (m.held && i >= 2 * WINDOW ? i : -1)).filter((i) => i >= 0);
    assert.ok(held.length >= 5, `held frames: ${held.length}`);
    for (const i of held) {
      assert.equal(moved[i].mapIndex, places[i], `query ${i}: the place it shows`);
      assert.equal(moved[i].candidates[0].mapIndex, moved[i].mapIndex, 'the winner leads the candidates');
      assert.equal(repeated[i].mapIndex, places[i] - 1, `query ${i}: repeated, one place behind`);
    }
    for (const i of moved.keys()) if (!moved[i].held) assert.deepEqual(moved[i], repeated[i], 'admitted frames are untouched');
  });

  it('with poses, a view that changes during the stop does not enter the window', async () => {
    const { results } = await setup({ posed: true, stopViewChanges: true, gate: { enabled: true } });
    const ms = matches(results);
    for (const i of stopIndices) assert.equal(ms[i].held, true);
  });

  it('without poses, a view that changes during the stop counts as motion (the appearance rule cannot tell)', async () => {
    const { results } = await setup({ posed: false, stopViewChanges: true, gate: { enabled: true, appearance: true } });
    const ms = matches(results);
    assert.ok(stopIndices.every((i) => ms[i].held === undefined));
  });

  it("'zero' reports held answers with confidence 0", async () => {
    const { results } = await setup({ posed: true, stopViewChanges: false, gate: { enabled: true, heldConfidence: 'zero' } });
    const ms = matches(results);
    assert.ok(ms[STOP].confidence > 0, 'the answer before the stop is trusted');
    for (const i of stopIndices) assert.equal(ms[i].confidence, 0);
  });

  it('without poses and without the appearance rule (the default) every frame enters the window', async () => {
    const { results } = await setup({ posed: false, stopViewChanges: false, gate: {} });
    const ms = matches(results);
    assert.ok(ms.every((m) => m.held === undefined));
    const last = ms[STOP + STOP_FRAMES];
    assert.deepEqual(last.correspondences.map((c) => c.queryIndex), Array.from({ length: WINDOW }, (_, k) => STOP + STOP_FRAMES - WINDOW + 1 + k));
  });

  it('off: every frame enters the window, stop frames included', async () => {
    const { results } = await setup({ posed: true, stopViewChanges: false, gate: { enabled: false } });
    const ms = matches(results);
    assert.ok(ms.every((m) => m.held === undefined));
    const last = ms[STOP + STOP_FRAMES];
    assert.deepEqual(last.correspondences.map((c) => c.queryIndex), Array.from({ length: WINDOW }, (_, k) => STOP + STOP_FRAMES - WINDOW + 1 + k));
  });
});
