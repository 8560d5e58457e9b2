// loops.json: the loop closures a run found, in a shape any SLAM glue code can read (stamps as
// decimal nanosecond strings: they exceed 2^53).
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import type { RelativePoseResult } from '../relpose/estimate.js';
import type { LoopClosure } from './live-mapper.js';

export const LOOPS_FILE = 'loops.json';

const round = (v: number) => Number(v.toPrecision(9));

/** loops.json's relative-pose fields: T_from_to and its 6x6 covariance, or the reason there is none. */
function relativeFields(r: RelativePoseResult | undefined) {
  if (!r) return {};
  if (!r.ok) return { hasRelativePose: false, relativePoseMissing: r.reason };
  const { position: p, orientation: q } = r.pose;
  return {
    hasRelativePose: true,
    relativePose: { position: { x: round(p.x), y: round(p.y), z: round(p.z) }, orientation: { x: round(q.x), y: round(q.y), z: round(q.z), w: round(q.w) } },
    covariance: r.covariance.map(round),
  };
}

export function loopsToJson(loops: readonly LoopClosure[], relativePoses: readonly RelativePoseResult[] = []): string {
  return JSON.stringify(
    loops.map((l, i) => ({
      queryIndex: l.queryIndex,
      queryStamp: l.queryStamp.toString(),
      matchIndex: l.matchIndex,
      matchStamp: l.matchStamp.toString(),
      confidence: Number(l.confidence.toFixed(6)),
      correspondences: l.correspondences.map((c) => ({
        queryIndex: c.queryIndex,
        mapIndex: c.mapIndex,
        distance: Number(c.distance.toFixed(6)),
      })),
      ...(l.sessions && { querySession: l.sessions.query, matchSession: l.sessions.match }),
      ...relativeFields(relativePoses[i]),
    })),
    null,
    1,
  );
}

export async function writeLoopsJson(outDir: string, loops: readonly LoopClosure[], relativePoses: readonly RelativePoseResult[] = []): Promise<string> {
  const file = path.join(outDir, LOOPS_FILE);
  await writeFileAtomic(file, loopsToJson(loops, relativePoses) + '\n');
  return file;
}
