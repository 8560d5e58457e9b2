// Planar poses for tests: a position and a heading, and the heading read back.
import type { Pose } from '../../src/core/types.js';

/** A planar pose at (x, y) facing `yawDeg`. */
export function planar(x: number, y: number, yawDeg: number): Pose {
  const h = (yawDeg * Math.PI) / 360;
  return { position: { x, y, z: 0 }, orientation: { x: 0, y: 0, z: Math.sin(h), w: Math.cos(h) } };
}

export function yawDeg(p: Pose): number {
  const q = p.orientation;
  return (Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z)) * 180) / Math.PI;
}
