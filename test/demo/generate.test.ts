// generateDemo: two MCAP bags that the project's own bag reader opens, with decodable JPEG frames
// and odometry carrying the ground truth, stamped at the camera rate from a fixed epoch.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageFromMessage, poseFromMessage } from '../../src/bag/convert.js';
import { openBag } from '../../src/bag/reader.js';
import { BagError, ConfigError } from '../../src/core/errors.js';
import type { CompressedImage, Pose } from '../../src/core/types.js';
import { DEMO_EPOCH_NS, generateDemo, type DemoWorld } from '../../src/demo/generate.js';
import type { TraversalPose } from '../../src/demo/traversal.js';
import { decodeImage } from '../../src/image/decode.js';

interface Recorded {
  topics: [string, string, number][];
  images: { stamp: bigint; frameId: string; image: CompressedImage; logTime: bigint }[];
  poses: { stamp: bigint; frameId: string; pose: Pose; child: string; covariance: number[] }[];
}

async function readRun(dir: string): Promise<Recorded> {
  const bag = await openBag(dir, { warn: (m) => assert.fail(m) });
  const out: Recorded = { topics: bag.info().topics.map((t) => [t.name, t.type, t.count]), images: [], poses: [] };
  try {
    for await (const m of bag.messages()) {
      const image = imageFromMessage(m.type, m.message);
      if (image) {
        assert.equal(image.value.kind, 'compressed');
        out.images.push({ stamp: image.stamp, frameId: image.frameId, image: image.value as CompressedImage, logTime: m.logTime });
      }
      const pose = poseFromMessage(m.type, m.message);
      if (pose) {
        const msg = m.message as { child_frame_id: string; pose: { covariance: ArrayLike<number> } };
        out.poses.push({ stamp: pose.stamp, frameId: pose.frameId, pose: pose.value, child: msg.child_frame_id, covariance: Array.from(msg.pose.covariance) });
      }
    }
  } finally {
    await bag.close();
  }
  return out;
}

const yawOf = (p: Pose) => 2 * Math.atan2(p.orientation.z, p.orientation.w);

function checkRun(run: Recorded, truth: TraversalPose[], start: bigint): void {
  assert.deepEqual(run.topics, [
    ['/camera/image_raw/compressed', 'sensor_msgs/msg/CompressedImage', truth.length],
    ['/odom', 'nav_msgs/msg/Odometry', truth.length],
  ]);
  assert.equal(run.images.length, truth.length);
  assert.equal(run.poses.length, truth.length);
  for (let k = 0; k < truth.length; k++) {
    const stamp = start + BigInt(k) * 100_000_000n;
    const img = run.images[k];
    assert.equal(img.stamp, stamp, `image ${k} stamp`);
    assert.ok(img.logTime > img.stamp, 'received after capture');
    assert.equal(img.frameId, 'camera');
    assert.equal(img.image.format, 'jpeg');
    assert.deepEqual([...img.image.data.subarray(0, 3)], [0xff, 0xd8, 0xff], `image ${k} is not a JPEG`);
    const odom = run.poses[k];
    assert.equal(odom.stamp, stamp, `pose ${k} stamp`);
    assert.equal(odom.frameId, 'odom');
    assert.equal(odom.child, 'base_link');
    assert.ok(Math.abs(odom.pose.position.x - truth[k].x) < 1e-9 && Math.abs(odom.pose.position.y - truth[k].y) < 1e-9, `pose ${k}`);
    const dYaw = yawOf(odom.pose) - truth[k].yaw;
    assert.ok(Math.abs(Math.atan2(Math.sin(dYaw), Math.cos(dYaw))) < 1e-9, `yaw ${k}`);
    assert.equal(odom.covariance.length, 36);
    assert.ok([0, 7, 14, 21, 28, 35].every((i) => odom.covariance[i] > 0), 'covariance diagonal must be positive');
  }
}

