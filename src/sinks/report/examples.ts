// Example matches for the report: which queries to show, and their images as small embedded PNGs.
import sharp from 'sharp';
import { EvalError } from '../../core/errors.js';
import type { GroundTruth } from '../../eval/ground-truth.js';
import { isCorrect, type QueryRecord } from '../../eval/metrics.js';

/** An image given by file path (PNG/JPEG…) or as already-encoded bytes. */
export type ImageRef = string | Uint8Array;

/** Where the report finds images; return undefined when a frame has none (a placeholder is drawn). */
export interface ThumbnailSource {
  query(queryIndex: number): ImageRef | undefined;
  map(mapIndex: number): ImageRef | undefined;
}

export type ExampleKind = 'good' | 'bad';

export interface Example {
  kind: ExampleKind;
  record: QueryRecord;
  /** Nearest ground-truth positive to the prediction, shown next to a wrong match; null when none. */
  truth: number | null;
}

/**
 * Good = the most confident correct answers; bad = the most confident WRONG answers (the ones a
 * threshold would let through, including queries without ground truth). Both most-confident first.
 */
export function pickExamples(
  records: readonly QueryRecord[],
  groundTruth: GroundTruth,
  counts: { good: number; bad: number },
): Example[] {
  const answered = records.filter((r) => r.predicted !== null).sort((a, b) => b.confidence - a.confidence);
  const good = answered.filter((r) => isCorrect(r, groundTruth)).slice(0, counts.good);
  const bad = answered.filter((r) => !isCorrect(r, groundTruth)).slice(0, counts.bad);
  const truthOf = (r: QueryRecord): number | null => {
    const pos = groundTruth.positives(r.queryIndex);
    if (pos.length === 0) return null;
    const target = r.predicted ?? r.queryIndex;
    return pos.reduce((best, p) => (Math.abs(p - target) < Math.abs(best - target) ? p : best));
  };
  return [
    ...good.map((record) => ({ kind: 'good' as const, record, truth: truthOf(record) })),
    ...bad.map((record) => ({ kind: 'bad' as const, record, truth: truthOf(record) })),
  ];
}

/** Decodes an image and re-encodes it as a PNG data URI `heightPx` tall. */
export async function thumbnailDataUri(ref: ImageRef, heightPx = 96): Promise<string> {
  try {
    const { height = heightPx } = await sharp(ref).metadata();
    // Tiny frames (64x32 Nordland) are enlarged pixel-exact; camera frames are shrunk smoothly.
    const kernel = height < heightPx ? 'nearest' : 'lanczos3';
    const png = await sharp(ref).resize({ height: heightPx, kernel }).png().toBuffer();
    return `data:image/png;base64,${png.toString('base64')}`;
  } catch (err) {
    const what = typeof ref === 'string' ? ref : `${ref.length}-byte buffer`;
    throw new EvalError(`cannot make a thumbnail from ${what}: ${(err as Error).message}`, { cause: err });
  }
}
