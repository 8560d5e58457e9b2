// Writes a PlaceMap as a map directory, atomically: a crash at any point leaves the previous map
// (or nothing) under the target name, never a half-written one.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MapFormatError } from '../core/errors.js';
import { writeFileDurably } from '../core/atomic-write.js';
import { fsyncPath, replaceDirAtomically } from './atomic-dir.js';
import { MAP_FORMAT_VERSION, type MapFileEntry, type MapManifest } from './manifest.js';
import { MAP_FILES, encodeFrameMeta, sha256Hex, typedArrayBytes } from './map-files.js';
import type { PlaceMap } from './place-map.js';

/**
 * Saves `map` to directory `dir`, replacing a previous map there. Refuses to replace a directory
 * that is neither empty nor a map. Frames added while the save runs are not included: the save
 * captures the map and writes its indexes in one synchronous step. Returns the manifest written.
 */
export async function saveMap(map: PlaceMap, dir: string): Promise<MapManifest> {
  await assertReplaceable(dir);
  let manifest: MapManifest | undefined;
  await replaceDirAtomically(dir, async (temp) => {
    // No await before the index files are written: snapshot and indexes describe the same frames.
    const frames = map.frames.slice();
    const frameDescriptors = map.frameDescriptors;
    const sequenceDescriptors = map.sequenceDescriptors;
    const sequenceEnds = map.sequenceEnds;
    const patches = map.patches ? { info: map.patches.info, data: map.patches.data().subarray(0, frames.length * map.patches.rowBytes) } : undefined;
    map.frameIndex.writeSync(path.join(temp, MAP_FILES.frameIndex));
    map.sequenceIndex?.writeSync(path.join(temp, MAP_FILES.sequenceIndex));

    const files: Record<string, MapFileEntry> = {};
    const put = async (name: string, bytes: Uint8Array): Promise<void> => {
      await writeFileDurably(path.join(temp, name), bytes);
      files[name] = { sha256: sha256Hex(bytes), bytes: bytes.byteLength };
    };
    await put(MAP_FILES.frameDescriptors, typedArrayBytes(frameDescriptors.data));
    await put(MAP_FILES.frameMeta, encodeFrameMeta(frames));
    if (sequenceDescriptors && sequenceEnds) {
      await put(MAP_FILES.sequenceDescriptors, typedArrayBytes(sequenceDescriptors.data));
      await put(MAP_FILES.sequenceEnds, typedArrayBytes(sequenceEnds));
    }
    if (patches) await put(MAP_FILES.patches, typedArrayBytes(patches.data));
    for (const name of [MAP_FILES.frameIndex, ...(map.sequenceIndex ? [MAP_FILES.sequenceIndex] : [])]) {
      const file = path.join(temp, name);
      await fsyncPath(file);
      const bytes = await readFile(file);
      files[name] = { sha256: sha256Hex(bytes), bytes: bytes.byteLength };
    }

    const { info } = map;
    manifest = {
      formatVersion: MAP_FORMAT_VERSION,
      createdAt: info.createdAt,
      encoder: { ...info.encoder },
      sequence: info.sequence ? { ...info.sequence } : null,
      frames: frames.length,
      sequences: sequenceEnds?.length ?? 0,
      hnsw: { ...info.hnsw },
      files,
      source: info.source,
      hasPoses: frames.length > 0 && frames.every((f) => f.pose !== undefined),
      // Written for multi-session maps only, so single-session maps stay byte-identical to before.
      ...(map.sessionStarts.length > 1 && { sessionStarts: [...map.sessionStarts] }),
      ...(patches ? { patches: patches.info } : {}),
    };
    // Last, so a directory with a manifest always has all its files.
    await writeFileDurably(path.join(temp, MAP_FILES.manifest), Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
  });
  return manifest!;
}

async function assertReplaceable(dir: string): Promise<void> {
  const existing = await stat(dir).catch(() => undefined);
  if (!existing) return;
  if (!existing.isDirectory()) throw new MapFormatError(`cannot save a map to ${dir}: it exists and is not a directory`);
  const entries = await readdir(dir);
  if (entries.length > 0 && !entries.includes(MAP_FILES.manifest)) {
    throw new MapFormatError(
      `refusing to replace ${dir}: it is not empty and holds no ${MAP_FILES.manifest} (not a seqvpr map); choose another directory`,
    );
  }
}