describe('generateDemo', function () {
  let dir: string;
  let demo: DemoWorld;
  const progress: [number, number][] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seqvpr-demo-'));
    demo = await generateDemo(dir, { seed: 3, routeLengthM: 150, onProgress: (done, total) => progress.push([done, total]) });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reports what it made', () => {
    assert.equal(demo.mapBag, join(dir, 'map_run'));
    assert.equal(demo.queryBag, join(dir, 'query_run'));
    assert.equal(demo.imageTopic, '/camera/image_raw/compressed');
    assert.equal(demo.poseTopic, '/odom');
    assert.deepEqual(demo.appearance, { map: 'day', query: 'winter' });
    assert.equal(demo.frames.map, demo.poses.map.length);
    assert.equal(demo.frames.query, demo.poses.query.length);
    assert.ok(demo.frames.map > 150 && demo.frames.query > demo.frames.map, `${demo.frames.map} / ${demo.frames.query} frames`);
    assert.ok(Math.abs(demo.seconds.map - (demo.frames.map - 1) / 10) < 1e-9);
    assert.equal(demo.routeLengthM, 150);
  });

  it('shows progress from 0 up to all frames of both runs', () => {
    const total = demo.frames.map + demo.frames.query;
    assert.deepEqual(progress[0], [0, total]);
    assert.deepEqual(progress.at(-1), [total, total]);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i][0] > progress[i - 1][0]);
  });

  it('writes a map bag the bag reader opens, with every frame stamped, posed and a JPEG', async () => {
    checkRun(await readRun(demo.mapBag), demo.poses.map, DEMO_EPOCH_NS);
  });

  it('writes a query bag in another season, later, with a stop of at least 2 s in its odometry', async () => {
    const run = await readRun(demo.queryBag);
    const start = run.images[0].stamp;
    assert.ok(start > DEMO_EPOCH_NS + BigInt(demo.seconds.map * 1e9), 'the query run must start after the map run');
    checkRun(run, demo.poses.query, start);
    let standing = 0;
    let longest = 0;
    for (let k = 1; k < run.poses.length; k++) {
      const same = JSON.stringify(run.poses[k].pose) === JSON.stringify(run.poses[k - 1].pose);
      standing = same ? standing + 1 : 0;
      longest = Math.max(longest, standing);
    }
    assert.ok(longest >= 20, `longest stand ${longest / 10} s`);
  });

  it('writes images that decode to 160x96 RGB', async () => {
    for (const bag of [demo.mapBag, demo.queryBag]) {
      const run = await readRun(bag);
      for (const k of [0, Math.floor(run.images.length / 2), run.images.length - 1]) {
        const px = await decodeImage(run.images[k].image);
        assert.deepEqual([px.width, px.height, px.channels], [160, 96, 3]);
      }
    }
  });

  it('refuses to overwrite existing bags, before writing anything', async () => {
    await assert.rejects(generateDemo(dir, { routeLengthM: 150 }), BagError);
    const other = await mkdtemp(join(tmpdir(), 'seqvpr-demo-'));
    try {
      await mkdir(join(other, 'query_run'));
      await assert.rejects(generateDemo(other, { routeLengthM: 150 }), BagError);
      assert.equal(existsSync(join(other, 'map_run')), false);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('writes byte-identical images for the same seed, other images for another seed', async () => {
    const small = { routeLengthM: 100, laps: 0.3 };
    const jpegs = async (seed: number) => {
      const out = await mkdtemp(join(tmpdir(), 'seqvpr-demo-'));
      try {
        const made = await generateDemo(out, { ...small, seed });
        return [...(await readRun(made.mapBag)).images, ...(await readRun(made.queryBag)).images].map((i) => Buffer.from(i.image.data).toString('base64'));
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    };
    const [a, b, c] = [await jpegs(5), await jpegs(5), await jpegs(6)];
    assert.ok(a.length > 50);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a[0], c[0]);
  });

  it('rejects bad options with a ConfigError', async () => {
    await assert.rejects(generateDemo(dir, { width: 3 }), ConfigError);
    await assert.rejects(generateDemo(dir, { jpegQuality: 0 }), ConfigError);
    await assert.rejects(generateDemo(dir, { queryAppearance: 'spring' as never }), ConfigError);
  });
});
