// The README's first command, end to end: the demo world is generated, written as bags, mapped,
// replayed and searched for loop closures. Runs with the weight-free frontend to stay quick; the
// default CNN is covered by the nordland64 end-to-end test.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runDemo } from '../../src/cli/commands/demo.js';

describe('seqvpr demo (end to end)', () => {
  let out: string;
  let result: Awaited<ReturnType<typeof runDemo>>;

  before(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-demo-'));
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      result = await runDemo({ out, config: 'config/patchnorm.yaml', seed: 7 });
    } finally {
      process.stdout.write = write;
    }
  });

  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('writes both drives as bags and every report', () => {
    for (const file of ['bags/map_run/metadata.yaml', 'bags/query_run/metadata.yaml', 'map/manifest.json',
      'replay/metrics.json', 'replay/report.html', 'replay/matches.csv', 'loops/loops.json', 'loops/loops.html']) {
      assert.ok(existsSync(path.join(out, file)), `missing ${file}`);
    }
  });

  it('localises the winter drive against the day map far above chance', () => {
    // 445 map frames: chance of a 3 m hit is about 1 %.
    assert.ok(result.replay.recall['1']! > 0.6, `recall@1 ${result.replay.recall['1']}`);
    assert.equal(result.replay.queries, result.world.frames.query);
  });

  it('holds the frames of the query drive\'s stop (motion gate) and says how many in the report', async () => {
    const [header, ...rows] = (await readFile(path.join(out, 'replay/matches.csv'), 'utf8')).trim().split('\n');
    // Counted from the end of a row: the quoted source column before it may hold commas.
    const fromEnd = header.split(',').indexOf('held') - header.split(',').length;
    const held = rows.filter((r) => r.split(',').at(fromEnd) === '1').length;
    assert.ok(held >= 20, `the drive stands still for 4 s at 10 Hz, yet only ${held} frames were held`);
    const html = await readFile(path.join(out, 'replay/report.html'), 'utf8');
    const shown = /held queries \(motion gate\)\D*(\d+)/.exec(html);
    assert.equal(Number(shown?.[1]), held);
  });

  it('reports loop closures on the revisit with no false one', async () => {
    const s = result.loops.scores!;
    assert.ok(s.revisits > 50, 'the query drive passes its start again');
    assert.ok(s.loops > 10, `only ${s.loops} loop closures`);
    assert.equal(s.precision, 1, `${s.loops - s.correct} false loop closures`);
    const written = JSON.parse(await readFile(path.join(out, 'loops/loops.json'), 'utf8'));
    assert.equal(written.length, s.loops);
    assert.ok(written.every((l: { hasRelativePose: boolean }) => l.hasRelativePose), 'every closure has a relative pose (the bags have odometry)');
  });

  it('the closures correct a drifting odometry in the pose graph (Ceres)', async function () {
    if (!result.slam) {
      console.log('    skipped: the pose-graph optimiser is unavailable (apt-get install libceres-dev)');
      return this.skip();
    }
    const metrics = JSON.parse(await readFile(path.join(out, 'slam/metrics.json'), 'utf8'));
    assert.ok(existsSync(path.join(out, 'slam/report.html')));
    assert.ok(metrics.ate.odometry > 2, `the odometry drifts (${metrics.ate.odometry} m)`);
    assert.ok(metrics.ate.optimized <= 0.3 * metrics.ate.odometry, `optimised ${metrics.ate.optimized} m vs odometry ${metrics.ate.odometry} m`);
    assert.equal(metrics.closures.false, 0);
    assert.ok(metrics.falseClosure.ate.noRobustLoss > metrics.falseClosure.ate.robustLoss, 'a false closure hurts more without the robust loss');
  });
});
