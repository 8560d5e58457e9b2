// A run's place matches into a results bag (seqvpr/msg/PlaceMatch, MCAP), written in order as
// they come, for `seqvpr replay --results-bag`.
import type { StampNs } from '../core/types.js';
import { RecentByIndex } from '../core/recent-by-index.js';
import type { PlaceMap } from '../map/place-map.js';
import type { FrameResult } from '../pipeline/recognizer.js';
import { ResultsBagWriter } from './results-bag.js';

/** Writes each place match of a run into a bag, in order, keeping only the stamps a window needs. */
export class ResultsRecorder {
  private pending: Promise<void> = Promise.resolve();
  private readonly stamps = new RecentByIndex<StampNs>();

  private constructor(
    private readonly writer: ResultsBagWriter,
    private readonly map: PlaceMap,
  ) {}

  static async create(dir: string, map: PlaceMap): Promise<ResultsRecorder> {
    return new ResultsRecorder(await ResultsBagWriter.create(dir), map);
  }

  record(result: FrameResult): void {
    this.stamps.remember(result.frame.index, result.frame.stamp, STAMPS_KEPT);
    if (result.kind !== 'match') return;
    // Only the window's stamps, so each message is independent of later frames.
    const windowStamps = new Map(result.match.correspondences.map((c) => [c.queryIndex, this.stamps.get(c.queryIndex)]));
    const input = {
      header: { stamp: result.frame.stamp, frameId: result.frame.frameId },
      match: result.match,
      map: this.map,
      mapId: this.map.info.source,
      queryStampOf: (q: number) => windowStamps.get(q),
    };
    this.pending = this.pending.then(() => this.writer.writePlaceMatch(input));
  }

  async close(): Promise<void> {
    await this.pending;
    await this.writer.close();
  }

  async abort(): Promise<void> {
    await this.pending.catch(() => undefined);
    await this.writer.abort();
  }
}

/** Query stamps remembered for correspondences: far more than any query window. */
const STAMPS_KEPT = 1000;
