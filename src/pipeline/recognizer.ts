// One frame in, one decision out: encode -> normalise -> window -> sequence descriptor ->
// coarse retrieval -> fine sequence matching. Stateful (the window), single-threaded, and
// deliberately unaware of where frames come from; the RxJS stream and the ROS node drive it.
import { performance } from 'node:perf_hooks';
import { DescriptorError, ModelError, SeqvprError } from '../core/errors.js';
import { isFiniteVector } from '../core/vector.js';
import type { Candidate, Frame, PlaceMatch } from '../core/types.js';
import { yieldsPatches, type EncodeTiming, type FrameEncoder, type SequenceEncoder } from '../encoders/types.js';
import { CoarseRetriever, type CoarseOptions } from '../retrieve/coarse.js';
import type { MapView } from '../retrieve/map-view.js';
import { RollingDifferenceMatrix } from '../match/rolling-difference-matrix.js';
import type { SequenceMatcher } from '../match/types.js';
import { samePlaceByPose, type SamePlace, type SamePlaceOptions } from '../match/same-place.js';
import type { EmaCentering } from '../encoders/centering.js';
import { advanceHeldAnswer } from './held-answer.js';
import type { MotionGate, MotionGateConfig } from './motion-gate.js';
import { placeWindow, type MapArc } from './window-placement.js';
import type { PathPlacement } from '../match/path-rows.js';
import type { StageTimes } from './timing.js';
import type { PatchReranking } from '../rerank/assemble.js';
import type { WindowFrame } from '../rerank/reranker.js';

export interface RecognizerOptions {
  frameEncoder: FrameEncoder;
  /** Coarse sequence descriptor; null = coarse retrieval on the newest frame's descriptor. */
  sequenceEncoder: SequenceEncoder | null;
  matcher: SequenceMatcher;
  map: MapView;
  /** Number of query frames the fine matcher aligns (columns of the difference matrix). */
  windowLength: number;
  /** The coarse stage: candidate ends handed to the matcher (k = 0: none, the matcher sweeps the map). */
  coarse: CoarseOptions;
  /** Appearance centring of query descriptors (the map was centred the same way when built). */
  centering?: EmaCentering;
  /**
   * How many leading map frames this query may match (default: all). Live mapping uses it to keep
   * the run's own recent frames out of reach (the loop-closure exclusion window).
   */
  searchableRows?: (frame: Frame) => number;
  /** Patch re-ranking of the matcher's best candidates (the map must hold patch features). */
  rerank?: PatchReranking;
  /** Only frames taken after the camera moved enter the window (motion-gate.ts); the others are held. */
  motionGate?: { gate: MotionGate; heldConfidence: MotionGateConfig['heldConfidence']; heldAdvance?: MotionGateConfig['heldAdvance'] };
  /** Rivals ranked by place where the map has poses (another visit of the winner's place is no rival); absent = by row. */
  samePlace?: SamePlaceOptions;
  /** Posed windows are placed by the path travelled along this arc of the map (window-placement.ts); absent = one row per frame. */
  mapArc?: MapArc;
}

/** Frame identity carried in results (the image itself is not kept: memory stays bounded). */
export type FrameInfo = Omit<Frame, 'image'>;

export type FrameResult =
  | {
      kind: 'match';
      frame: FrameInfo;
      match: PlaceMatch;
      /** The frame's centred descriptor (what the map stores), e.g. to extend the map live. */
      descriptor: Float32Array;
      /** The window's sequence descriptor, when there is a sequence encoder and the window is full. */
      sequenceDescriptor?: Float32Array;
      /** The frame's patch grid, with re-ranking (what a map with patch features stores). */
      patches?: Float32Array;
      times: StageTimes;
    }
  | {
      /** Encoded, but nothing to match against yet (empty map, or every map frame excluded). */
      kind: 'unmatched';
      frame: FrameInfo;
      descriptor: Float32Array;
      sequenceDescriptor?: Float32Array;
      patches?: Float32Array;
      times: StageTimes;
    }
  | { kind: 'skipped'; frame: FrameInfo; reason: string; error: SeqvprError; times: StageTimes };

/**
 * A frame after the frame encoder: its raw descriptor (and, with re-ranking, its raw patch grid,
 * undefined when the patch model gave nothing usable), or why it has none.
 */
