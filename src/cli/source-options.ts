// The command-line options that name a recorded frame source (src/sources/open-source.ts).
import type { Command } from 'commander';
import { positiveNumber } from './number-option.js';

/** Adds the source options to a command. */
export function frameSourceOptions(command: Command, prefix = ''): Command {
  const p = prefix ? `${prefix}-` : '';
  return command
    .option(`--${p}images <dir>`, 'folder of PNG/JPEG frames, in file-name order')
    .option(`--${p}bag <path>`, 'ROS 2 bag (folder with metadata.yaml, .mcap or .db3)')
    .option(`--${p}image-topic <topic>`, 'with --bag: sensor_msgs/Image or CompressedImage topic')
    .option(`--${p}pose-topic <topic>`, 'with --bag: nav_msgs/Odometry or PoseStamped topic for poses')
    .option(`--${p}keyframe-distance <m>`, 'keep a frame once it is this far from the last one (needs poses)', positiveNumber)
    .option(`--${p}keyframe-period <ms>`, 'keep a frame once this much time has passed (without poses)', positiveNumber);
}
