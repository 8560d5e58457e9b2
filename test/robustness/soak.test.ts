// bench/soak.ts: its plateau verdict on made-up memory curves (a leak must be called one, warm-up
// and expected map growth must not), and a short end-to-end run of the script itself.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { memoryTable, plateauVerdict, type MemorySample } from '../../bench/soak-report.js';
import { mulberry32 } from '../support/random-unit-vectors.js';

const MiB = 2 ** 20;

/** 101 samples over `frames` frames; rss/heap/expected as functions of the frame count, plus ±0.5 MiB noise on RSS. */
function curve(
  frames: number,
  rss: (f: number) => number,
  heap: (f: number) => number = () => 20 * MiB,
  expected: (f: number) => number = () => 0,
  expectedHeap: (f: number) => number = () => 0,
): MemorySample[] {
  const noise = mulberry32(7);
  return Array.from({ length: 101 }, (_, i) => {
    const f = Math.round((frames * i) / 100);
    return {
      frames: f, seconds: i, rss: rss(f) + (noise() - 0.5) * MiB, heapUsed: heap(f), external: 10 * MiB, arrayBuffers: 3 * MiB,
      mapFrames: f, expected: expected(f), expectedHeap: expectedHeap(f),
    };
  });
}

describe('soak plateau verdict', () => {
  const N = 100_000;

  it('a flat curve after warm-up is a plateau, however steep the warm-up', () => {
    const warm = (f: number) => 120 * MiB + 50 * MiB * Math.min(1, f / (N / 3));
    const v = plateauVerdict(curve(N, warm));
    assert.equal(v.plateau, true, v.text);
    assert.match(v.text, /^PLATEAU/);
  });

  it('a steady RSS leak is growth, even when small per frame', () => {
    const v = plateauVerdict(curve(N, (f) => 150 * MiB + f * 200));
    assert.equal(v.plateau, false, v.text);
    assert.ok(Math.abs(v.rssSlopePerFrame - 200) < 20, `slope ${v.rssSlopePerFrame}`);
    assert.match(v.text, /^GROWING/);
  });

  it('a JS heap leak is growth even when RSS hides it', () => {
    const v = plateauVerdict(curve(N, () => 300 * MiB, (f) => 20 * MiB + f * 60));
    assert.equal(v.plateau, false, v.text);
    assert.ok(v.heapGrowth > 0.1);
  });

  it('growth matching the expected map payload is not a leak; growth beyond it is', () => {
    const payload = (f: number) => f * 4500;
    const meta = (f: number) => f * 250;
    const grows = (f: number) => 20 * MiB + meta(f);
    assert.equal(plateauVerdict(curve(N, (f) => 150 * MiB + payload(f), grows, payload, meta)).plateau, true);
    const leaking = plateauVerdict(curve(N, (f) => 150 * MiB + payload(f) + f * 300, grows, payload, meta));
    assert.equal(leaking.plateau, false, leaking.text);
    assert.match(leaking.text, /RSS minus the expected map payload/);
    const heapLeak = plateauVerdict(curve(N, (f) => 150 * MiB + payload(f), (f) => grows(f) + f * 60, payload, meta));
    assert.equal(heapLeak.plateau, false, heapLeak.text);
  });

  it('needs enough samples, and tabulates the first and last', () => {
    assert.throws(() => plateauVerdict(curve(N, () => MiB).slice(0, 5)), /at least 6/);
    const table = memoryTable(curve(N, () => 100 * MiB), 11).split('\n');
    assert.equal(table.length, 2 + 11);
    assert.match(table[2], /^\| 0 \|/);
    assert.match(table.at(-1)!, /^\| 100000 \|/);
  });
});

describe('bench/soak.ts (short run)', function () {
  this.timeout(180_000);
  let dir: string;
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('replays a looped bag through every mode and writes the curves as markdown', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-soak-test-'));
    const md = path.join(dir, 'soak.md');
    const args = ['--expose-gc', '--import', 'tsx', 'bench/soak.ts', '--frames', '900', '--map-frames', '400', '--control-frames', '200', '--overload-seconds', '2', '--places', '60', '--bag-frames', '150', '--markdown', md, '--svg', path.join(dir, 'soak')];
    let code = 0;
    try {
      await promisify(execFile)(process.execPath, args, { encoding: 'utf8' });
    } catch (e) {
      code = (e as { code: number }).code;
      // Exit code 2 is a GROWING verdict, which a run this short may give; anything else is a failure.
      assert.equal(code, 2, String((e as { stderr?: string }).stderr));
    }
    const text = await readFile(md, 'utf8');
    assert.match(text, /### localize: 900 frames of a 150-frame bag played in a loop, map of 60 places/);
    assert.match(text, /### map \(live mapping\): 400 frames/);
    assert.match(text, /### overload: frames offered at 3x the sustained rate for 2 s/);
    assert.match(text, /every offered frame accounted for: yes/);
    assert.match(text, /control \(200 frames each, second half\): mapping alone grew/);
    assert.equal((text.match(/\*\*(PLATEAU|GROWING)( \(control\))?: /g) ?? []).length, 3);
    assert.match(text, /\n\| 900 \| /, 'the last localize sample is in the table');
    const within = Number(/within 2 places of the truth: ([\d.]+)%/.exec(text)![1]);
    assert.ok(within > 80, `the replay localises (${within}%)`);
    assert.match(await readFile(path.join(dir, 'soak-localize.svg'), 'utf8'), /^<svg /);
    assert.equal(code === 2, /GROWING/.test(text));
  });
});
