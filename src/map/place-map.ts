// The in-memory map the pipeline localises against: per map frame its metadata and frame descriptor,
// a sequence descriptor for every frame that ends a full trailing window (frames e-L+1..e), and an
// HNSW index over each. Frames are appended while the map is in use (live mapping), so storage and
// indexes grow in place and searches always see every frame added so far.
import { partitionPoint } from '../core/partition-point.js';
import type { Candidate, MapFrameMeta, Pose } from '../core/types.js';
import type { DescriptorMatrix } from '../core/matrix.js';
import { ConfigError, DescriptorError, MapFormatError } from '../core/errors.js';
import { exactSearch } from '../retrieve/exact-search.js';
import { GrowableInt32, GrowableMatrix } from './growable.js';
import { DEFAULT_HNSW_PARAMS, HnswIndex } from '../retrieve/hnsw-index.js';
import { mapInfoSchema, type HnswParams } from './manifest.js';
import { PatchStore, type PatchInfo } from './patch-store.js';
import type { MapView } from '../retrieve/map-view.js';
import type { SearchHit, SearchMode, SearchOptions } from '../retrieve/types.js';
import { assertMapDescriptor } from './validate-descriptor.js';

export interface FrameEncoderInfo {
  id: string;
  hash: string;
  dim: number;
}

export interface SequenceEncoderInfo {
  id: string;
  hash: string;
  /** Window length L: sequence row ending at frame e covers frames e-L+1..e. */
  length: number;
  dim: number;
}

/** What identifies a map: the encoders that made it, its index parameters and its origin. */
export interface MapInfo {
  createdAt: string;
  encoder: FrameEncoderInfo;
  /** null for a map without sequence descriptors. */
  sequence: SequenceEncoderInfo | null;
  hnsw: HnswParams;
  source: string;
}

export interface NewMapOptions {
  encoder: FrameEncoderInfo;
  sequence?: SequenceEncoderInfo | null;
  /** Missing fields take DEFAULT_HNSW_PARAMS. */
  hnsw?: Partial<HnswParams>;
  source?: string;
  /** ISO time; default now. */
  createdAt?: string;
  /** HNSW capacity to reserve up front (indexes and storage double whenever they fill up anyway). */
  initialCapacity?: number;
  /** Store local features (patch grids) per frame, for patch re-ranking. */
  patches?: PatchInfo;
}

/** A complete map's contents, e.g. as read from disk. Missing indexes are built from the descriptors. */
export interface MapParts {
  info: MapInfo;
  frames: MapFrameMeta[];
  frameDescriptors: DescriptorMatrix;
  sequenceDescriptors?: DescriptorMatrix;
  sequenceEnds?: Int32Array;
  frameIndex?: HnswIndex;
  sequenceIndex?: HnswIndex;
  /** First frame of each mapping session, increasing from 0 (default [0]: one session). */
  sessionStarts?: readonly number[];
  /** Optional local features, one int8 grid per frame (see patch-store.ts). */
  patches?: { info: PatchInfo; data: Int8Array };
}

/** A frame's metadata as passed to `add`; `index`, when given, must equal the map's next index. */
export type NewMapFrame = Omit<MapFrameMeta, 'index'> & { index?: number };

export class PlaceMap {
  private readonly frameList: MapFrameMeta[];
  private readonly frameRows: GrowableMatrix;
  private readonly sequenceRows: GrowableMatrix | undefined;
  private readonly ends: GrowableInt32 | undefined;
  private posed: number;
  private readonly starts: number[];
  /** Local features per frame, when the map was built with a patch model. */
  readonly patches: PatchStore | undefined;

  private constructor(
    readonly info: Readonly<MapInfo>,
    parts: Pick<MapParts, 'frames' | 'sequenceDescriptors' | 'sequenceEnds' | 'sessionStarts' | 'patches'> & { frameDescriptors?: DescriptorMatrix },
    /** HNSW over frame descriptors; exposed for persistence and benchmarks. */
    readonly frameIndex: HnswIndex,
    /** HNSW over sequence descriptors (labels are sequence rows); undefined without a sequence encoder. */
    readonly sequenceIndex: HnswIndex | undefined,
  ) {
    this.starts = [...(parts.sessionStarts ?? [0])];
    this.frameList = parts.frames;
    this.frameRows = new GrowableMatrix(info.encoder.dim, parts.frameDescriptors);
    this.sequenceRows = info.sequence ? new GrowableMatrix(info.sequence.dim, parts.sequenceDescriptors) : undefined;
    this.ends = info.sequence ? new GrowableInt32(parts.sequenceEnds) : undefined;
    this.posed = parts.frames.filter((f) => f.pose !== undefined).length;
    this.patches = parts.patches ? new PatchStore(parts.patches.info, parts.patches.data) : undefined;
  }

