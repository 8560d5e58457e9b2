// End to end on bags: nordland frames written as ROS 2 bags with poses, a map built from the bag,
// the query bag replayed with pose ground truth. The pixels are the same as in the image folders,
// so the results must equal `seqvpr eval` on the folders exactly. Skips when the data is absent.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runEval } from '../../src/cli/commands/eval.js';
import { writeImagesToBag } from '../../src/cli/images-to-bag.js';
import { main } from '../../src/cli/main.js';
import { openBag } from '../../src/bag/reader.js';

const DATA = path.resolve('../shared/data/nordland64');
const CONFIG = 'config/patchnorm.yaml';

describe('seqvpr map build --bag and seqvpr replay (end to end)', function () {
  let tmp: string;
  const folders: Record<string, string> = {};
  const bags: Record<string, string> = {};

  before(async function () {
    if (!existsSync(path.join(DATA, 'summer'))) this.skip(); // needs ../shared/data/nordland64
    tmp = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-replay-'));
    for (const season of ['summer', 'winter']) {
      const dir = path.join(tmp, season);
      await mkdir(dir);
      const files = (await readdir(path.join(DATA, season))).sort().slice(1200, 1400);
      await Promise.all(files.map((f) => symlink(path.join(DATA, season, f), path.join(dir, f))));
      // Poses: frame i of either season is at x = i metres (the seasons are frame-aligned).
      const poses = path.join(tmp, `${season}-poses.csv`);
      await writeFile(poses, 'x,y,yaw\n' + files.map((_, i) => `${i},0,0`).join('\n') + '\n');
      folders[season] = dir;
      bags[season] = path.join(tmp, `${season}-bag`);
      await writeImagesToBag(dir, bags[season], { rateHz: 10, posesFile: poses, compressed: season === 'winter' });
    }
  });

  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('a bag-built map and a replayed query bag give exactly the results of the image folders', async () => {
    // Folders carry no poses, so the bags' windows are placed one map frame per frame here too.
    const CONFIG = path.join(tmp, 'frames.yaml');
    await writeFile(CONFIG, (await readFile('config/patchnorm.yaml', 'utf8')) + '\nwindowPlacement: frames\n');
    const mapDir = path.join(tmp, 'map');
    const code = await main([
      'node', 'seqvpr', 'map', 'build', '--bag', bags.summer, '--image-topic', '/camera/image_raw',
      '--pose-topic', '/odom', '--out', mapDir, '--config', CONFIG,
    ]);
    assert.equal(code, 0);
    const fromBags = await runEval({
      map: mapDir,
      query: { bag: bags.winter, imageTopic: '/camera/image_raw/compressed', poseTopic: '/odom' },
      gt: 'pose:1',
      out: path.join(tmp, 'replay'),
      config: CONFIG,
      resultsBag: path.join(tmp, 'results'),
    });
    const fromFolders = await runEval({ map: folders.summer, query: { images: folders.winter }, gt: 'aligned:1', out: path.join(tmp, 'eval'), config: CONFIG });
    assert.equal(fromBags.queries, 200);
    assert.equal(fromBags.queriesWithGroundTruth, 200);
    assert.deepEqual(fromBags.recall, fromFolders.recall);
    assert.equal(fromBags.averagePrecision, fromFolders.averagePrecision);
    assert.ok(fromBags.recall['1']! > 0.5);

    // The results bag holds one seqvpr/msg/PlaceMatch per query, stamped with the query image's stamp.
    const bag = await openBag(path.join(tmp, 'results'));
    const topic = bag.info().topics.find((t) => t.type === 'seqvpr/msg/PlaceMatch');
    assert.ok(topic, 'no PlaceMatch topic in the results bag');
    assert.equal(topic.count, 200);
    let first: { header: { stamp: { sec: number; nanosec: number } }; correspondences: unknown[] } | undefined;
    for await (const m of bag.messages({ topics: [topic.name] })) {
      first ??= m.message as typeof first;
    }
    await bag.close();
    assert.ok(first!.correspondences.length >= 1);
  });

  it('keyframing by distance thins a bag map (poses 1 m apart, keyframes every 3 m)', async () => {
    const mapDir = path.join(tmp, 'map-kf');
    const code = await main([
      'node', 'seqvpr', 'map', 'build', '--bag', bags.summer, '--image-topic', '/camera/image_raw',
      '--pose-topic', '/odom', '--keyframe-distance', '3', '--out', mapDir, '--config', CONFIG,
    ]);
    assert.equal(code, 0);
    const manifest = JSON.parse(await (await import('node:fs/promises')).readFile(path.join(mapDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.frames, 67); // x = 0, 3, ..., 198
    assert.equal(manifest.hasPoses, true);
  });
});
