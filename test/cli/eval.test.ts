// End to end: `seqvpr eval` on a stretch of the real nordland64 data (winter queries against a
// summer map), through the same code path as the command line. Skips when the data is absent.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, symlink, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runEval } from '../../src/cli/commands/eval.js';
import { main } from '../../src/cli/main.js';

const DATA = path.resolve('../shared/data/nordland64');

/** Links frames [from, from + count) of a season into a fresh folder (no copies). */
async function linkStretch(season: string, from: number, count: number, into: string): Promise<string> {
  const dir = path.join(into, season);
  await mkdir(dir);
  const files = (await readdir(path.join(DATA, season))).sort().slice(from, from + count);
  await Promise.all(files.map((f) => symlink(path.join(DATA, season, f), path.join(dir, f))));
  return dir;
}

describe('seqvpr eval on nordland64 (end to end)', function () {
  let tmp: string;
  let summer: string;
  let winter: string;

  before(async function () {
    if (!existsSync(path.join(DATA, 'summer')) || !existsSync(path.join(DATA, 'winter'))) {
      this.skip(); // shared data not present (fresh clone): ../shared/data/nordland64 is needed
    }
    tmp = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-eval-'));
    summer = await linkStretch('summer', 600, 300, tmp);
    winter = await linkStretch('winter', 600, 300, tmp);
  });

  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  for (const [config, minRecall] of [
    ['config/patchnorm.yaml', 0.5],
    ['config/default.yaml', 0.7],
  ] as const) {
    it(`localises winter against summer with ${config} and writes metrics, matches and report`, async () => {
      const out = path.join(tmp, path.basename(config, '.yaml'));
      const metrics = await runEval({ map: summer, query: { images: winter }, gt: 'aligned:1', out, config });
      assert.equal(metrics.queries, 300);
      assert.ok(metrics.recall['1']! >= minRecall, `recall@1 ${metrics.recall['1']} below ${minRecall}`);
      assert.ok(metrics.recall['5']! >= metrics.recall['1']!);
      const written = JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8'));
      for (const key of ['recall', 'averagePrecision', 'recallAtPrecision100', 'latencyMs', 'framesPerSecond', 'queries']) {
        assert.ok(key in written, `metrics.json lacks ${key}`);
      }
      for (const n of ['1', '5', '10', '20']) assert.equal(typeof written.recall[n], 'number');
      for (const p of ['p50', 'p95', 'p99']) assert.ok(written.latencyMs[p] > 0);
      const csv = (await readFile(path.join(out, 'matches.csv'), 'utf8')).trim().split('\n');
      assert.equal(csv.length, 301);
      const html = await readFile(path.join(out, 'report.html'), 'utf8');
      assert.match(html, /<svg/);
      assert.match(html, /data:image\/png;base64/);
    });
  }

  it('a saved map gives the same answers as a map built on the fly', async () => {
    const mapDir = path.join(tmp, 'map');
    assert.equal(await main(['node', 'seqvpr', 'map', 'build', '--images', summer, '--out', mapDir, '--config', 'config/patchnorm.yaml']), 0);
    const fromSaved = await runEval({ map: mapDir, query: { images: winter }, gt: 'aligned:1', out: path.join(tmp, 'saved'), config: 'config/patchnorm.yaml' });
    const onTheFly = await runEval({ map: summer, query: { images: winter }, gt: 'aligned:1', out: path.join(tmp, 'fly'), config: 'config/patchnorm.yaml' });
    assert.deepEqual(fromSaved.recall, onTheFly.recall);
    assert.equal(fromSaved.averagePrecision, onTheFly.averagePrecision);
  });

  it('refuses a saved map built with another front end, with one clear line and exit code 1', async () => {
    const mapDir = path.join(tmp, 'map-pn');
    assert.equal(await main(['node', 'seqvpr', 'map', 'build', '--images', summer, '--out', mapDir, '--config', 'config/patchnorm.yaml']), 0);
    const errors = await captureStderr(() =>
      main(['node', 'seqvpr', 'eval', '--map', mapDir, '--query', winter, '--gt', 'aligned:1', '--out', path.join(tmp, 'x')]),
    );
    assert.equal(errors.code, 1);
    assert.match(errors.text, /was built with frame encoder "patchnorm/);
    assert.equal(errors.text.trim().split('\n').length, 1, `expected one line, got:\n${errors.text}`);
    process.exitCode = 0;
  });
});

describe('seqvpr command line errors', () => {
  it('a config with an unknown key fails with one line naming the key', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-cfg-'));
    const cfg = path.join(dir, 'bad.yaml');
    await writeFile(cfg, 'frontend: {kind: patchnorm}\nsequence: {kind: single}\nmatcher: {kind: seqslam}\nwindowLenght: 10\n');
    const errors = await captureStderr(() =>
      main(['node', 'seqvpr', 'map', 'build', '--images', dir, '--out', path.join(dir, 'm'), '--config', cfg]),
    );
    process.exitCode = 0;
    await rm(dir, { recursive: true, force: true });
    assert.equal(errors.code, 1);
    assert.match(errors.text, /windowLenght/);
    assert.doesNotMatch(errors.text, /\n\s+at /, 'no stack trace without --debug');
  });
});

async function captureStderr(run: () => Promise<number>): Promise<{ code: number; text: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    text += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await run();
    return { code, text: text.split('\n').filter((l) => !l.includes('warning')).join('\n') };
  } finally {
    process.stderr.write = write;
  }
}
