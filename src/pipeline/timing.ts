// Per-stage latency bookkeeping with bounded memory: a fixed log-spaced histogram per stage, so a
// node running for hours keeps the same footprint and can still report p50/p95/p99.

// decode: the image's sharp pipeline (decode, colour conversion and resize to the model input run
// as one libvips pipeline, which shrinks JPEGs while decoding: splitting it would cost more than it
// measures). preprocess: 8-bit pixels -> the model's float tensor. encode: the model itself (for
// encoders that do not report decode/preprocess, encode is the whole encoder call).
// patches: the re-ranker's patch model run on its own (decode included; a custom patch model, or
// the built-in one when the combined model is unavailable); with the built-in models the combined
// model gives the patch grid in the frame encoder's run, so it is part of `encode` and there is no
// `patches` stage. rerank: patch matching of the candidates (only with `rerank` enabled).
export type Stage = 'decode' | 'preprocess' | 'encode' | 'normalize' | 'window' | 'sequence' | 'retrieve' | 'match' | 'patches' | 'rerank' | 'total';
export const STAGES: readonly Stage[] = ['decode', 'preprocess', 'encode', 'normalize', 'window', 'sequence', 'retrieve', 'match', 'patches', 'rerank', 'total'];

export type StageTimes = Partial<Record<Stage, number>>;

/** Buckets from 1 us to ~100 s, 5% apart: a reported percentile is at most 5% above the true one. */
const MIN_MS = 1e-3;
const GROWTH = 1.05;
const BUCKETS = Math.ceil(Math.log(1e5 / MIN_MS) / Math.log(GROWTH)) + 1;

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  add(ms: number): void {
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / Math.log(GROWTH)));
    this.counts[i]++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** Upper edge of the bucket holding the q-quantile (nearest rank), in ms. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.max, MIN_MS * GROWTH ** i);
    }
    return this.max;
  }

  summary(): { p50: number; p95: number; p99: number; mean: number; max: number; count: number } {
    return {
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      mean: this.count ? this.sum / this.count : 0,
      max: this.max,
      count: this.count,
    };
  }
}

export class StageTimer {
  readonly histograms = new Map<Stage, LatencyHistogram>();

  record(times: StageTimes): void {
    for (const [stage, ms] of Object.entries(times) as [Stage, number][]) {
      let h = this.histograms.get(stage);
      if (!h) this.histograms.set(stage, (h = new LatencyHistogram()));
      h.add(ms);
    }
  }

  summary(): Record<string, ReturnType<LatencyHistogram['summary']>> {
    const out: Record<string, ReturnType<LatencyHistogram['summary']>> = {};
    for (const stage of STAGES) {
      const h = this.histograms.get(stage);
      if (h) out[stage] = h.summary();
    }
    return out;
  }
}
