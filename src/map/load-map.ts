// Reads a map directory back into a PlaceMap, trusting nothing: the version, every data file's size
// and sha256, and the encoders are checked before use. A missing or corrupt HNSW index is not fatal
// (it is derived data): it is rebuilt from the verified descriptors, with a warning.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DescriptorMatrix } from '../core/matrix.js';
import { MapFormatError } from '../core/errors.js';
import { findInterruptedSaves } from './atomic-dir.js';
import { assertCompatible, type ExpectedEncoders } from './compatibility.js';
import { HnswIndex } from '../retrieve/hnsw-index.js';
import { parseMapManifest, type HnswParams, type MapManifest } from './manifest.js';
import { MAP_FILES, bytesToFloat32, bytesToInt32, decodeFrameMeta, sha256Hex } from './map-files.js';
import { PlaceMap } from './place-map.js';
import type { PatchInfo } from './patch-store.js';

export interface LoadMapOptions {
  /** Reject the map (before reading its data) unless it was built with these encoders. */
  expect?: ExpectedEncoders;
  /** Receives "index rebuilt" notices; default process.emitWarning. */
  onWarning?: (message: string) => void;
}

/** Reads and validates `dir`/manifest.json only. */
export async function readMapManifest(dir: string): Promise<MapManifest> {
  const file = path.join(dir, MAP_FILES.manifest);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new MapFormatError(`cannot read ${file}: ${(e as Error).message}`);
    throw new MapFormatError(await missingMapMessage(dir));
  }
  return parseMapManifest(text, file);
}

