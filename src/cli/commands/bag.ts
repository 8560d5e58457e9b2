// `seqvpr bag info` and `seqvpr bag from-images`: inspect bags and record image folders as bags.
import type { Command } from 'commander';
import { formatBagInfo } from '../../bag/format-info.js';
import { openBag } from '../../bag/reader.js';
import { writeImagesToBag, type ImagesToBagResult } from '../images-to-bag.js';
import { positiveNumber } from '../number-option.js';
import { progressBar, type Progress } from '../progress.js';
import { runCommand, warn } from '../run-command.js';

export { writeImagesToBag, type ImagesToBagOptions, type ImagesToBagResult } from '../images-to-bag.js';

/** The `ros2 bag info`-style description of a bag (folder, .mcap or .db3). */
export async function bagInfoText(bagPath: string): Promise<string> {
  const bag = await openBag(bagPath, { warn });
  try {
    return formatBagInfo(bag.info());
  } finally {
    await bag.close();
  }
}

export interface FromImagesCliOptions {
  out: string;
  /** Frames per second of the synthesised stamps. */
  rate: number;
  poses?: string;
  compressed?: boolean;
  frameId?: string;
}

/** `bag from-images` with a progress bar and a warning per unreadable image. */
export async function bagFromImages(dir: string, opts: FromImagesCliOptions): Promise<ImagesToBagResult> {
  let bar: Progress | undefined;
  let result: ImagesToBagResult;
  try {
    result = await writeImagesToBag(dir, opts.out, {
      rateHz: opts.rate,
      posesFile: opts.poses,
      compressed: opts.compressed,
      frameId: opts.frameId,
      onProgress: (done, total) => (bar ??= progressBar('writing bag', total)).update(done),
      onSkip: (file, error) => warn(`skipped ${file}: ${error.message}`),
    });
  } finally {
    bar?.stop();
  }
  if (result.skipped > 0) warn(`${result.skipped} of ${result.images + result.skipped} images could not be read and were skipped`);
  return result;
}

export function registerBag(program: Command): void {
  const bag = program.command('bag').description('inspect ROS 2 bags and record image folders as bags');
  bag
    .command('info')
    .description('print the files, duration and topics of a bag (MCAP or sqlite3)')
    .argument('<bag>', 'bag folder (with metadata.yaml), or one .mcap / .db3 file')
    .addHelpText('after', '\nExample:\n  seqvpr bag info recordings/run1')
    .action(
      runCommand(async (bagPath: string) => {
        process.stdout.write(await bagInfoText(bagPath));
      }),
    );
  bag
    .command('from-images')
    .description('record a folder of PNG/JPEG images (file-name order) as an MCAP bag')
    .argument('<dir>', 'folder of images')
    .requiredOption('--out <bag>', 'bag folder to create (must not exist)')
    .option('--rate <hz>', 'frame rate of the synthesised stamps', positiveNumber, 10)
    .option('--poses <file>', 'CSV with header x,y,z,qx,qy,qz,qw or x,y,yaw, one row per image, written as nav_msgs/Odometry on /odom')
    .option('--compressed', 'store the original PNG/JPEG bytes as sensor_msgs/CompressedImage on /camera/image_raw/compressed')
    .option('--frame-id <id>', 'header.frame_id of the images', 'camera')
    .addHelpText('after', '\nExample:\n  seqvpr bag from-images data/summer --out bags/summer --rate 10 --poses data/summer-poses.csv')
    .action(
      runCommand(async (dir: string, opts: FromImagesCliOptions) => {
        const r = await bagFromImages(dir, opts);
        const poses = r.poses ? `, ${r.poses} poses on /odom` : '';
        process.stdout.write(`bag: ${r.images} images on ${r.imageTopic}${poses}, written to ${r.dir}\n`);
      }),
    );
}
