// Landmarks as the camera sees them: houses, fences and adverts as 3-D polygons; trees, poles, signs
// and bushes as camera-facing billboards. Snow, bare trees and lit windows follow the appearance.
import { SNOW } from './appearance.js';
import { FAR_M, NEAR_M, type Drawable, type V3, type View } from './view.js';
import type { Barrier, Billboard, House, Landmark, Pole, Rgb, Sign, Tree } from './world.js';

const WINDOW: Rgb = [55, 75, 100];
const LIT_WINDOW: Rgb = [255, 205, 120];
const TRUNK: Rgb = [95, 70, 50];
const BARE_CROWN: Rgb = [105, 90, 80];
const METAL: Rgb = [110, 112, 118];
const DOOR: Rgb = [80, 55, 40];

const snowy = (rgb: Rgb, amount: number): Rgb => [0, 1, 2].map((i) => rgb[i] + (SNOW[i] - rgb[i]) * amount) as unknown as Rgb;

/** Small stable hash of a few numbers into [0, 1): decides which windows are lit, the same in every frame. */
function hash01(...values: number[]): number {
  let h = 2166136261;
  for (const v of values) h = Math.imul(h ^ Math.round(v * 1000), 16777619) >>> 0;
  h ^= h >>> 15;
  return (Math.imul(h, 2246822507) >>> 0) / 4294967296;
}

function drawTree(v: View, t: Tree): Drawable | undefined {
  const c = v.toCamera(t.x, t.y, 0);
  if (!v.visible(c) || c[0] < NEAR_M + t.crownRadiusM) return undefined;
  const d = c[0];
  const look = v.look;
  const parts = [v.billboard(c, 0.18, 0, t.trunkHeightM + (t.conifer ? 0.5 : 0.8), v.paint(TRUNK, d))];
  const r = t.crownRadiusM;
  if (t.conifer) {
    const base = t.trunkHeightM;
    const top = base + 2.8 * r;
    const tri = (z0: number, z1: number, w: number, fill: string) =>
      v.polygon(
        [
          [d, c[1] + w, z0 - v.cam.heightM],
          [d, c[1] - w, z0 - v.cam.heightM],
          [d, c[1], z1 - v.cam.heightM],
        ],
        fill,
      );
    const crown = look.snow ? snowy(t.crown, 0.15) : t.crown;
    parts.push(tri(base, top, r, v.paint(crown, d)));
    parts.push(tri(base + 0.9 * r, top, 0.68 * r, v.paint(crown, d, look.sunYaw)));
    if (look.snow) parts.push(tri(base + 1.9 * r, top, 0.32 * r, v.paint(SNOW, d, look.sunYaw)));
  } else {
    const zc = t.trunkHeightM + r * 0.8;
    if (look.snow) {
      // Bare in winter: a haze of twigs and a fan of branches from the top of the trunk.
      parts.push(v.ellipse(c, zc, r, r * 0.9, v.paint(BARE_CROWN, d), 0.3));
      const h = v.cam.heightM;
      const z0 = t.trunkHeightM + 0.6;
      for (const angle of [-1.0, -0.5, 0, 0.5, 1.0]) {
        const tipL = c[1] - Math.sin(angle) * r * 0.95;
        const tipZ = zc + Math.cos(angle) * r * 0.85;
        parts.push(v.polygon([[d, c[1] + 0.1, z0 - h], [d, c[1] - 0.1, z0 - h], [d, tipL, tipZ - h]], v.paint(TRUNK, d)));
      }
    } else {
      parts.push(v.ellipse(c, zc, r, r * 0.9, v.paint(t.crown, d, look.sunYaw + Math.PI)));
      // A smaller sunlit blob gives the crown volume.
      const side = Math.sin(look.sunYaw - v.pose.yaw) * 0.25 * r;
      parts.push(v.ellipse([c[0], c[1] + side, c[2]], zc + 0.2 * r, r * 0.65, r * 0.6, v.paint(t.crown, d, look.sunYaw)));
    }
  }
  return { depth: d, svg: parts.join('') };
}

