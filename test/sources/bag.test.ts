// Bags as frame sources: small MCAP bags written into the temp folder, read back as frames.
import { planar, yawDeg } from '../support/poses.js';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { nsToStamp } from '../../src/bag/stamp.js';
import { McapBagWriter } from '../../src/bag/writer.js';
import { BagError } from '../../src/core/errors.js';
import type { Frame, Pose } from '../../src/core/types.js';
import { decodeImage } from '../../src/image/decode.js';
import { bagFrames, countImages, type BagFramesOptions, type SkippedImage } from '../../src/sources/bag.js';
import { writePlacePng } from '../support/synthetic-images.js';

const S = 1_000_000_000n;
const T0 = 1_700_000_000n * S;

const header = (stamp: bigint, frameId = 'cam') => ({ stamp: nsToStamp(stamp), frame_id: frameId });

function rgbImage(stamp: bigint, seed: number, width = 4, height = 2) {
  return {
    header: header(stamp),
    width,
    height,
    encoding: 'rgb8',
    is_bigendian: 0,
    step: width * 3,
    data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 13 + seed) % 256),
  };
}


async function collect(bag: string, options: BagFramesOptions): Promise<{ frames: Frame[]; skipped: SkippedImage[]; warnings: string[] }> {
  const skipped: SkippedImage[] = [];
  const warnings: string[] = [];
  const frames: Frame[] = [];
  for await (const f of bagFrames(bag, { warn: (m) => warnings.push(m), onSkip: (s) => skipped.push(s), ...options })) frames.push(f);
  return { frames, skipped, warnings };
}

