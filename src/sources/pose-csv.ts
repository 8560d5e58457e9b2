// Poses for an image folder: a CSV with one row per image, in image order. Either full 3D poses
// (`x,y,z,qx,qy,qz,qw`) or planar ones (`x,y,yaw`, yaw in radians about +z).
import { readFile } from 'node:fs/promises';
import { SeqvprError } from '../core/errors.js';
import type { Pose } from '../core/types.js';

const LAYOUTS = {
  full: ['x', 'y', 'z', 'qx', 'qy', 'qz', 'qw'],
  planar: ['x', 'y', 'yaw'],
} as const;

function toPose(layout: keyof typeof LAYOUTS, v: readonly number[]): Pose | string {
  if (layout === 'planar') {
    const [x, y, yaw] = v;
    return { position: { x, y, z: 0 }, orientation: { x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) } };
  }
  const [x, y, z, qx, qy, qz, qw] = v;
  const n = Math.hypot(qx, qy, qz, qw);
  if (n < 1e-6) return 'the quaternion qx,qy,qz,qw is zero';
  return { position: { x, y, z }, orientation: { x: qx / n, y: qy / n, z: qz / n, w: qw / n } };
}

/** Parses pose CSV text; `name` (the file) prefixes error messages. Blank lines are ignored. */
export function parsePoseCsv(text: string, name = 'poses CSV'): Pose[] {
  const lines = text.split(/\r?\n/).map((l, i) => ({ no: i + 1, cells: l.split(',').map((c) => c.trim()) }));
  const rows = lines.filter((l) => l.cells.some((c) => c !== ''));
  if (rows.length === 0) throw new SeqvprError(`${name} is empty: expected a header x,y,z,qx,qy,qz,qw or x,y,yaw`);
  const header = rows[0].cells.join(',').toLowerCase();
  const layout = (Object.keys(LAYOUTS) as (keyof typeof LAYOUTS)[]).find((k) => LAYOUTS[k].join(',') === header);
  if (!layout) throw new SeqvprError(`${name}:${rows[0].no}: header "${rows[0].cells.join(',')}" must be x,y,z,qx,qy,qz,qw or x,y,yaw`);
  const columns = LAYOUTS[layout];
  return rows.slice(1).map(({ no, cells }) => {
    if (cells.length !== columns.length) throw new SeqvprError(`${name}:${no}: expected ${columns.length} values (${columns.join(',')}), got ${cells.length}`);
    const values = cells.map((c, i) => {
      const v = c === '' ? NaN : Number(c);
      if (!Number.isFinite(v)) throw new SeqvprError(`${name}:${no}: ${columns[i]} "${c}" is not a finite number`);
      return v;
    });
    const pose = toPose(layout, values);
    if (typeof pose === 'string') throw new SeqvprError(`${name}:${no}: ${pose}`);
    return pose;
  });
}

export async function readPoseCsv(file: string): Promise<Pose[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new SeqvprError(`cannot read poses file ${file}: ${(e as Error).message}`);
  }
  return parsePoseCsv(text, file);
}