export async function loadMap(dir: string, options: LoadMapOptions = {}): Promise<PlaceMap> {
  const warn = options.onWarning ?? ((m: string) => process.emitWarning(m, { code: 'SEQVPR_MAP_INDEX_REBUILT' }));
  const manifest = await readMapManifest(dir);
  const info = {
    createdAt: manifest.createdAt,
    encoder: manifest.encoder,
    sequence: manifest.sequence,
    hnsw: manifest.hnsw,
    source: manifest.source,
  };
  if (options.expect) assertCompatible({ info }, options.expect, `the map in ${dir}`);
  const files = new MapFiles(dir, manifest);

  const frameDescriptors = new DescriptorMatrix(
    manifest.frames,
    manifest.encoder.dim,
    bytesToFloat32(await files.read(MAP_FILES.frameDescriptors, manifest.frames * manifest.encoder.dim * 4)),
  );
  const frameMetaFile = path.join(dir, MAP_FILES.frameMeta);
  const frames = decodeFrameMeta(await files.read(MAP_FILES.frameMeta), frameMetaFile);
  if (frames.length !== manifest.frames) {
    throw new MapFormatError(`${frameMetaFile} has ${frames.length} frames, the manifest says ${manifest.frames}; rebuild the map`);
  }
  const frameIndex = await files.readIndex(MAP_FILES.frameIndex, manifest.encoder.dim, manifest.frames, warn);

  let sequenceDescriptors: DescriptorMatrix | undefined;
  let sequenceEnds: Int32Array | undefined;
  let sequenceIndex: HnswIndex | undefined;
  if (manifest.sequence) {
    const n = manifest.sequences;
    const dim = manifest.sequence.dim;
    sequenceDescriptors = new DescriptorMatrix(n, dim, bytesToFloat32(await files.read(MAP_FILES.sequenceDescriptors, n * dim * 4)));
    sequenceEnds = bytesToInt32(await files.read(MAP_FILES.sequenceEnds, n * 4));
    sequenceIndex = await files.readIndex(MAP_FILES.sequenceIndex, dim, n, warn);
  } else if (manifest.sequences !== 0) {
    throw new MapFormatError(`${path.join(dir, MAP_FILES.manifest)} lists ${manifest.sequences} sequences but no sequence encoder`);
  }

  let patches: { info: PatchInfo; data: Int8Array } | undefined;
  if (manifest.patches) {
    const p = manifest.patches;
    const bytes = await files.read(MAP_FILES.patches, manifest.frames * p.cellsX * p.cellsY * p.dim);
    patches = { info: p, data: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }

  return PlaceMap.fromParts({ info, frames, frameDescriptors, sequenceDescriptors, sequenceEnds, frameIndex, sequenceIndex, sessionStarts: manifest.sessionStarts, patches });
}

/** Reads a map directory's files against the manifest's sizes and checksums. */
class MapFiles {
  constructor(
    private readonly dir: string,
    private readonly manifest: MapManifest,
  ) {}

  /** Verified bytes of a required data file; `expectedBytes` cross-checks the manifest's counts. */
  async read(name: string, expectedBytes?: number): Promise<Uint8Array> {
    const file = path.join(this.dir, name);
    const entry = this.manifest.files[name];
    if (!entry) throw new MapFormatError(`${path.join(this.dir, MAP_FILES.manifest)} lists no ${name}; the map is incomplete, rebuild it`);
    if (expectedBytes !== undefined && entry.bytes !== expectedBytes) {
      throw new MapFormatError(
        `${path.join(this.dir, MAP_FILES.manifest)} says ${name} has ${entry.bytes} bytes, but its counts need ${expectedBytes}; rebuild the map`,
      );
    }
    const checked = await this.verify(name);
    if ('problem' in checked) throw new MapFormatError(`${file}: ${checked.problem}; the map is damaged, rebuild it`);
    return checked.bytes;
  }

  /**
   * The saved index when its file is intact and holds `rows` points; otherwise undefined (after a
   * warning), so the caller rebuilds it. The checksum is verified first because hnswlib trusts the
   * file's structure and can crash on a damaged one.
   */
  async readIndex(name: string, dim: number, rows: number, warn: (m: string) => void): Promise<HnswIndex | undefined> {
    const file = path.join(this.dir, name);
    const params: HnswParams = this.manifest.hnsw;
    const rebuild = (why: string): undefined => {
      warn(`${file} ${why}; rebuilding the index from the ${rows} verified descriptors (save the map again to store it)`);
      return undefined;
    };
    if (!this.manifest.files[name]) return rebuild('is not listed in the manifest');
    const checked = await this.verify(name);
    if ('problem' in checked) return rebuild(`is unusable: ${checked.problem}`);
    let index: HnswIndex;
    try {
      index = await HnswIndex.read(file, dim, params);
    } catch (e) {
      return rebuild(`cannot be read (${(e as Error).message})`);
    }
    if (index.count !== rows) return rebuild(`holds ${index.count} points, expected ${rows}`);
    return index;
  }

  /** The file's bytes when they match its manifest entry, else why not. Size is checked before reading. */
  private async verify(name: string): Promise<{ bytes: Uint8Array } | { problem: string }> {
    const file = path.join(this.dir, name);
    const entry = this.manifest.files[name];
    const st = await stat(file).catch(() => undefined);
    if (!st) return { problem: 'file is missing' };
    if (st.size !== entry.bytes) {
      return { problem: `file has ${st.size} bytes, the manifest says ${entry.bytes} (truncated or overwritten)` };
    }
    const bytes = await readFile(file);
    if (sha256Hex(bytes) !== entry.sha256) return { problem: 'checksum mismatch (sha256 differs from the manifest)' };
    return { bytes };
  }
}

async function missingMapMessage(dir: string): Promise<string> {
  const leftovers = await findInterruptedSaves(path.resolve(dir));
  if (leftovers.length > 0) {
    return `no map at ${dir}, but a save to it was interrupted: the previous map is at ${leftovers.join(', ')}; rename it back to ${dir}`;
  }
  const isDir = (await stat(dir).catch(() => undefined))?.isDirectory();
  return isDir ? `${dir} is not a seqvpr map (no ${MAP_FILES.manifest})` : `no map at ${dir}: the directory does not exist`;
}