  /** An empty map, ready for `add`. */
  static create(options: NewMapOptions): PlaceMap {
    const info = makeInfo(options);
    const capacity = options.initialCapacity ?? 0;
    const frameIndex = HnswIndex.create(info.encoder.dim, info.hnsw, capacity);
    const sequenceIndex = info.sequence ? HnswIndex.create(info.sequence.dim, info.hnsw, capacity) : undefined;
    const patches = options.patches ? { info: options.patches, data: new Int8Array(0) } : undefined;
    return new PlaceMap(info, { frames: [], patches }, frameIndex, sequenceIndex);
  }

  /** A map from complete contents; checks that they agree and builds any index not supplied. */
  static fromParts(parts: MapParts): PlaceMap {
    const info = validInfo(parts.info);
    checkParts(parts);
    const frameIndex = parts.frameIndex ?? buildIndex(parts.frameDescriptors, info.hnsw);
    let sequenceIndex: HnswIndex | undefined;
    if (info.sequence) sequenceIndex = parts.sequenceIndex ?? buildIndex(parts.sequenceDescriptors!, info.hnsw);
    return new PlaceMap(info, { ...parts, frames: parts.frames.slice() }, frameIndex, sequenceIndex);
  }

  /** Number of map frames. */
  get size(): number {
    return this.frameList.length;
  }

  /**
   * First frame of each mapping session (a robot's run, a merged map's part), in order; the
   * session id of a frame is the position of the last start at or before it.
   */
  /** First frame of each session that holds frames (a session just begun, still empty, is left out; [0] for an empty map). */
  get sessionStarts(): readonly number[] {
    const size = this.frameList.length;
    return this.starts.filter((start, i) => i === 0 || start < size);
  }

  /** Session id of map frame `index`. */
  sessionOf(index: number): number {
    return partitionPoint(this.starts.length, (i) => this.starts[i] <= index) - 1;
  }

  /**
   * Starts a new mapping session at the next frame (loading a saved map and mapping on). Returns
   * its id; a session that has no frames yet is reused rather than followed by an empty one.
   */
  beginSession(): number {
    const last = this.starts.length - 1;
    if (this.starts[last] === this.frameList.length) return last;
    this.starts.push(this.frameList.length);
    return last + 1;
  }

  /** Number of sequence descriptors (0 without a sequence encoder). */
  get sequenceCount(): number {
    return this.ends?.length ?? 0;
  }

  /** True when the map has frames and every one has a pose. */
  get hasPoses(): boolean {
    return this.frameList.length > 0 && this.posed === this.frameList.length;
  }

  get frames(): readonly MapFrameMeta[] {
    return this.frameList;
  }

  /** Row i is map frame i's descriptor (a view: no copy). */
  get frameDescriptors(): DescriptorMatrix {
    return this.frameRows.view();
  }

  /** Row j is the sequence descriptor of the window ending at map frame sequenceEnds[j]. */
  get sequenceDescriptors(): DescriptorMatrix | undefined {
    return this.sequenceRows?.view();
  }

  get sequenceEnds(): Int32Array | undefined {
    return this.ends?.view();
  }

  /**
   * Appends one map frame and, when its trailing window is full, that window's sequence descriptor.
   * Returns the new frame's map index. Nothing is stored when validation fails.
   */
  add(meta: NewMapFrame, frameDescriptor: Float32Array, sequenceDescriptor?: Float32Array, patches?: Float32Array): number {
    const index = this.frameList.length;
    checkMeta(meta, index);
    // A map without a patch store ignores patches; one with a store keeps a zero grid when none come.
    if (patches && this.patches && patches.length !== this.patches.rowBytes) {
      throw new DescriptorError(`patch grid for map frame ${index} has ${patches.length} values, this map stores ${this.patches.rowBytes}`);
    }
    assertMapDescriptor(frameDescriptor, this.info.encoder.dim, `frame descriptor for map frame ${index}`);
    if (sequenceDescriptor !== undefined) {
      const seq = this.info.sequence;
      if (!seq) {
        throw new DescriptorError('this map was created without a sequence encoder; pass no sequence descriptor');
      }
      assertMapDescriptor(sequenceDescriptor, seq.dim, `sequence descriptor for map frame ${index}`);
      if (index < seq.length - 1) {
        throw new DescriptorError(
          `map frame ${index} cannot end a full window of ${seq.length} frames; pass sequence descriptors from frame ${seq.length - 1} on`,
        );
      }
    }
    const stored: MapFrameMeta = { index, stamp: meta.stamp };
    if (meta.pose) stored.pose = copyPose(meta.pose);
    if (meta.source !== undefined) stored.source = meta.source;
    this.frameList.push(stored);
    if (meta.pose) this.posed++;
    this.frameRows.append(frameDescriptor);
    this.frameIndex.add(frameDescriptor, index);
    this.patches?.append(patches);
    if (sequenceDescriptor !== undefined) {
      const row = this.sequenceRows!.append(sequenceDescriptor);
      this.ends!.append(index);
      this.sequenceIndex!.add(sequenceDescriptor, row);
    }
    return index;
  }

