// The camera: a pinhole at a pose that turns world points into image coordinates, clips polygons at
// the near plane, and paints surfaces in the current appearance (light, sun shading, fog).
import { emitColor, hex, shadeColor, type Appearance } from './appearance.js';
import type { Rgb } from './world.js';

export interface CameraPose {
  x: number;
  y: number;
  /** Heading, radians, counter-clockwise from +x. */
  yaw: number;
}

export interface CameraModel {
  width: number;
  height: number;
  /** Horizontal field of view, radians. */
  hfovRad: number;
  /** Camera height above the road, metres. */
  heightM: number;
  /** Image row of the horizon as a fraction of the height (the camera looks slightly down). */
  horizonFrac: number;
}

export const DEFAULT_CAMERA: CameraModel = { width: 160, height: 96, hfovRad: (75 * Math.PI) / 180, heightM: 1.5, horizonFrac: 0.42 };

export const NEAR_M = 0.4;
/** Nothing farther is drawn; fog has swallowed it in every appearance but day, where it is a few pixels. */
export const FAR_M = 160;

export type V3 = readonly [number, number, number];

/** SVG user units per pixel: integer coordinates at a tenth of a pixel (Number.toFixed is slow). */
const SUBPIXELS = 10;
export const sub = (px: number): number => Math.round(px * SUBPIXELS);

/** Something standing in the scene: its SVG and the depth the painter's algorithm sorts it by. */
export interface Drawable {
  depth: number;
  svg: string;
}

/** Projects camera-space points; holds everything one frame needs. */
export class View {
  readonly f: number;
  readonly cx: number;
  readonly cy: number;
  readonly cos: number;
  readonly sin: number;

  constructor(
    readonly pose: CameraPose,
    readonly cam: CameraModel,
    readonly look: Appearance,
  ) {
    this.f = cam.width / 2 / Math.tan(cam.hfovRad / 2);
    this.cx = cam.width / 2;
    this.cy = cam.height * cam.horizonFrac;
    this.cos = Math.cos(pose.yaw);
    this.sin = Math.sin(pose.yaw);
  }

  /** World (x, y, z) -> camera (forward, left, up). */
  toCamera(x: number, y: number, z: number): V3 {
    const dx = x - this.pose.x;
    const dy = y - this.pose.y;
    return [dx * this.cos + dy * this.sin, -dx * this.sin + dy * this.cos, z - this.cam.heightM];
  }

  u(c: V3): number {
    return this.cx - (this.f * c[1]) / c[0];
  }

  v(c: V3): number {
    return this.cy - (this.f * c[2]) / c[0];
  }

  /** Camera-space polygon clipped to forward >= NEAR_M (Sutherland-Hodgman) as SVG path data; '' when nothing is visible. */
  pathData(points: readonly V3[]): string {
    const clipped: V3[] = [];
    for (let i = 0; i < points.length; i++) {
      const a = points[i];
      const b = points[(i + 1) % points.length];
      const ina = a[0] >= NEAR_M;
      const inb = b[0] >= NEAR_M;
      if (ina) clipped.push(a);
      if (ina !== inb) {
        const t = (NEAR_M - a[0]) / (b[0] - a[0]);
        clipped.push([NEAR_M, a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2])]);
      }
    }
    if (clipped.length < 3) return '';
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    let d = '';
    for (const c of clipped) {
      const u = this.u(c);
      const v = this.v(c);
      minU = Math.min(minU, u);
      maxU = Math.max(maxU, u);
      minV = Math.min(minV, v);
      maxV = Math.max(maxV, v);
      d += `${d === '' ? 'M' : 'L'}${sub(u)} ${sub(v)}`;
    }
    if (maxU < 0 || minU > this.cam.width || maxV < 0 || minV > this.cam.height) return '';
    return d + 'Z';
  }

  /** A filled camera-space polygon as an SVG element ('' when not visible). */
  polygon(points: readonly V3[], fill: string, opacity = 1): string {
    const d = this.pathData(points);
    if (d === '') return '';
    const alpha = opacity < 1 ? ` fill-opacity="${opacity.toFixed(2)}"` : '';
    return `<path d="${d}" fill="${fill}"${alpha}/>`;
  }

  worldPolygon(points: readonly V3[], fill: string, opacity = 1): string {
    return this.polygon(
      points.map((p) => this.toCamera(p[0], p[1], p[2])),
      fill,
      opacity,
    );
  }

  /** An upright rectangle facing the camera, centred on camera point c, from z0 to z1 (world heights). */
  billboard(c: V3, halfWidthM: number, z0: number, z1: number, fill: string): string {
    const h = this.cam.heightM;
    return this.polygon(
      [
        [c[0], c[1] + halfWidthM, z0 - h],
        [c[0], c[1] - halfWidthM, z0 - h],
        [c[0], c[1] - halfWidthM, z1 - h],
        [c[0], c[1] + halfWidthM, z1 - h],
      ],
      fill,
    );
  }

  /** A camera-facing ellipse (tree crown, lamp, bush) centred at height zc. */
  ellipse(c: V3, zc: number, rxM: number, ryM: number, fill: string, opacity = 1): string {
    if (c[0] < NEAR_M + rxM) return '';
    const k = this.f / c[0];
    const cu = this.cx - k * c[1];
    const cv = this.cy - k * (zc - this.cam.heightM);
    const rx = k * rxM;
    const ry = k * ryM;
    if (cu + rx < 0 || cu - rx > this.cam.width || cv + ry < 0 || cv - ry > this.cam.height) return '';
    const alpha = opacity < 1 ? ` fill-opacity="${opacity.toFixed(2)}"` : '';
    return `<ellipse cx="${sub(cu)}" cy="${sub(cv)}" rx="${sub(rx)}" ry="${sub(ry)}" fill="${fill}"${alpha}/>`;
  }

  /** Lit colour of a surface at a depth, with sun shading from its outward normal's yaw (undefined: facing the camera). */
  paint(rgb: Rgb, depthM: number, normalYaw?: number): string {
    const shade = normalYaw === undefined ? 0.7 : 0.5 + 0.5 * Math.cos(normalYaw - this.look.sunYaw);
    return hex(shadeColor(rgb, this.look, depthM, shade));
  }

  glow(rgb: Rgb, depthM: number): string {
    return hex(emitColor(rgb, this.look, depthM));
  }

  visible(c: V3): boolean {
    return c[0] > NEAR_M && c[0] < FAR_M && Math.abs(c[1]) < c[0] * 1.6 + 15;
  }
}