export type EncodedFrame =
  | { descriptor: Float32Array; patches?: Float32Array; error?: undefined; times: StageTimes }
  | { descriptor?: undefined; patches?: undefined; error: SeqvprError; times: StageTimes };

/**
 * The encoder call's stage times: decode / preprocess when the encoder reported them, encode the
 * rest of the call; `total` the whole call.
 */
function encodeTimes(callMs: number, timing: EncodeTiming): StageTimes {
  const { decode, preprocess } = timing;
  const times: StageTimes = { encode: Math.max(0, callMs - (decode ?? 0) - (preprocess ?? 0)), total: callMs };
  if (decode !== undefined) times.decode = decode;
  if (preprocess !== undefined) times.preprocess = preprocess;
  return times;
}

export class PlaceRecognizer {
  private distances: RollingDifferenceMatrix;
  /** Frame descriptors of the last max(window, sequence) frames, oldest first. */
  private recent: Float32Array[] = [];
  private recentFrames: FrameInfo[] = [];
  /** Re-ranking: each recent frame's patch grid, aligned with `recent`. */
  private recentPatches: (Float32Array | undefined)[] = [];
  private readonly coarse: CoarseRetriever;
  private readonly keep: number;
  /** The last admitted frame's answer, repeated for frames the motion gate holds back. */
  private lastAnswer: { match: PlaceMatch; sequenceDescriptor?: Float32Array } | undefined;
  private readonly samePlace: SamePlace | undefined;

  constructor(private readonly options: RecognizerOptions) {
    const seqLen = options.sequenceEncoder?.length ?? 1;
    this.keep = Math.max(options.windowLength, seqLen);
    this.coarse = new CoarseRetriever(options.coarse, this.keep);
    // Lazy: hierarchical matching reads only candidate regions; a full sweep fills one column per frame.
    this.distances = new RollingDifferenceMatrix(options.map.frameDescriptors, options.windowLength, 'lazy');
    this.samePlace = placesOf(options);
  }

  get map(): MapView {
    return this.options.map;
  }

  /**
   * Forgets the query window (use after a clock jump backwards or a long gap). The running
   * appearance mean is kept: it describes the current conditions, not the places just seen. The
   * motion gate starts over with its spacing source (the map given to createRecognizer, followed
   * while it grows). For another map, create a new recogniser.
   */
  reset(): void {
    this.recent = [];
    this.recentFrames = [];
    this.recentPatches = [];
    this.lastAnswer = undefined;
    this.options.motionGate?.gate.reset();
    this.coarse.reset();
    this.options.rerank?.reranker.reset();
    this.distances = new RollingDifferenceMatrix(this.options.map.frameDescriptors, this.options.windowLength, 'lazy');
  }

  /** One frame in, one decision out: encodeFrame then processEncoded. */
  async process(frame: Frame): Promise<FrameResult> {
    return this.processEncoded(frame, await this.encodeFrame(frame));
  }

  /**
   * The stateless half: the frame's image through the frame encoder. It depends on nothing but the
   * frame, so recorded sources run it ahead for the next frames (stream.ts) while processEncoded
   * works on the current one; the answers stay those of one frame at a time. A broken model
   * (ModelError) or a non-seqvpr failure rejects; a bad frame resolves to its error.
   */
  async encodeFrame(frame: Frame): Promise<EncodedFrame> {
    const start = performance.now();
    const timing: EncodeTiming = {};
    try {
      const { frameEncoder } = this.options;
      if (this.options.rerank?.withFrame && yieldsPatches(frameEncoder)) {
        // One run of the combined model gives both (its time is `encode`; there is no `patches` stage).
        const [both] = await frameEncoder.encodeWithPatches([frame.image], timing);
        return { descriptor: both.descriptor, patches: both.patches, times: encodeTimes(performance.now() - start, timing) };
      }
      const [descriptor] = await frameEncoder.encode([frame.image], timing);
      const times = encodeTimes(performance.now() - start, timing);
      if (!this.options.rerank) return { descriptor, times };
      // The patch model is stateless too (its centring is not: processEncoded applies it in order).
      const patchStart = performance.now();
      const patches = await this.encodePatches(frame);
      times.patches = performance.now() - patchStart;
      times.total! += times.patches;
      return { descriptor, patches, times };
    } catch (e) {
      // A bad frame (undecodable image, NaN output for it) is skipped; a broken model is not a
      // frame's fault and fails the run (the live node counts it and goes on).
      if (!(e instanceof SeqvprError) || e instanceof ModelError) throw e;
      return { error: e, times: encodeTimes(performance.now() - start, timing) };
    }
  }