function drawHouse(v: View, h: House, index: number): Drawable | undefined {
  const centre = v.toCamera(h.x, h.y, 0);
  if (!v.visible(centre)) return undefined;
  const look = v.look;
  const ax = [Math.cos(h.yaw), Math.sin(h.yaw)] as const;
  // Local y points away from the road.
  const ay = [-Math.sin(h.yaw) * h.awaySign, Math.cos(h.yaw) * h.awaySign] as const;
  const at = (lx: number, ly: number, z: number): V3 => [h.x + ax[0] * lx + ay[0] * ly, h.y + ax[1] * lx + ay[1] * ly, z];
  const hw = h.widthM / 2;
  const hd = h.depthM / 2;
  const H = h.wallHeightM;
  const top = H + h.roofHeightM;
  const facing = (lx: number, ly: number, nx: number, ny: number): boolean => {
    const p = at(lx, ly, 0);
    const n = [ax[0] * nx + ay[0] * ny, ax[1] * nx + ay[1] * ny];
    return n[0] * (v.pose.x - p[0]) + n[1] * (v.pose.y - p[1]) > 0;
  };
  const normalYaw = (nx: number, ny: number) => Math.atan2(ax[1] * nx + ay[1] * ny, ax[0] * nx + ay[0] * ny);
  const depth = Math.max(centre[0], NEAR_M);
  const parts: string[] = [];
  const roof = look.snow ? SNOW : h.roof;

  // Walls: front (towards the road, ly = -hd), back, and the two gable ends.
  const walls: { n: [number, number]; corners: [number, number][]; gable: boolean }[] = [
    { n: [0, -1], corners: [[-hw, -hd], [hw, -hd]], gable: false },
    { n: [0, 1], corners: [[hw, hd], [-hw, hd]], gable: false },
    { n: [-1, 0], corners: [[-hw, hd], [-hw, -hd]], gable: true },
    { n: [1, 0], corners: [[hw, -hd], [hw, hd]], gable: true },
  ];
  for (const w of walls) {
    const [[x0, y0], [x1, y1]] = w.corners;
    if (!facing(x0, y0, w.n[0], w.n[1])) continue;
    const fill = v.paint(h.wall, depth, normalYaw(w.n[0], w.n[1]));
    const outline: V3[] = [at(x0, y0, 0), at(x1, y1, 0), at(x1, y1, H)];
    if (w.gable && h.roofHeightM > 0) outline.push(at((x0 + x1) / 2, 0, top));
    outline.push(at(x0, y0, H));
    parts.push(v.worldPolygon(outline, fill));
    // Windows (and the door on the front): small quads just off the wall.
    const len = Math.hypot(x1 - x0, y1 - y0);
    const cols = w.n[1] === -1 ? h.windowColumns : h.windowColumns > 0 ? Math.max(1, Math.floor(len / 3.5)) : 0;
    const off = 0.03;
    const px = (t: number) => x0 + (x1 - x0) * t + w.n[0] * off;
    const py = (t: number) => y0 + (y1 - y0) * t + w.n[1] * off;
    for (let floor = 0; floor < h.floors; floor++) {
      for (let col = 0; col < cols; col++) {
        const isDoor = w.n[1] === -1 && floor === 0 && col === Math.floor(cols / 2);
        const t0 = (col + 0.5) / cols - (isDoor ? 0.45 : 0.55) / len;
        const t1 = (col + 0.5) / cols + (isDoor ? 0.45 : 0.55) / len;
        const z0 = isDoor ? 0 : floor * 2.8 + 1.0;
        const z1 = isDoor ? 2.1 : floor * 2.8 + 2.2;
        const lit = look.lights && hash01(index, floor, col, w.n[0], w.n[1]) < 0.6;
        const fill = isDoor ? v.paint(DOOR, depth) : lit ? v.glow(LIT_WINDOW, depth) : v.paint(WINDOW, depth);
        parts.push(v.worldPolygon([at(px(t0), py(t0), z0), at(px(t1), py(t1), z0), at(px(t1), py(t1), z1), at(px(t0), py(t0), z1)], fill));
      }
    }
    if (h.windowColumns === 0 && w.n[1] === -1) {
      // Warehouse: a roller door and a band of high windows.
      parts.push(v.worldPolygon([at(px(0.35), py(0.35), 0), at(px(0.6), py(0.6), 0), at(px(0.6), py(0.6), 4), at(px(0.35), py(0.35), 4)], v.paint(METAL, depth)));
      const band = look.lights ? v.glow(LIT_WINDOW, depth) : v.paint(WINDOW, depth);
      parts.push(v.worldPolygon([at(px(0.05), py(0.05), H - 1.2), at(px(0.95), py(0.95), H - 1.2), at(px(0.95), py(0.95), H - 0.6), at(px(0.05), py(0.05), H - 0.6)], band));
    }
  }
  if (h.roofHeightM > 0) {
    // Gable roof with an overhang; the ridge runs along the road.
    const o = 0.4;
    for (const s of [-1, 1]) {
      const n = normalYaw(0, s);
      const eave = at(0, s * (hd + o), H - 0.3);
      // Slope faces the camera when the camera is on its outer side of the slope's plane.
      const toCam = [v.pose.x - eave[0], v.pose.y - eave[1], v.cam.heightM - eave[2]];
      const slopeN = [Math.cos(n) * h.roofHeightM, Math.sin(n) * h.roofHeightM, hd + o];
      if (toCam[0] * slopeN[0] + toCam[1] * slopeN[1] + toCam[2] * slopeN[2] <= 0) continue;
      parts.push(
        v.worldPolygon(
          [at(-hw - o, s * (hd + o), H - 0.3), at(hw + o, s * (hd + o), H - 0.3), at(hw + o, 0, top), at(-hw - o, 0, top)],
          v.paint(roof, depth, n),
        ),
      );
    }
  } else {
    // Flat roof: a darker parapet edge so the skyline of a shed reads.
    parts.push(v.worldPolygon([at(-hw, -hd, H), at(hw, -hd, H), at(hw, -hd, H + 0.4), at(-hw, -hd, H + 0.4)], v.paint(look.snow ? SNOW : h.roof, depth)));
  }
  return { depth, svg: parts.join('') };
}

