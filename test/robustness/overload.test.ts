// Overload of the live node: a camera publishing at three times the rate the pipeline can sustain.
// Processing is made slow on the node's (fake) clock, not measured: every encode call is held until
// the clock has moved on by PROCESS_MS, so the test is deterministic whatever the machine. The
// node must hold at most one frame in flight and one waiting, always start on the newest frame,
// count every replaced frame as dropped and say so in /diagnostics.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { stampToNs } from '../../src/bag/stamp.js';
import type { ImageSource } from '../../src/core/types.js';
import { PatchNormEncoder } from '../../src/encoders/patchnorm.js';
import { imageMsg, nodeUnderTest, savedMapFixture, stampOf, type NodeUnderTest, type PlaceImage } from '../ros/helpers.js';
import { diagnosticValue } from './helpers.js';

const PLACES = 20;
/** Camera period and processing time per frame, on the node's clock: the camera runs at 3x. */
const CAMERA_MS = 100;
const PROCESS_MS = 300;
const FRAMES = 120;

type Msg = Record<string, any>;

/** Holds each encode call until the fake clock reaches its start + PROCESS_MS. */
class SlowEncoderGate {
  readonly held: { due: bigint; frame: number; release: () => void }[] = [];
  /** Frames in the order their encoding started. */
  readonly started: number[] = [];
  private entered: (() => void) | undefined;

  constructor(
    private readonly now: () => bigint,
    private readonly frameOf: (source: ImageSource) => number,
  ) {}

  /** Called by the patched encoder: waits out the simulated processing time. */
  enter(sources: readonly ImageSource[]): Promise<void> {
    const frame = this.frameOf(sources[0]);
    this.started.push(frame);
    return new Promise((resolve) => {
      this.held.push({ due: this.now() + BigInt(PROCESS_MS) * 1_000_000n, frame, release: resolve });
      this.entered?.();
    });
  }

  /** Resolves when the next encode call starts. */
  nextEntry(): Promise<void> {
    return new Promise((resolve) => (this.entered = resolve));
  }
}

