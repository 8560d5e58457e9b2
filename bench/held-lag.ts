// Where the answers of a posed replay lie along the route relative to the camera, held answers (the
// motion gate's) apart from admitted ones: signed along-track error (map frame position minus the
// query's recorded pose, projected on the map's direction there; + = the answer runs ahead).
// Answers more than 10 m off (wrong places) are left out of the means; wrong = outside the eval's
// tolerance (matches.csv `correct`).
//
//   npx tsx bench/held-lag.ts --map MAP --bag QUERY_BAG [--image-topic T] [--pose-topic T]
//       [--keyframe-distance M] out/run-a/matches.csv [out/run-b/matches.csv ...]
// (--keyframe-distance as given to the replay, so the query indices line up.)
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Pose } from '../src/core/types.js';
import { loadMap } from '../src/map/load-map.js';
import { openFrameSource } from '../src/sources/open-source.js';
import { DEMO_SOURCE } from './demo-runs.js';

const { values: args, positionals: csvs } = parseArgs({
  allowPositionals: true,
  options: {
    map: { type: 'string' },
    bag: { type: 'string' },
    'image-topic': { type: 'string', default: DEMO_SOURCE.imageTopic },
    'pose-topic': { type: 'string', default: DEMO_SOURCE.poseTopic },
    'keyframe-distance': { type: 'string' },
  },
});
if (!args.map || !args.bag || csvs.length === 0) throw new Error('usage: held-lag.ts --map MAP --bag QUERY_BAG [--keyframe-distance M] MATCHES.csv...');

const GROSS_M = 10;
const map = await loadMap(args.map);
const source = await openFrameSource(
  { bag: args.bag, imageTopic: args['image-topic'], poseTopic: args['pose-topic'], keyframeDistance: args['keyframe-distance'] ? Number(args['keyframe-distance']) : undefined },
  { warn: () => {} },
);
const queryPoses = new Map<number, Pose>();
for await (const f of source.frames) if (f.pose) queryPoses.set(f.index, f.pose);

/** Signed along-track distance of map frame m from the query pose, along the map's direction at m. */
function alongTrack(query: Pose, m: number): number | undefined {
  const a = map.frames[Math.min(m, map.size - 2)]?.pose?.position;
  const b = map.frames[Math.min(m, map.size - 2) + 1]?.pose?.position;
  const at = map.frames[m]?.pose?.position;
  if (!a || !b || !at) return undefined;
  const [dx, dy] = [b.x - a.x, b.y - a.y];
  const n = Math.hypot(dx, dy);
  if (n === 0) return undefined;
  return ((at.x - query.position.x) * dx + (at.y - query.position.y) * dy) / n;
}

const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const fmt = (a: number[]) => `n ${a.length}, mean ${mean(a).toFixed(2)}, median ${median(a).toFixed(2)}, mean |e| ${mean(a.map(Math.abs)).toFixed(2)} m`;
for (const csv of csvs) {
  const lines = (await readFile(csv, 'utf8')).trim().split('\n');
  const col = Object.fromEntries(lines[0].split(',').map((name, i) => [name, i]));
  const held: number[] = [];
  const admitted: number[] = [];
  let heldCount = 0;
  let heldWrong = 0;
  for (const line of lines.slice(1)) {
    // map_source is quoted and holds no comma in the demo bags; the columns read here come before or after it.
    const cells = line.split(',');
    const isHeld = cells[col.held] === '1';
    if (isHeld) {
      heldCount++;
      if (cells[col.correct] === '0') heldWrong++;
    }
    const pose = queryPoses.get(Number(cells[col.query]));
    const e = pose && cells[col.predicted] !== '' ? alongTrack(pose, Number(cells[col.predicted])) : undefined;
    if (e === undefined || Math.abs(e) > GROSS_M) continue;
    (isHeld ? held : admitted).push(e);
  }
  console.log(`${csv}\n  held ${heldCount} (wrong ${heldWrong}); along-track, held: ${fmt(held)}\n  admitted: ${fmt(admitted)}`);
}
