// Joins maps of the same front end (several robots, or days, over the same places) into one map
// whose parts stay separate sessions: every appearance ("experience") of a place is kept and
// searched when localising. Maps of other encoders live in unrelated descriptor spaces, so a
// merge of those is refused, naming both.
import { MapFormatError } from '../core/errors.js';
import { DescriptorMatrix } from '../core/matrix.js';
import type { MapFrameMeta } from '../core/types.js';
import { assertCompatible } from './compatibility.js';
import { samePatchInfo, type PatchInfo } from './patch-store.js';
import { PlaceMap } from './place-map.js';

export interface NamedMap {
  name: string;
  map: PlaceMap;
}

/** The maps one after the other, their sessions kept (indices renumbered), indexes rebuilt. */
export function mergeMaps(parts: readonly NamedMap[]): PlaceMap {
  if (parts.length < 2) throw new MapFormatError(`merging needs at least two maps, got ${parts.length}`);
  const first = parts[0].map.info;
  for (const { name, map } of parts.slice(1)) {
    assertCompatible(
      map,
      { encoderId: first.encoder.id, encoderHash: first.encoder.hash, dim: first.encoder.dim, sequence: first.sequence },
      `the map ${name} (merged into ${parts[0].name})`,
    );
    if (!first.sequence && map.info.sequence) {
      throw new MapFormatError(`the map ${name} has sequence descriptors ("${map.info.sequence.id}") but ${parts[0].name} has none; rebuild them with the same config`);
    }
  }
  const frames: MapFrameMeta[] = [];
  const sessionStarts: number[] = [];
  const frameRows: Float32Array[] = [];
  const seqRows: Float32Array[] = [];
  const ends: number[] = [];
  for (const { map } of parts) {
    const offset = frames.length;
    for (const start of map.sessionStarts) sessionStarts.push(offset + start);
    map.frames.forEach((f, i) => {
      frames.push({ ...f, index: offset + i });
      frameRows.push(map.frameDescriptors.row(i));
    });
    const sd = map.sequenceDescriptors;
    const se = map.sequenceEnds;
    if (sd && se) {
      for (let j = 0; j < se.length; j++) {
        seqRows.push(sd.row(j));
        ends.push(offset + se[j]);
      }
    }
  }
  const seq = first.sequence;
  const patches = mergedPatches(parts.map((p) => p.map));
  return PlaceMap.fromParts({
    info: { ...first, createdAt: new Date().toISOString(), source: `merged: ${parts.map((p) => p.name).join(' + ')}` },
    frames,
    frameDescriptors: DescriptorMatrix.fromRows(frameRows, first.encoder.dim),
    ...(seq && { sequenceDescriptors: DescriptorMatrix.fromRows(seqRows, seq.dim), sequenceEnds: Int32Array.from(ends) }),
    sessionStarts: dedupe(sessionStarts),
    ...(patches && { patches }),
  });
}

/**
 * The parts' local features joined, when every part has them from the same patch model; otherwise
 * none (the merged map localises without patch re-ranking, which warns once when it is enabled).
 */
function mergedPatches(maps: readonly PlaceMap[]): { info: PatchInfo; data: Int8Array } | undefined {
  const info = maps[0].patches?.info;
  if (!info || maps.some((m) => !m.patches || !samePatchInfo(m.patches.info, info))) return undefined;
  const data = new Int8Array(maps.reduce((n, m) => n + m.patches!.data().length, 0));
  let at = 0;
  for (const m of maps) {
    data.set(m.patches!.data(), at);
    at += m.patches!.data().length;
  }
  return { info, data };
}

function dedupe(starts: number[]): number[] {
  return starts.filter((s, i) => i === 0 || s > starts[i - 1]);
}
