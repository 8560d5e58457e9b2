// One camera view of the world as SVG: sky, a skyline at infinity, the ground with the road and its
// paint, then every landmark drawn back to front (painter's algorithm).
import { SNOW, hex, shadeColor, type Appearance } from './appearance.js';
import { drawLandmark } from './draw-landmarks.js';
import { DEFAULT_CAMERA, FAR_M, View, sub, type CameraModel, type CameraPose, type Drawable, type V3 } from './view.js';
import type { Rgb, SkylineTerm, World } from './world.js';

export { DEFAULT_CAMERA, type CameraModel, type CameraPose } from './view.js';

const ROAD_STEP_M = 2;
const GROUND_FOG_BAND_M = 8;

/**
 * Road surface, verges and paint, all flat on the ground, so they never hide each other except paint
 * over asphalt: drawn as three layers before anything that stands. Each layer is merged into one
 * path per colour (fog bands of GROUND_FOG_BAND_M), which rasterises far faster than a path per strip.
 */
function drawGround(v: View, world: World): string[] {
  const { route, roadHalfWidthM: w } = world;
  const look = v.look;
  const layers = [new Map<string, string>(), new Map<string, string>(), new Map<string, string>()];
  const add = (layer: number, rgb: Rgb, depth: number, d: string) => {
    if (d === '') return;
    const fill = v.paint(rgb, Math.ceil(depth / GROUND_FOG_BAND_M) * GROUND_FOG_BAND_M);
    layers[layer].set(fill, (layers[layer].get(fill) ?? '') + d);
  };
  const corner = (p: { x: number; y: number; yaw: number }, l: number): V3 => v.toCamera(p.x - Math.sin(p.yaw) * l, p.y + Math.cos(p.yaw) * l, 0);
  let p0 = route.pointAt(0);
  for (let s = 0; s < route.lengthM; s += ROAD_STEP_M) {
    const p1 = route.pointAt(s + ROAD_STEP_M + 0.05); // overlap hides seams between strips
    const c = v.toCamera((p0.x + p1.x) / 2, (p0.y + p1.y) / 2, 0);
    const start = p0;
    p0 = route.pointAt(s + ROAD_STEP_M);
    if (c[0] < -ROAD_STEP_M - w || c[0] > FAR_M || Math.abs(c[1]) > Math.max(c[0], 0) * 1.6 + 2 * w + 5) continue;
    const strip = (l0: number, l1: number) => v.pathData([corner(start, l0), corner(p1, l0), corner(p1, l1), corner(start, l1)]);
    add(0, look.road, c[0], strip(-w, w));
    for (const sign of [-1, 1]) {
      if (look.snow) add(1, SNOW, c[0], strip(sign * w, sign * (w - 0.9)));
      else add(1, look.marking, c[0], strip(sign * (w - 0.35), sign * (w - 0.2)));
    }
  }
  for (const m of world.markings) {
    if (m.wear > look.markingVisibility) continue;
    const [a, , c2] = m.corners;
    const c = v.toCamera((a[0] + c2[0]) / 2, (a[1] + c2[1]) / 2, 0);
    if (c[0] < -4 || c[0] > FAR_M) continue;
    add(2, look.marking, c[0], v.pathData(m.corners.map(([x, y]) => v.toCamera(x, y, 0))));
  }
  return layers.flatMap((layer) => [...layer].map(([fill, d]) => `<path d="${d}" fill="${fill}"/>`));
}

/** A skyline at infinity: a filled polygon between elevation(bearing) and the horizon. */
function skylinePath(v: View, terms: readonly SkylineTerm[], baseRad: number, fill: string): string {
  const { width } = v.cam;
  const pts: string[] = [];
  for (let u = 0; u <= width; u += 4) {
    const bearing = v.pose.yaw + Math.atan((v.cx - u) / v.f);
    let elev = baseRad;
    for (const t of terms) elev += t.amp * Math.sin(t.k * bearing + t.phase);
    pts.push(`${sub(u)} ${sub(v.cy - v.f * Math.tan(Math.max(elev, 0)))}`);
  }
  return `<path d="M0 ${sub(v.cy)}L${pts.join('L')}L${sub(width)} ${sub(v.cy)}Z" fill="${fill}"/>`;
}

/** The full SVG document of the view from `pose`. */
export function sceneSvg(world: World, pose: CameraPose, look: Appearance, cam: CameraModel = DEFAULT_CAMERA): string {
  const v = new View(pose, cam, look);
  const { width: W, height: H } = cam;
  const sky = [hex(shadeColor(look.skyTop, { ...look, fogDistanceM: Infinity }, 0)), hex(shadeColor(look.skyHorizon, { ...look, fogDistanceM: Infinity }, 0))];
  const ground = [v.paint(look.groundFar, 90), v.paint(look.groundNear, 3)];
  const back = [
    `<defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky[0]}"/><stop offset="1" stop-color="${sky[1]}"/></linearGradient>`,
    `<linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${ground[0]}"/><stop offset="1" stop-color="${ground[1]}"/></linearGradient></defs>`,
    `<rect width="${sub(W)}" height="${sub(v.cy + 1)}" fill="url(#s)"/>`,
    skylinePath(v, world.skyline.far, 0.035, v.paint(look.hillsFar, 250)),
    skylinePath(v, world.skyline.near, 0.005, v.paint(look.hillsNear, 120)),
    `<rect y="${sub(v.cy)}" width="${sub(W)}" height="${sub(H - v.cy)}" fill="url(#g)"/>`,
  ];
  const byDepth = (a: Drawable, b: Drawable) => b.depth - a.depth;
  const things = world.landmarks.flatMap((l, i) => drawLandmark(v, l, i)).sort(byDepth);
  const body = [...back, ...drawGround(v, world), ...things.map((d) => d.svg)].join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${sub(W)} ${sub(H)}">${body}</svg>`;
}