  /**
   * The stateful half, in frame order: descriptor checks, centring, window, coarse retrieval and
   * fine matching. `times.total` is the frame's encoder call plus this call (an encoding run
   * ahead also counts the time it waited for the encoder).
   */
  async processEncoded(frame: Frame, encoded: EncodedFrame): Promise<FrameResult> {
    const times: StageTimes = { ...encoded.times };
    const start = performance.now();
    const { image: _image, ...info } = frame;
    const finish = (): number => (times.total = encoded.times.total! + performance.now() - start);
    let t = start;
    const lap = (stage: keyof StageTimes): void => {
      const now = performance.now();
      times[stage] = now - t;
      t = now;
    };

    if (encoded.error) {
      finish();
      return { kind: 'skipped', frame: info, reason: encoded.error.name, error: encoded.error, times };
    }
    let descriptor = encoded.descriptor;
    // Checked before it enters the window: one bad descriptor must not poison the next L matches.
    const problem = descriptorProblem(descriptor, this.options.map.frameDescriptors.dim);
    if (problem) {
      finish();
      const error = new DescriptorError(`frame encoder ${this.options.frameEncoder.id} ${problem}`);
      return { kind: 'skipped', frame: info, reason: error.name, error, times };
    }

    if (this.options.centering) descriptor = this.options.centering.apply(descriptor);
    const patches = encoded.patches && this.options.rerank?.centering.apply(encoded.patches);
    lap('normalize');

    // The camera has not moved since the window's newest frame: same place, same answer (without
    // an answer to repeat, e.g. right after a reset, the frame is matched as usual).
    const gate = this.options.motionGate;
    const moved = gate ? gate.gate.admit(frame, encoded.descriptor) : true;
    if (gate && !moved && this.lastAnswer) {
      const { match: last, sequenceDescriptor } = this.lastAnswer;
      const confidence = gate.heldConfidence === 'keep' ? last.confidence : 0;
      // The camera moved on by up to a spacing since: so does the answer (held-answer.ts).
      const advanced = advanceHeldAnswer(last, this.options.map, gate.heldAdvance ?? 'none', gate.gate.distanceSinceAdmitted(frame));
      const match: PlaceMatch = { ...last, ...advanced, queryIndex: frame.index, queryStamp: frame.stamp, confidence, held: true };
      finish();
      return { kind: 'match', frame: info, match, descriptor, sequenceDescriptor, patches, times };
    }

    this.recent.push(descriptor);
    this.recentFrames.push(info);
    this.recentPatches.push(patches);
    if (this.recent.length > this.keep) {
      this.recent.shift();
      this.recentFrames.shift();
      this.recentPatches.shift();
    }
    const map = this.options.map;
    const searchable = Math.min(this.options.searchableRows?.(frame) ?? map.frames.length, map.frames.length);
    this.distances.setMap(map.frameDescriptors, searchable);
    this.distances.push(descriptor);
    lap('window');

    const cols = this.distances.cols;
    const windowFrames = this.recentFrames.slice(-cols);
    const placement = this.options.mapArc && placeWindow(windowFrames, this.options.mapArc.current());
    const { coarse, sequenceDescriptor } = await this.coarseCandidates(descriptor, searchable, times, placement);
    t = performance.now();
    if (searchable < 1) {
      this.lastAnswer = undefined;
      finish();
      return { kind: 'unmatched', frame: info, descriptor, sequenceDescriptor, patches, times };
    }

    const out = this.options.matcher.match({ D: this.distances, coarse, samePlace: this.samePlace, placement });
    lap('match');

    let decision: Pick<PlaceMatch, 'mapIndex' | 'confidence' | 'score' | 'candidates' | 'patchScore' | 'patchMatches' | 'alongTrackShift'> & { path: number[] } = out;
    if (this.options.rerank && map.patches) {
      const windowPatches = this.recentPatches.slice(-cols);
      const window: WindowFrame[] = windowFrames.map((f, i) => ({ index: f.index, patches: windowPatches[i] }));
      // The along-track move stays in the winner's drive and among the rows this frame may match.
      const allowedMove = (from: number, to: number) => to < searchable && map.sessionOf?.(from) === map.sessionOf?.(to);
      decision = this.options.rerank.reranker.rerank(out, window, map.patches, this.samePlace, allowedMove);
      lap('rerank');
    }
    const match: PlaceMatch = {
      queryIndex: frame.index,
      queryStamp: frame.stamp,
      mapIndex: decision.mapIndex,
      confidence: windowConfidence(decision.confidence, cols, this.options.windowLength),
      score: decision.score,
      candidates: decision.candidates,
      correspondences: decision.path.map((mapIndex, col) => ({
        queryIndex: windowFrames[col].index,
        mapIndex,
        distance: this.distances.get(mapIndex, col),
      })),
    };
    if (decision.patchMatches) {
      match.patchScore = decision.patchScore;
      match.patchMatches = decision.patchMatches;
      if (decision.alongTrackShift !== undefined) match.alongTrackShift = decision.alongTrackShift;
    }
    this.lastAnswer = { match, sequenceDescriptor };
    finish();
    return { kind: 'match', frame: info, match, descriptor, sequenceDescriptor, patches, times };
  }

