// `ros2 bag info`-style text for a BagInfo (the CLI prints it as is).
import { basename } from 'node:path';
import { formatStamp } from './stamp.js';
import type { BagInfo } from './types.js';

const LABEL_WIDTH = 19;

function label(name: string): string {
  return `${name}:`.padEnd(LABEL_WIDTH);
}

function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function instant(ns: bigint): string {
  const iso = new Date(Number(ns / 1_000_000n)).toISOString();
  const nanos = (((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${nanos}Z (${formatStamp(ns)})`;
}

export function formatBagInfo(info: BagInfo): string {
  const lines = [
    `${label('Files')}${info.files.map((f) => basename(f.path)).join(`\n${' '.repeat(LABEL_WIDTH)}`)}`,
    `${label('Bag size')}${size(info.sizeBytes)}`,
    `${label('Storage id')}${info.storage}`,
  ];
  if (info.rosDistro) lines.push(`${label('ROS Distro')}${info.rosDistro}`);
  lines.push(`${label('Duration')}${formatStamp(info.durationNs)}s`);
  if (info.start !== undefined) lines.push(`${label('Start')}${instant(info.start)}`);
  if (info.end !== undefined) lines.push(`${label('End')}${instant(info.end)}`);
  lines.push(`${label('Messages')}${info.messageCount}`);
  const topics = info.topics.map(
    (t) =>
      `Topic: ${t.name} | Type: ${t.type} | Count: ${t.count} | Serialization Format: ${t.serializationFormat}` +
      (t.decodable ? '' : ' | skipped: no usable definition'),
  );
  lines.push(`${label('Topic information')}${topics.join(`\n${' '.repeat(LABEL_WIDTH)}`)}`);
  return `${lines.join('\n')}\n`;
}
