// `seqvpr bag info` and `seqvpr bag from-images`, run through commander as the CLI runs them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { IMAGES_EPOCH_NS, writeImagesToBag } from '../../src/cli/images-to-bag.js';
import type { Frame } from '../../src/core/types.js';
import { bagFrames } from '../../src/sources/bag.js';
import { runSeqvpr } from '../support/run-cli.js';
import { writePlacePng } from '../support/synthetic-images.js';

/** Runs `seqvpr bag ...args` with stdout and stderr captured. */
const bag = (...args: string[]) => runSeqvpr('bag', ...args);

const FIXTURE = path.resolve('../shared/data/rosbag2-fixtures/mcap_talker');


async function readFrames(bagDir: string, imageTopic: string, poseTopic?: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const f of bagFrames(bagDir, { imageTopic, poseTopic, warn: (m) => assert.fail(m) })) frames.push(f);
  return frames;
}

describe('seqvpr bag', () => {
  let tmp: string;
  let images: string;
  const files: string[] = [];

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-bag-cli-'));
    images = path.join(tmp, 'images');
    await mkdir(images);
    // Two grey PNGs, one colour PNG, one JPEG; natural order puts img-2 before img-10.
    for (const i of [1, 2]) {
      files.push(path.join(images, `img-${i}.png`));
      await writePlacePng(files.at(-1)!, i, 16, 8);
    }
    const colour = Buffer.from(Array.from({ length: 12 * 6 * 3 }, (_, k) => (k * 37) % 256));
    files.push(path.join(images, 'img-10.png'));
    await sharp(colour, { raw: { width: 12, height: 6, channels: 3 } }).png().toFile(files.at(-1)!);
    files.push(path.join(images, 'img-11.jpg'));
    await sharp(colour, { raw: { width: 12, height: 6, channels: 3 } }).jpeg().toFile(files.at(-1)!);
  });

  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  describe('info', () => {
    it('prints the topics of the real mcap_talker fixture', async function () {
      if (!existsSync(FIXTURE)) this.skip(); // ../shared/data/rosbag2-fixtures is not present
      const r = await bag('info', FIXTURE);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Storage id:\s+mcap/);
      assert.match(r.stdout, /Messages:\s+20/);
      assert.match(r.stdout, /Topic: \/topic \| Type: std_msgs\/msg\/String \| Count: 10/);
      assert.match(r.stdout, /Topic: \/rosout \| Type: rcl_interfaces\/msg\/Log \| Count: 10/);
    });

    it('fails with one line for a missing bag', async () => {
      const r = await bag('info', path.join(tmp, 'nope'));
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `seqvpr: bag not found: ${path.join(tmp, 'nope')}\n`);
    });
  });

  describe('from-images', () => {
    it('writes rgb8 images and odometry that bagFrames reads back pixel for pixel', async () => {
      const poses = path.join(tmp, 'poses.csv');
      await writeFile(poses, 'x,y,yaw\n0,0,0\n1,0,0\n2,0.5,1.5707963267948966\n3,1,0\n');
      const out = path.join(tmp, 'raw-bag');
      const r = await bag('from-images', images, '--out', out, '--rate', '4', '--poses', poses, '--frame-id', 'cam0');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `bag: 4 images on /camera/image_raw, 4 poses on /odom, written to ${out}\n`);

      const info = await bag('info', out);
      assert.match(info.stdout, /Topic: \/camera\/image_raw \| Type: sensor_msgs\/msg\/Image \| Count: 4/);
      assert.match(info.stdout, /Topic: \/odom \| Type: nav_msgs\/msg\/Odometry \| Count: 4/);

      const frames = await readFrames(out, '/camera/image_raw', '/odom');
      assert.deepEqual(frames.map((f) => f.stamp - IMAGES_EPOCH_NS), [0n, 250_000_000n, 500_000_000n, 750_000_000n]);
      assert.ok(frames.every((f) => f.frameId === 'cam0'));
      for (let i = 0; i < 4; i++) {
        const image = frames[i].image;
        assert.ok(image.kind === 'raw' && image.encoding === 'rgb8');
        const { data, info: px } = await sharp(files[i]).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
        assert.deepEqual([image.width, image.height, image.step], [px.width, px.height, px.width * 3]);
        assert.ok(Buffer.from(image.data).equals(data), `pixels of ${path.basename(files[i])} differ`);
      }
      assert.deepEqual(frames.map((f) => f.pose!.position), [
        { x: 0, y: 0, z: 0 },
        { x: 1, y: 0, z: 0 },
        { x: 2, y: 0.5, z: 0 },
        { x: 3, y: 1, z: 0 },
      ]);
      assert.ok(Math.abs(frames[2].pose!.orientation.z - Math.SQRT1_2) < 1e-12);
    });

    it('--compressed stores the original bytes with their format', async () => {
      const out = path.join(tmp, 'compressed-bag');
      const r = await bag('from-images', images, '--out', out, '--compressed');
      assert.equal(r.code, 0, r.stderr);
      const frames = await readFrames(out, '/camera/image_raw/compressed');
      assert.equal(frames.length, 4);
      assert.deepEqual(frames.map((f) => f.stamp - IMAGES_EPOCH_NS), [0n, 100_000_000n, 200_000_000n, 300_000_000n]);
      for (let i = 0; i < 4; i++) {
        const image = frames[i].image;
        assert.ok(image.kind === 'compressed');
        assert.equal(image.format, i === 3 ? 'jpeg' : 'png');
        assert.ok(Buffer.from(image.data).equals(await readFile(files[i])));
      }
    });

    it('skips corrupt images with a warning and leaves their stamp slot empty', async () => {
      const dir = path.join(tmp, 'with-corrupt');
      await mkdir(dir);
      await writePlacePng(path.join(dir, 'a.png'), 1, 8, 4);
      await writeFile(path.join(dir, 'b.png'), Buffer.from('not a png at all'));
      await writeFile(path.join(dir, 'c.png'), (await readFile(path.join(dir, 'a.png'))).subarray(0, 40)); // truncated
      await writePlacePng(path.join(dir, 'd.png'), 2, 8, 4);
      for (const compressed of [false, true]) {
        const out = path.join(tmp, `corrupt-${compressed}`);
        const r = await bag('from-images', dir, '--out', out, ...(compressed ? ['--compressed'] : []));
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^bag: 2 images on /);
        assert.match(r.stderr, /warning: skipped .*b\.png/);
        assert.match(r.stderr, /warning: skipped .*c\.png/);
        assert.match(r.stderr, /warning: 2 of 4 images could not be read and were skipped/);
        const frames = await readFrames(out, compressed ? '/camera/image_raw/compressed' : '/camera/image_raw');
        assert.deepEqual(frames.map((f) => f.stamp - IMAGES_EPOCH_NS), [0n, 300_000_000n]);
      }
    });

    it('fails with one clear line on bad input, writing nothing', async () => {
      const cases: [string[], RegExp][] = [
        [['--poses', path.join(tmp, 'short.csv')], /short\.csv has 1 poses but .* has 4 images: give one pose row per image/],
        [['--poses', path.join(tmp, 'missing.csv')], /cannot read poses file .*missing\.csv/],
        [['--rate', '0'], /option '--rate <hz>' argument '0' is invalid\. Expected a number > 0\./],
        [['--rate', 'fast'], /option '--rate <hz>' argument 'fast' is invalid/],
      ];
      await writeFile(path.join(tmp, 'short.csv'), 'x,y,yaw\n0,0,0\n');
      for (const [extra, message] of cases) {
        const out = path.join(tmp, 'never');
        const r = await bag('from-images', images, '--out', out, ...extra);
        assert.equal(r.code, 1, extra.join(' '));
        assert.match(r.stderr, message);
        assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
        assert.equal(existsSync(out), false);
      }
      const exists = await bag('from-images', images, '--out', path.join(tmp, 'raw-bag'));
      assert.equal(exists.code, 1);
      assert.match(exists.stderr, /raw-bag already exists: choose another output folder or delete it/);
      const empty = path.join(tmp, 'empty');
      await mkdir(empty);
      assert.match((await bag('from-images', empty, '--out', path.join(tmp, 'e'))).stderr, /holds no \.png or \.jpg files/);
    });

    it('refuses a folder where no image can be read', async () => {
      const dir = path.join(tmp, 'all-bad');
      await mkdir(dir);
      await writeFile(path.join(dir, 'x.png'), 'garbage');
      await assert.rejects(writeImagesToBag(dir, path.join(tmp, 'all-bad-bag')), /none of the 1 images .* could be read; no bag written/);
      assert.equal(existsSync(path.join(tmp, 'all-bad-bag')), false);
      assert.ok(!(await readdir(tmp)).some((n) => n.startsWith('all-bad-bag.tmp')), 'temporary bag folder removed');
    });
  });
});
