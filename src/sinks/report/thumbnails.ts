// The example images a report shows: the chosen queries and the map frames they were (or should
// have been) matched with, as files when the frames came from folders, read back from the bags
// otherwise.
import type { GroundTruth } from '../../eval/ground-truth.js';
import type { QueryRecord } from '../../eval/metrics.js';
import type { PlaceMap } from '../../map/place-map.js';
import { openFrameSource, sourceArgsFromDescription, type FrameSourceArgs } from '../../sources/open-source.js';
import { collectFrameImages, mapFrameFile } from './example-images.js';
import { pickExamples, type ImageRef, type ThumbnailSource } from './examples.js';

/** Images of the queries and map frames the report shows as examples (file paths or PNG bytes). */
export async function exampleThumbnails(
  records: QueryRecord[],
  groundTruth: GroundTruth,
  map: PlaceMap,
  query: FrameSourceArgs,
  queryFiles: ReadonlyMap<number, string>,
  count: { good: number; bad: number },
  warn: (message: string) => void,
): Promise<ThumbnailSource> {
  const examples = pickExamples(records, groundTruth, count);
  const wantedQueries = new Set(examples.map((e) => e.record.queryIndex).filter((i) => !queryFiles.has(i)));
  const wantedMap = new Set(examples.flatMap((e) => [e.record.predicted, e.truth]).filter((j): j is number => j !== null));
  const queries = await collectFrameImages((await openFrameSource(query, { warn })).frames, wantedQueries, (f) => f.index);
  // Map frames are found again by their source name (a file name, or `topic#index` in a bag).
  const mapSource = sourceArgsFromDescription(map.info.source);
  const bySource = new Map<string, number>();
  for (const j of wantedMap) {
    const name = map.frames[j]?.source;
    if (name && !mapFrameFile(map.info.source, name)) bySource.set(name, j);
  }
  const mapImages =
    mapSource.bag && bySource.size
      ? await collectFrameImages((await openFrameSource(mapSource, { warn })).frames, new Set(bySource.keys()), (f) => f.source ?? '')
      : new Map<string, ImageRef>();
  return {
    query: (i) => queryFiles.get(i) ?? queries.get(i),
    map: (j) => {
      const name = map.frames[j]?.source;
      return mapFrameFile(map.info.source, name) ?? (name ? mapImages.get(name) : undefined);
    },
  };
}