  /**
   * The frame's raw patch grid for re-ranking. The frame already decoded for the frame encoder, so
   * a failure here is not the frame's: a broken patch model fails the run (like the frame model), a
   * bad output only costs this frame its patch evidence.
   */
  private async encodePatches(frame: Frame): Promise<Float32Array | undefined> {
    const { encoder } = this.options.rerank!;
    try {
      const [grid] = await encoder.encode([frame.image]);
      return grid.length === encoder.dim && isFiniteVector(grid) ? grid : undefined;
    } catch (e) {
      if (!(e instanceof SeqvprError) || e instanceof ModelError) throw e;
      return undefined;
    }
  }

  private async coarseCandidates(
    descriptor: Float32Array,
    searchable: number,
    times: StageTimes,
    placement: PathPlacement | undefined,
  ): Promise<{ coarse?: Candidate[]; sequenceDescriptor?: Float32Array }> {
    const { sequenceEncoder, map } = this.options;
    let t = performance.now();
    let sequenceDescriptor: Float32Array | undefined;
    // Computed whenever the window is full, also while a live map has none yet: it extends the map.
    if (sequenceEncoder && this.recent.length >= sequenceEncoder.length) {
      [sequenceDescriptor] = await sequenceEncoder.encode([this.recent.slice(-sequenceEncoder.length)]);
    }
    times.sequence = performance.now() - t;
    t = performance.now();
    const coarse = this.coarse.candidates(map, descriptor, sequenceDescriptor, searchable, this.distances.cols, this.samePlace, placement);
    times.retrieve = performance.now() - t;
    return { coarse, sequenceDescriptor };
  }
}

/**
 * The confidence of an answer from a window of `cols` query frames when the pipeline is configured
 * for `windowLength`: 0 until the window is full. Why: the configured length is the evidence the
 * matcher needs to tell places apart; a partial window (the first frames of a run, or after a reset)
 * is matched on fewer frames, its uniqueness ratio is as large as a full window's but far less
 * reliable (a 2-frame match at a new traversal's start was the most confident wrong answer on
 * nordland64's held-out half). Its answer is still reported, only never trusted.
 */
export function windowConfidence(confidence: number, cols: number, windowLength: number): number {
  return cols < windowLength ? 0 : confidence;
}

/** The map's same-place relation, when configured and not off (radius 0). */
function placesOf(options: RecognizerOptions): SamePlace | undefined {
  const o = options.samePlace;
  return o && o.radiusM !== 0 ? samePlaceByPose(options.map, o) : undefined;
}

/** Why a frame encoder's output cannot be matched against a map of `dim`-value descriptors, if it cannot. */
function descriptorProblem(descriptor: Float32Array, dim: number): string | undefined {
  if (!(descriptor instanceof Float32Array)) return 'returned no descriptor';
  if (descriptor.length !== dim) return `returned ${descriptor.length} values, the map's descriptors have ${dim}`;
  if (!isFiniteVector(descriptor)) return 'returned NaN or Infinity';
  return undefined;
}