function drawPole(v: View, p: Pole): Drawable | undefined {
  const c = v.toCamera(p.x, p.y, 0);
  if (!v.visible(c) || c[0] < 1) return undefined;
  const d = c[0];
  const parts = [v.billboard(c, 0.09, 0, p.heightM, v.paint(METAL, d))];
  if (p.lamp) {
    if (v.look.lights) {
      parts.push(v.ellipse(c, p.heightM, 1.4, 1.1, v.glow([255, 200, 120], d), 0.35));
      parts.push(v.ellipse(c, p.heightM, 0.45, 0.25, v.glow([255, 240, 200], d)));
    } else {
      parts.push(v.ellipse(c, p.heightM, 0.45, 0.2, v.paint([60, 60, 64], d)));
    }
  }
  return { depth: d, svg: parts.join('') };
}

function drawSign(v: View, s: Sign): Drawable | undefined {
  const c = v.toCamera(s.x, s.y, 0);
  if (!v.visible(c) || c[0] < 1) return undefined;
  const d = c[0];
  const zc = s.heightM + 0.45;
  const r = 0.45;
  const parts = [v.billboard(c, 0.05, 0, s.heightM, v.paint(METAL, d))];
  const plate = v.paint(s.plate, d, v.pose.yaw + Math.PI);
  const white = v.paint([245, 245, 245], d, v.pose.yaw + Math.PI);
  const h = v.cam.heightM;
  const shape = (k: number, fill: string): string => {
    switch (s.shape) {
      case 'circle':
        return v.ellipse(c, zc, r * k, r * k, fill);
      case 'square':
        return v.billboard(c, r * k, zc - r * k, zc + r * k, fill);
      case 'triangle':
        return v.polygon([[d, c[1] + r * k, zc - r * k * 0.8 - h], [d, c[1] - r * k, zc - r * k * 0.8 - h], [d, c[1], zc + r * k - h]], fill);
      case 'diamond':
        return v.polygon([[d, c[1] + r * k, zc - h], [d, c[1], zc - r * k - h], [d, c[1] - r * k, zc - h], [d, c[1], zc + r * k - h]], fill);
    }
  };
  parts.push(shape(1, plate), shape(0.55, white));
  return { depth: d, svg: parts.join('') };
}