describe('bag frame source', () => {
  let tmp: string;
  let pngs: Buffer[];

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-bag-source-'));
    pngs = [];
    for (let i = 0; i < 3; i++) {
      const file = path.join(tmp, `p${i}.png`);
      await writePlacePng(file, i, 16, 8);
      pngs.push(await readFile(file));
    }
  });

  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** A bag with raw images, compressed images (one garbage), odometry and a string topic. */
  async function sampleBag(name: string): Promise<string> {
    const dir = path.join(tmp, name);
    const w = await McapBagWriter.create(dir);
    await w.addTopic('/cam/raw', 'sensor_msgs/msg/Image');
    await w.addTopic('/cam/compressed', 'sensor_msgs/msg/CompressedImage');
    await w.addTopic('/chatter', 'std_msgs/msg/String');
    for (let i = 0; i < 3; i++) {
      const t = T0 + BigInt(i) * 100_000_000n;
      // Frame 1 has a zero header stamp: its log time (t + 7 ns) must be used instead.
      const raw = rgbImage(i === 1 ? 0n : t, i);
      await w.write('/cam/raw', t + 7n, raw);
      await w.write('/cam/compressed', t + 8n, { header: header(t, 'cam_optical'), format: 'png', data: new Uint8Array(pngs[i]) });
    }
    await w.write('/cam/compressed', T0 + 500_000_000n, { header: header(T0 + 500_000_000n), format: 'jpeg', data: Uint8Array.from([1, 2, 3, 4, 5]) });
    await w.write('/cam/compressed', T0 + 600_000_000n, { header: header(T0 + 600_000_000n), format: 'png', data: new Uint8Array(pngs[0]) });
    await w.write('/chatter', T0, { data: 'hi' });
    await w.close();
    return dir;
  }

  it('streams raw images with header stamps (log time when the stamp is zero), frame ids and sources', async () => {
    const bag = await sampleBag('raw');
    const { frames, skipped } = await collect(bag, { imageTopic: '/cam/raw' });
    assert.equal(skipped.length, 0);
    assert.deepEqual(frames.map((f) => f.index), [0, 1, 2]);
    assert.deepEqual(frames.map((f) => f.stamp), [T0, T0 + 100_000_000n + 7n, T0 + 200_000_000n]);
    assert.deepEqual(frames.map((f) => f.source), ['/cam/raw#0', '/cam/raw#1', '/cam/raw#2']);
    assert.ok(frames.every((f) => f.frameId === 'cam' && f.pose === undefined));
    for (let i = 0; i < 3; i++) {
      const image = frames[i].image;
      assert.equal(image.kind, 'raw');
      if (image.kind !== 'raw') continue;
      assert.equal(image.encoding, 'rgb8');
      assert.equal(image.width, 4);
      assert.deepEqual(image.data, rgbImage(0n, i).data);
    }
  });

  it('streams compressed images and skips a message of garbage bytes through onSkip', async () => {
    const bag = await sampleBag('compressed');
    const { frames, skipped } = await collect(bag, { imageTopic: '/cam/compressed' });
    assert.deepEqual(frames.map((f) => f.index), [0, 1, 2, 4], 'the skipped message keeps its index');
    assert.deepEqual(skipped.map((s) => [s.index, s.source]), [[3, '/cam/compressed#3']]);
    assert.match(skipped[0].error.message, /neither PNG nor JPEG/);
    assert.equal(frames[0].frameId, 'cam_optical');
    const decoded = await decodeImage(frames[1].image, 'gray');
    const expected = await sharp(pngs[1]).grayscale().raw().toBuffer();
    assert.deepEqual(Buffer.from(decoded.data), expected);
  });

  it('skips raw images whose data is shorter than step * height', async () => {
    const dir = path.join(tmp, 'short');
    const w = await McapBagWriter.create(dir);
    await w.addTopic('/img', 'sensor_msgs/msg/Image');
    await w.write('/img', T0, rgbImage(T0, 0));
    await w.write('/img', T0 + 1n, { ...rgbImage(T0 + 1n, 1), data: new Uint8Array(5) });
    await w.write('/img', T0 + 2n, rgbImage(T0 + 2n, 2));
    await w.close();
    const { frames, skipped } = await collect(dir, { imageTopic: '/img' });
    assert.deepEqual(frames.map((f) => f.index), [0, 2]);
    assert.equal(skipped.length, 1);
    assert.match(skipped[0].error.message, /malformed sensor_msgs\/msg\/Image: data holds 5 bytes/);
  });

  it('refuses a missing or non-image topic, listing the image topics the bag has', async () => {
    const bag = await sampleBag('missing');
    const listed = /image topics in .*: \/cam\/raw \(sensor_msgs\/msg\/Image, 3 messages\), \/cam\/compressed \(sensor_msgs\/msg\/CompressedImage, 5 messages\)/;
    await assert.rejects(collect(bag, { imageTopic: '/camera/image_raw' }), (e: Error) => e instanceof BagError && /has no topic \/camera\/image_raw/.test(e.message) && listed.test(e.message));
    await assert.rejects(collect(bag, { imageTopic: '/chatter' }), (e: Error) => /\/chatter .* is std_msgs\/msg\/String, not one of the image types/.test(e.message) && listed.test(e.message));
    await assert.rejects(collect(bag, { imageTopic: '/cam/raw', poseTopic: '/odom' }), /has no topic \/odom; pose topics in .*: none/);
    await assert.rejects(countImages(bag, '/nope'), listed);
    assert.equal(await countImages(bag, '/cam/compressed'), 5);
  });

  describe('poses', () => {
    /** Images at 0.25 s steps from T0 - 0.75 s; poses (of `type`) at T0, T0 + 1 s, T0 + 2 s. */
    async function posedBag(name: string, type: string, message: (stamp: bigint, pose: Pose) => object): Promise<string> {
      const dir = path.join(tmp, name);
      const w = await McapBagWriter.create(dir);
      await w.addTopic('/img', 'sensor_msgs/msg/Image');
      await w.addTopic('/pose', type);
      // Written out of stamp order: the source must sort them.
      const track: [bigint, Pose][] = [[T0 + S, planar(10, 0, 90)], [T0, planar(0, 0, 0)], [T0 + 2n * S, planar(10, 20, 90)]];
      for (const [t, p] of track) await w.write('/pose', T0, message(t, p));
      for (let i = 0; i < 15; i++) {
        const t = T0 - 750_000_000n + BigInt(i) * 250_000_000n;
        await w.write('/img', t, rgbImage(t, i));
      }
      await w.close();
      return dir;
    }

    const odometry = (stamp: bigint, pose: Pose) => ({ header: header(stamp, 'odom'), child_frame_id: 'base_link', pose: { pose } });

    it('attaches odometry interpolated at each image stamp, none beyond the tolerance', async () => {
      const bag = await posedBag('odom', 'nav_msgs/msg/Odometry', odometry);
      const { frames } = await collect(bag, { imageTopic: '/img', poseTopic: '/pose' });
      assert.equal(frames.length, 15);
      // Stamps -0.75 .. 2.75 s relative to T0; default tolerance 0.5 s.
      const xs = frames.map((f) => (f.pose ? Math.round(f.pose.position.x * 1e6) / 1e6 : null));
      const ys = frames.map((f) => (f.pose ? Math.round(f.pose.position.y * 1e6) / 1e6 : null));
      assert.deepEqual(xs, [null, 0, 0, 0, 2.5, 5, 7.5, 10, 10, 10, 10, 10, 10, 10, null]);
      assert.deepEqual(ys, [null, 0, 0, 0, 0, 0, 0, 0, 5, 10, 15, 20, 20, 20, null]);
      assert.ok(Math.abs(yawDeg(frames[4].pose!) - 22.5) < 1e-9);
      assert.ok(Math.abs(yawDeg(frames[6].pose!) - 67.5) < 1e-9);
    });

    it('honours poseToleranceMs', async () => {
      const bag = await posedBag('odom-tol', 'nav_msgs/msg/Odometry', odometry);
      const { frames } = await collect(bag, { imageTopic: '/img', poseTopic: '/pose', poseToleranceMs: 0 });
      assert.deepEqual(frames.map((f) => f.pose !== undefined), [false, false, false, true, true, true, true, true, true, true, true, true, false, false, false]);
      await assert.rejects(collect(bag, { imageTopic: '/img', poseTopic: '/pose', poseToleranceMs: -1 }), /non-negative/);
    });

    it('reads PoseStamped and PoseWithCovarianceStamped topics too', async () => {
      const stamped = await posedBag('ps', 'geometry_msgs/msg/PoseStamped', (t, pose) => ({ header: header(t, 'map'), pose }));
      const withCov = await posedBag('pwcs', 'geometry_msgs/msg/PoseWithCovarianceStamped', (t, pose) => ({ header: header(t, 'map'), pose: { pose } }));
      for (const bag of [stamped, withCov]) {
        const { frames } = await collect(bag, { imageTopic: '/img', poseTopic: '/pose' });
        assert.equal(frames[5].pose!.position.x, 5);
        assert.equal(frames[9].pose!.position.y, 10);
      }
    });

    it('skips malformed poses with one warning', async () => {
      const dir = path.join(tmp, 'badpose');
      const w = await McapBagWriter.create(dir);
      await w.addTopic('/img', 'sensor_msgs/msg/Image');
      await w.addTopic('/pose', 'geometry_msgs/msg/PoseStamped');
      await w.write('/pose', T0, { header: header(T0), pose: planar(1, 2, 0) });
      await w.write('/pose', T0, { header: header(T0 + S), pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 0 } } });
      await w.write('/img', T0 + S, rgbImage(T0 + S, 0));
      await w.close();
      const { frames, warnings } = await collect(dir, { imageTopic: '/img', poseTopic: '/pose', poseToleranceMs: 1000 });
      assert.deepEqual(frames[0].pose?.position, { x: 1, y: 2, z: 0 });
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /\/pose: 1 malformed pose message\(s\) skipped .*zero quaternion/);
    });
  });
});
