// Where the image stage (decode, preprocess) spends its time inside an encoder call.

/**
 * Where an encode call spent its time, in ms, summed over the batch: `decode` (the sharp pipeline:
 * decode + resize) and `preprocess` (pixels -> model input). Encoders add to the fields they know.
 */
export interface EncodeTiming {
  decode?: number;
  preprocess?: number;
}

/** Adds `ms` to one field of an optional timing sink. */
export function addTime(timing: EncodeTiming | undefined, key: keyof EncodeTiming, ms: number): void {
  if (timing) timing[key] = (timing[key] ?? 0) + ms;
}