  /** The k map frames whose descriptors are nearest to `query`, best first (cosine distance). */
  searchFrames(query: Float32Array, k: number, options: SearchOptions = {}): Candidate[] {
    assertMapDescriptor(query, this.info.encoder.dim, 'query frame descriptor');
    const rows = Math.min(options.beforeFrame ?? this.size, this.size);
    const hits = this.search(this.frameDescriptors, this.frameIndex, query, k, options, rows);
    return hits.map((h) => ({ mapIndex: h.label, distance: h.distance }));
  }

  /** What retrieval and matching read from this map, searched in `mode` (the config's retrieval mode). */
  view(mode: SearchMode): MapView {
    // Getters, not values: a live map grows, and its rows move when the storage grows.
    const map = this;
    return {
      get frames() {
        return map.frames;
      },
      get frameDescriptors() {
        return map.frameDescriptors;
      },
      get hasSequences() {
        return map.sequenceCount > 0;
      },
      patches: this.patches,
      sessionOf: (index) => this.sessionOf(index),
      searchFrames: (q, k, beforeFrame) => this.searchFrames(q, k, { mode, beforeFrame }),
      searchSequences: (q, k, beforeFrame) => this.searchSequences(q, k, { mode, beforeFrame }),
    };
  }

  /**
   * The k map sequences nearest to `query`, best first. Each candidate's mapIndex is the map frame
   * that ENDS the matching window.
   */
  searchSequences(query: Float32Array, k: number, options: SearchOptions = {}): Candidate[] {
    const seq = this.info.sequence;
    if (!seq || !this.sequenceIndex) {
      throw new MapFormatError('this map has no sequence descriptors; build it with a sequence encoder or search frames');
    }
    assertMapDescriptor(query, seq.dim, 'query sequence descriptor');
    const ends = this.ends!;
    const rows = options.beforeFrame === undefined ? ends.length : partitionPoint(ends.length, (i) => ends.at(i) < options.beforeFrame!);
    const hits = this.search(this.sequenceDescriptors!, this.sequenceIndex, query, k, options, rows);
    return hits.map((h) => ({ mapIndex: ends.at(h.label), distance: h.distance }));
  }

  private search(
    matrix: DescriptorMatrix,
    index: HnswIndex,
    query: Float32Array,
    k: number,
    options: SearchOptions,
    rows: number,
  ): SearchHit[] {
    if (!Number.isInteger(k) || k < 0) throw new ConfigError(`k must be a non-negative integer, got ${k}`);
    const mode = options.mode ?? 'hnsw';
    if (mode === 'exact') return exactSearch(matrix, query, k, rows);
    if (mode === 'hnsw') return index.search(query, k, rows < matrix.rows ? rows : undefined);
    throw new ConfigError(`search mode must be "hnsw" or "exact", got ${JSON.stringify(mode)}`);
  }
}

function makeInfo(options: NewMapOptions): MapInfo {
  return validInfo({
    createdAt: options.createdAt ?? new Date().toISOString(),
    encoder: options.encoder,
    sequence: options.sequence ?? null,
    hnsw: { ...DEFAULT_HNSW_PARAMS, ...options.hnsw },
    source: options.source ?? '',
  });
}

