// matches.csv: one line per query with the decision, its confidence and whether it was right, for
// users who want to analyse results in their own tools.
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import type { MapFrameMeta } from '../core/types.js';
import type { GroundTruth } from '../eval/ground-truth.js';
import { isCorrect, type QueryRecord } from '../eval/metrics.js';

export const MATCHES_FILE = 'matches.csv';

export async function writeMatchesCsv(
  outDir: string,
  records: readonly QueryRecord[],
  groundTruth: GroundTruth,
  map: { frames: readonly MapFrameMeta[] },
): Promise<string> {
  const lines = ['query,predicted,map_source,confidence,correct,has_ground_truth,latency_ms,held'];
  for (const r of records) {
    const source = r.predicted === null ? '' : (map.frames[r.predicted]?.source ?? '');
    lines.push(
      [
        r.queryIndex,
        r.predicted ?? '',
        JSON.stringify(source),
        r.confidence.toFixed(4),
        isCorrect(r, groundTruth) ? 1 : 0,
        groundTruth.hasPositives(r.queryIndex) ? 1 : 0,
        r.latencyMs?.toFixed(2) ?? '',
        r.held ? 1 : 0,
      ].join(','),
    );
  }
  const file = path.join(outDir, MATCHES_FILE);
  await writeFileAtomic(file, lines.join('\n') + '\n');
  return file;
}