describe('overload: camera at 3x the sustainable rate (live node, fake clock)', function () {
  this.timeout(120_000);
  let dir: string;
  let config: string;
  let mapDir: string;
  let images: PlaceImage[];
  let t: NodeUnderTest | undefined;
  const original = PatchNormEncoder.prototype.encode;

  before(async () => {
    ({ dir, configFile: config, mapDir, images } = await savedMapFixture('seqvpr-overload-', PLACES));
  });

  after(async () => {
    PatchNormEncoder.prototype.encode = original;
    if (t && t.port.lifecycleState !== 'finalized') await t.port.transition('shutdown');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps at most one frame in flight and one waiting, always the newest, and counts and reports every drop', async () => {
    t = await nodeUnderTest({ map_path: mapDir, config_file: config, image_transport: 'raw', diagnostics_period_s: 1.0, min_confidence: 0.0 });
    const { port, node } = t;
    // Each frame carries its number in its first pixel, so the encoder can tell which frame it was
    // handed (the transport delivers a deserialised copy, as ROS does, not the buffer published).
    const buffers = Array.from({ length: FRAMES }, (_, i) => {
      const b = images[i % PLACES].mono8.slice();
      b[0] = i;
      return b;
    });
    const gate = new SlowEncoderGate(
      () => port.now(),
      (s) => (s.kind === 'raw' ? s.data[0] : -1),
    );
    PatchNormEncoder.prototype.encode = async function (this: PatchNormEncoder, ...args: Parameters<typeof original>) {
      await gate.enter(args[0]);
      return original.apply(this, args);
    };
    assert.equal(await node.start(), true);

    /** Lets released work run until the node is idle or blocked in the next (held) encode call. */
    const settle = () => Promise.race([node.whenIdle(), gate.nextEntry()]);
    const accounted: { published: number; started: number; dropped: number }[] = [];
    let newestPublished = -1;
    const newestAtStart: number[] = [];

    for (let i = 0; i < FRAMES; i++) {
      const reports = port.messages('/diagnostics').length;
      port.advance(CAMERA_MS);
      if (port.messages('/diagnostics').length > reports) {
        // A report was just published: its drop count is current, so every frame is accounted for.
        const dropped = Number(diagnosticValue(port.messages('/diagnostics'), 'frames dropped (overload)'));
        accounted.push({ published: i, started: gate.started.length, dropped });
      }
      assert.ok(gate.held.length <= 1, `at most one frame in flight (${gate.held.length})`);
      const done = gate.held[0];
      if (done && done.due <= port.now()) {
        gate.held.shift();
        const before = gate.started.length;
        done.release();
        await settle();
        if (gate.started.length > before) newestAtStart.push(newestPublished);
      }
      port.publish('image', imageMsg(stampOf(i), buffers[i]));
      const startedNow = gate.started.at(-1) === i;
      if (startedNow) newestAtStart.push(i);
      newestPublished = i;
    }
    // The camera stops; the frame in flight and the waiting one finish.
    while (gate.held.length) {
      port.advance(PROCESS_MS);
      const next = gate.held.shift()!;
      const before = gate.started.length;
      next.release();
      await settle();
      if (gate.started.length > before) newestAtStart.push(newestPublished);
    }
    await node.whenIdle();
    port.advance(1000);

    // Newest kept: every frame started on was the newest one published at that moment, and the last frame is processed.
    assert.deepEqual(gate.started, newestAtStart, 'each processed frame was the newest when its processing began');
    assert.equal(gate.started.at(-1), FRAMES - 1, 'the newest frame is never lost');
    // Throughput is what processing allows: one frame per PROCESS_MS of camera time.
    const processed = gate.started.length;
    assert.ok(Math.abs(processed - (FRAMES * CAMERA_MS) / PROCESS_MS) <= 2, `${processed} frames processed of ${FRAMES}`);
    const matched = (port.messages('~/place_match') as Msg[]).map((m) => Number((stampToNs(m.header.stamp) - stampOf(0)) / (stampOf(1) - stampOf(0))));
    assert.deepEqual(matched, gate.started, 'a place match for exactly the processed frames');

    // Drops counted and reported: every published frame was processed or dropped, none is left waiting.
    const diagnostics = port.messages('/diagnostics');
    assert.equal(Number(diagnosticValue(diagnostics, 'frames dropped (overload)')), FRAMES - processed);
    assert.equal(Number(diagnosticValue(diagnostics, 'frames received')), FRAMES);
    assert.equal(Number(diagnosticValue(diagnostics, 'frames processed')), processed);
    // Bounded: at every diagnostics report, the frames neither started nor dropped are at most the one waiting slot.
    assert.ok(accounted.length >= FRAMES / 10 - 1);
    for (const a of accounted) {
      const waiting = a.published - a.started - a.dropped;
      assert.ok(waiting === 0 || waiting === 1, `frames held beyond one in flight and one waiting: ${JSON.stringify(a)}`);
    }
    assert.ok(accounted.some((a) => a.published - a.started - a.dropped === 1), 'the waiting slot is in use under overload');
    const periods = (diagnostics as Msg[]).map((d) => d.status[0]);
    const busy = periods.find((s) => /frames dropped \(processing slower than the camera\)/.test(s.message));
    assert.ok(busy, 'a diagnostics period says frames were dropped');
    assert.equal(busy.level, 1, 'WARN');
    const rate = (s: Msg, key: string) => Number(s.values.find((v: Msg) => v.key === key).value);
    const steady = periods.slice(1, -2);
    assert.ok(steady.length >= 5);
    for (const s of steady) {
      assert.equal(rate(s, 'input rate (Hz)'), 1000 / CAMERA_MS);
      assert.ok(Math.abs(rate(s, 'processed rate (Hz)') - 1000 / PROCESS_MS) <= 1, `processed rate ${rate(s, 'processed rate (Hz)')} Hz`);
    }
    assert.equal(port.lifecycleState, 'active');
  });
});