/** Checks `info` with the manifest's own schema, so every map that can be built can be saved and loaded. */
function validInfo(info: MapInfo): MapInfo {
  const parsed = mapInfoSchema.safeParse({
    ...info,
    // Only the identifying fields: callers may pass richer objects (e.g. an encoder instance).
    encoder: pick(info.encoder, ['id', 'hash', 'dim']),
    sequence: info.sequence ? pick(info.sequence, ['id', 'hash', 'length', 'dim']) : null,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`map ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, from[k]])) as Pick<T, K>;
}

function checkMeta(meta: NewMapFrame, index: number): void {
  if (typeof meta.stamp !== 'bigint' || meta.stamp < 0n) {
    throw new MapFormatError(`map frame ${index}: stamp must be a non-negative bigint (nanoseconds)`);
  }
  if (meta.index !== undefined && meta.index !== index) {
    throw new MapFormatError(`map frame metadata has index ${meta.index}, but the next map index is ${index}`);
  }
  const p = meta.pose;
  if (p && ![p.position.x, p.position.y, p.position.z, p.orientation.x, p.orientation.y, p.orientation.z, p.orientation.w].every(Number.isFinite)) {
    throw new MapFormatError(`map frame ${index}: pose has a non-finite value; drop the pose or fix its source`);
  }
}

function copyPose(p: Pose): Pose {
  return {
    position: { x: p.position.x, y: p.position.y, z: p.position.z },
    orientation: { x: p.orientation.x, y: p.orientation.y, z: p.orientation.z, w: p.orientation.w },
  };
}

function checkParts(parts: MapParts): void {
  const { info, frames, frameDescriptors: fd } = parts;
  const bad = (msg: string): never => {
    throw new MapFormatError(`map contents disagree: ${msg}`);
  };
  if (fd.dim !== info.encoder.dim) bad(`frame descriptors have dim ${fd.dim}, encoder dim is ${info.encoder.dim}`);
  if (fd.rows !== frames.length) bad(`${fd.rows} frame descriptors for ${frames.length} frames`);
  const starts = parts.sessionStarts;
  if (starts && (starts[0] !== 0 || starts.some((v, i) => !Number.isInteger(v) || v > frames.length || (i > 0 && v <= starts[i - 1])))) {
    bad(`session starts ${JSON.stringify(starts)} must begin at 0, increase and lie within the ${frames.length} frames`);
  }
  checkIndex(parts.frameIndex, fd, 'frame', bad);
  if (parts.patches) {
    const { info: p, data } = parts.patches;
    if (data.length !== frames.length * p.cellsX * p.cellsY * p.dim) bad(`patch data has ${data.length} bytes for ${frames.length} frames of ${p.cellsX}x${p.cellsY}x${p.dim}`);
  }
  frames.forEach((f, i) => {
    if (f.index !== i) bad(`frame ${i} has index ${f.index}`);
    assertMapDescriptor(fd.row(i), fd.dim, `frame descriptor ${i}`);
  });
  const seq = info.sequence;
  const { sequenceDescriptors: sd, sequenceEnds: ends } = parts;
  if (!seq) {
    if (sd || ends || parts.sequenceIndex) bad('sequence descriptors given for a map without a sequence encoder');
    return;
  }
  if (!sd || !ends) return bad('a map with a sequence encoder needs sequence descriptors and their end frames');
  if (sd.dim !== seq.dim) bad(`sequence descriptors have dim ${sd.dim}, sequence encoder dim is ${seq.dim}`);
  if (sd.rows !== ends.length) bad(`${sd.rows} sequence descriptors for ${ends.length} end frames`);
  checkIndex(parts.sequenceIndex, sd, 'sequence', bad);
  for (let j = 0; j < ends.length; j++) {
    if (ends[j] < seq.length - 1 || ends[j] >= frames.length || (j > 0 && ends[j] <= ends[j - 1])) {
      bad(`sequence ${j} ends at frame ${ends[j]}: ends must increase and lie in [${seq.length - 1}, ${frames.length})`);
    }
    assertMapDescriptor(sd.row(j), sd.dim, `sequence descriptor ${j}`);
  }
}

function checkIndex(index: HnswIndex | undefined, m: DescriptorMatrix, what: string, bad: (msg: string) => never): void {
  if (index && (index.count !== m.rows || index.dim !== m.dim)) {
    bad(`${what} index holds ${index.count} x ${index.dim}, descriptors are ${m.rows} x ${m.dim}`);
  }
}

function buildIndex(matrix: DescriptorMatrix, params: HnswParams): HnswIndex {
  const index = HnswIndex.create(matrix.dim, params, matrix.rows);
  for (let r = 0; r < matrix.rows; r++) index.add(matrix.row(r), r);
  return index;
}
