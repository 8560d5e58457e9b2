// loops.json: the loop closures a run found, in a shape any SLAM glue code can read (stamps as
// decimal nanosecond strings: they exceed 2^53).
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import type { LoopClosure } from './live-mapper.js';

export const LOOPS_FILE = 'loops.json';

export function loopsToJson(loops: readonly LoopClosure[]): string {
  return JSON.stringify(
    loops.map((l) => ({
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
    })),
    null,
    1,
  );
}

export async function writeLoopsJson(outDir: string, loops: readonly LoopClosure[]): Promise<string> {
  const file = path.join(outDir, LOOPS_FILE);
  await writeFileAtomic(file, loopsToJson(loops) + '\n');
  return file;
}
