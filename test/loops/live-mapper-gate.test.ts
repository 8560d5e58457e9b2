// The motion gate while mapping live: the map starts empty, so its spacing ('map') comes from the
// growing map's own poses; a stop then stays out of the query window.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Frame } from '../../src/core/types.js';
import { LiveMapper, loopConfigSchema, type LiveMapStep } from '../../src/loops/live-mapper.js';
import { PlaceMap } from '../../src/map/place-map.js';
import { createFrontend } from '../../src/pipeline/assemble.js';
import { pipelineConfigSchema } from '../../src/pipeline/config.js';
import { writePlacePng } from '../support/synthetic-images.js';

const pose = (x: number) => ({ position: { x, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } });

describe('live mapping with the motion gate (real pipeline, synthetic places)', () => {
  let dir: string;
  const STOP = 40;
  const STOP_FRAMES = 4;
  /** Places 0..59 one per frame (1 m apart), standing at place STOP for STOP_FRAMES more frames. */
  const route = [...Array.from({ length: STOP + 1 }, (_, i) => i), ...Array(STOP_FRAMES).fill(STOP), ...Array.from({ length: 59 - STOP }, (_, i) => STOP + 1 + i)];
  let frames: Frame[];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-live-gate-'));
    frames = await Promise.all(
      route.map(async (place, index) => {
        const file = path.join(dir, `f${index}.png`);
        await writePlacePng(file, place, 64, 32);
        return { index, stamp: BigInt(index) * 100_000_000n, frameId: 'cam', image: { kind: 'file' as const, path: file }, pose: pose(place) };
      }),
    );
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function steps(motionGate: object): Promise<LiveMapStep[]> {
    const raw = { frontend: { kind: 'patchnorm' }, sequence: { kind: 'single' }, matcher: { kind: 'seqslam' }, windowLength: 5, motionGate };
    const frontend = await createFrontend({ config: pipelineConfigSchema.parse(raw), file: path.join(dir, 'c.yaml'), text: '' });
    const map = PlaceMap.create({ encoder: frontend.identity.encoder, source: dir });
    const mapper = new LiveMapper(frontend, map, loopConfigSchema.parse({ excludeSeconds: 1, excludeFrames: 5 }));
    const out: LiveMapStep[] = [];
    for (const f of frames) out.push(await mapper.process(f));
    return out;
  }
  const held = (s: LiveMapStep) => s.result.kind === 'match' && s.result.match.held === true;

  it("'map' spacing follows the growing map: the stop is held, every frame still enters the map", async () => {
    const out = await steps({});
    const stopFrames = Array.from({ length: STOP_FRAMES }, (_, k) => STOP + 1 + k);
    assert.deepEqual(stopFrames.map((i) => held(out[i])), Array(STOP_FRAMES).fill(true));
    assert.equal(out.filter(held).length, STOP_FRAMES, 'frames 1 m apart on a 1 m map all enter the window');
    assert.deepEqual(out.map((s) => s.mapIndex), route.map((_, i) => i), 'held frames are mapped too');
  });

  it('a fixed spacing the map does not need; the gate off holds nothing', async () => {
    assert.equal((await steps({ spacingM: 1 })).filter(held).length, STOP_FRAMES);
    assert.equal((await steps({ enabled: false })).filter(held).length, 0);
  });
});
