// The pipeline behind the node for one map: the recogniser (localize) or the live mapper (map,
// slam), fed one frame at a time. It owns the map's growth and the query window; the node owns the
// ROS side (inputs, outputs, lifecycle).
import type { Frame } from '../core/types.js';
import { LiveMapper, type LoopClosure } from '../loops/live-mapper.js';
import type { PlaceMap } from '../map/place-map.js';
import { createRecognizer, type Frontend } from '../pipeline/assemble.js';
import type { FrameResult, PlaceRecognizer } from '../pipeline/recognizer.js';
import type { Mode } from './params.js';

export interface LoopExclusion {
  excludeSeconds: number;
  excludeFrames: number;
}

export interface SessionStep {
  result: FrameResult;
  /** map / slam: the loop closure this frame makes (the caller applies its confidence threshold). */
  loop: LoopClosure | null;
}

export class LiveSession {
  /** Frames that came with the loaded map: their poses are in the map frame; later ones were added live. */
  readonly loadedFrames: number;
  private recognizer: PlaceRecognizer | undefined;
  private mapper: LiveMapper | undefined;
  /** First map frame of the current mapping session (moves when the clock jumps back). */
  private sessionStart: number;
  private nextQueryIndex = 0;

  constructor(
    readonly mode: Mode,
    private readonly frontend: Frontend,
    readonly map: PlaceMap,
    /** How place matches name the map (its path). */
    readonly mapId: string,
    private exclusion: LoopExclusion,
    /** Where the recogniser's warnings go (the node's logger). */
    private readonly warn?: (message: string) => void,
    /** The folder the map was read from (~/save_map writes back there); undefined for a map begun live. */
    readonly folder?: string,
  ) {
    this.loadedFrames = map.size;
    this.sessionStart = map.size;
    if (mode === 'localize') this.recognizer = createRecognizer(frontend, map, `the map ${mapId}`, { warn });
    else this.mapper = this.newMapper();
  }

  get extendsMap(): boolean {
    return this.mode !== 'localize';
  }

  /**
   * Runs one frame. Its index is assigned here, when it is processed (frames the overload policy
   * dropped get none): the processed-frame count in localize mode, the map index it will get in
   * map / slam mode (the live mapper needs that).
   */
  async process(frame: Omit<Frame, 'index'>): Promise<SessionStep> {
    if (this.recognizer) {
      const result = await this.recognizer.process({ ...frame, index: this.nextQueryIndex++ });
      return { result, loop: null };
    }
    const step = await this.mapper!.process({ ...frame, index: this.map.size });
    return { result: step.result, loop: step.loop };
  }

  /**
   * Forgets the query window after the clock went back. Mapping starts a new session: frames mapped
   * so far stay searchable but no longer take part in the exclusion window (their stamps are ahead).
   */
  restartAfterClockJump(): void {
    if (this.recognizer) this.recognizer.reset();
    else {
      this.sessionStart = this.map.size;
      this.mapper!.startSession();
    }
  }

  /** New loop-exclusion settings (map / slam): the mapper is rebuilt, so the query window restarts. */
  setExclusion(exclusion: LoopExclusion): void {
    this.exclusion = exclusion;
    if (this.mapper) this.mapper = this.newMapper();
  }

  private newMapper(): LiveMapper {
    // Threshold 0: every match comes back as a candidate closure; the node applies
    // loop_min_confidence, which can change at run time.
    return new LiveMapper(this.frontend, this.map, { minConfidence: 0, ...this.exclusion }, { sessionStart: this.sessionStart, warn: this.warn });
  }
}