function drawBillboard(v: View, b: Billboard): Drawable | undefined {
  const c = v.toCamera(b.x, b.y, 0);
  if (!v.visible(c)) return undefined;
  const d = Math.max(c[0], NEAR_M);
  const hw = b.widthM / 2;
  const ex = Math.cos(b.yaw) * hw;
  const ey = Math.sin(b.yaw) * hw;
  const z0 = 2.2;
  const zm = z0 + b.heightM / 2;
  const z1 = z0 + b.heightM;
  const quad = (za: number, zb: number): V3[] => [[b.x - ex, b.y - ey, za], [b.x + ex, b.y + ey, za], [b.x + ex, b.y + ey, zb], [b.x - ex, b.y - ey, zb]];
  const parts: string[] = [];
  for (const s of [-0.8, 0.8]) {
    const post = v.toCamera(b.x + ex * s, b.y + ey * s, 0);
    if (post[0] > 1) parts.push(v.billboard(post, 0.12, 0, z0, v.paint(METAL, d)));
  }
  const n = b.yaw - Math.PI / 2;
  const top = v.look.snow ? snowy(b.top, 0.1) : b.top;
  parts.push(v.worldPolygon(quad(z0, zm), v.paint(b.bottom, d, n)), v.worldPolygon(quad(zm, z1), v.paint(top, d, n)));
  return { depth: d, svg: parts.join('') };
}

function drawBarrier(v: View, b: Barrier): Drawable[] {
  const out: Drawable[] = [];
  const look = v.look;
  for (let i = 0; i + 1 < b.points.length; i++) {
    const [x0, y0] = b.points[i];
    const [x1, y1] = b.points[i + 1];
    const mid = v.toCamera((x0 + x1) / 2, (y0 + y1) / 2, 0);
    if (!v.visible(mid) && !(mid[0] > -3 && mid[0] < FAR_M)) continue;
    const d = Math.max(mid[0], NEAR_M);
    const n = Math.atan2(x0 - x1, y1 - y0);
    const band = (za: number, zb: number, fill: string, opacity = 1) =>
      v.worldPolygon([[x0, y0, za], [x1, y1, za], [x1, y1, zb], [x0, y0, zb]], fill, opacity);
    const H = b.heightM;
    const parts: string[] = [];
    if (b.kind === 'hedge') {
      parts.push(band(0, H, v.paint(b.color, d, n)));
      if (look.snow) parts.push(band(H - 0.25, H, v.paint(SNOW, d)));
    } else {
      const post = v.toCamera(x0, y0, 0);
      if (post[0] > 1) parts.push(v.billboard(post, 0.06, 0, H, v.paint(b.color, d, n)));
      if (H >= 1.8) {
        parts.push(band(0, H, v.paint(b.color, d, n), 0.3), band(H - 0.08, H, v.paint(b.color, d, n)));
      } else {
        parts.push(band(0.35 * H, 0.5 * H, v.paint(b.color, d, n)), band(0.8 * H, 0.95 * H, v.paint(b.color, d, n)));
      }
    }
    out.push({ depth: d, svg: parts.join('') });
  }
  return out;
}

export function drawLandmark(v: View, l: Landmark, index: number): Drawable[] {
  let d: Drawable | undefined;
  switch (l.kind) {
    case 'tree':
      d = drawTree(v, l);
      break;
    case 'house':
      d = drawHouse(v, l, index);
      break;
    case 'pole':
      d = drawPole(v, l);
      break;
    case 'sign':
      d = drawSign(v, l);
      break;
    case 'billboard':
      d = drawBillboard(v, l);
      break;
    case 'bush': {
      const c = v.toCamera(l.x, l.y, 0);
      if (v.visible(c)) {
        const color = v.look.snow ? SNOW : l.color;
        d = { depth: c[0], svg: v.ellipse(c, l.radiusM * 0.5, l.radiusM, l.radiusM * 0.75, v.paint(color, c[0], v.look.sunYaw)) };
      }
      break;
    }
    case 'fence':
    case 'hedge':
      return drawBarrier(v, l);
  }
  return d ? [d] : [];
}
