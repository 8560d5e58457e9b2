// `seqvpr loops --images` on a sparse keyframed run with one revisit, as a robot's keyframe folder
// would be: about 90 keyframes 4.5 m apart, rendered from the demo world in the test (the run
// drives 1.25 laps, so its last ~18 keyframes revisit its first ones). Folders carry no clock and
// no poses: correctness is checked against the arc lengths the frames were rendered at.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { appearanceByName } from '../../src/demo/appearance.js';
import { renderJpeg } from '../../src/demo/render.js';
import { mapTraversal } from '../../src/demo/traversal.js';
import { makeWorld } from '../../src/demo/world.js';
import { runSeqvpr } from '../support/run-cli.js';

describe('seqvpr loops on a keyframed image folder', function () {
  this.timeout(240_000);
  let dir: string;
  let folder: string;
  /** Arc length along the route (modulo one lap) of each keyframe. */
  let lapPosition: number[] = [];
  let lap = 0;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-loops-kf-'));
    folder = path.join(dir, 'keyframes');
    await mkdir(folder);
    const world = makeWorld({ seed: 3 });
    lap = world.route.lengthM;
    const poses = mapTraversal(world.route, { seed: 3 }).poses;
    // Keyframes every 4.5 m of travel, as a keyframing front end would keep them.
    const keyframes = poses.filter((p, i) => i === 0 || Math.floor(p.distanceM / 4.5) > Math.floor(poses[i - 1].distanceM / 4.5));
    lapPosition = keyframes.map((p) => p.distanceM % lap);
    const look = appearanceByName('day');
    await Promise.all(
      keyframes.map(async (p, i) => writeFile(path.join(folder, `kf-${i}.jpg`), await renderJpeg(world, p, look, { noiseSeed: 100 + i }))),
    );
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the revisit with the defaults, every closure at the right place', async () => {
    assert.ok(lapPosition.length >= 80 && lapPosition.length <= 100, `${lapPosition.length} keyframes`);
    const out = path.join(dir, 'out');
    const r = await runSeqvpr('loops', '--images', folder, '--out', out, '--config', 'config/patchnorm.yaml');
    assert.equal(r.code, 0, r.errorLines.join('\n'));
    const loops = JSON.parse(await readFile(path.join(out, 'loops.json'), 'utf8')) as { queryIndex: number; matchIndex: number; hasRelativePose?: boolean; relativePoseMissing?: string }[];
    assert.ok(loops.length >= 5, `only ${loops.length} loop closures: ${r.stdout}`);
    for (const l of loops) {
      const d = Math.abs(lapPosition[l.queryIndex] - lapPosition[l.matchIndex]);
      assert.ok(Math.min(d, lap - d) <= 6, `closure ${l.queryIndex} -> ${l.matchIndex} is ${d.toFixed(1)} m off`);
      assert.equal(l.hasRelativePose, false, 'a folder has no odometry');
      assert.equal(l.relativePoseMissing, 'no_odometry');
    }
    assert.doesNotMatch(r.stdout, /nothing could be searched/);
  });

  it('says in one line when the exclusion window leaves nothing to search', async () => {
    const r = await runSeqvpr('loops', '--images', folder, '--out', path.join(dir, 'out2'), '--config', 'config/patchnorm.yaml', '--exclude-frames', '200');
    assert.equal(r.code, 0, r.errorLines.join('\n'));
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('nothing could be searched'));
    assert.equal(lines.length, 1, r.stdout);
    assert.match(lines[0], /last 200 keyframes/);
    // With a clock (--frame-rate) the time window counts too: 1 Hz and 120 s exclude everything.
    const timed = await runSeqvpr('loops', '--images', folder, '--out', path.join(dir, 'out3'), '--config', 'config/patchnorm.yaml', '--frame-rate', '1', '--exclude-seconds', '120');
    assert.match(timed.stdout, /^nothing could be searched/m);
    const bad = await runSeqvpr('loops', '--images', folder, '--out', path.join(dir, 'out4'), '--frame-rate', '0');
    assert.equal(bad.code, 1);
    assert.match(bad.errorLines.join('\n'), /--frame-rate <hz>' argument '0' is invalid/);
  });
});
