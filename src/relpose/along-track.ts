// Along-track ambiguity of a sequence match: how far the matched map segment could slide along
// the route and still look as good. `costs[k]` is the mean descriptor distance of the matched
// sequence shifted by `shifts[k]` map frames (shift 0 = the match). Shifts whose cost is within
// the statistical noise of the best cost are equally plausible; the second moment of the shifts
// weighted by that plausibility is the ambiguity (a sharp valley gives ~0, a flat one grows).

export interface ShiftProfile {
  shifts: readonly number[];
  costs: readonly number[];
  /** Standard error of a mean cost (per-frame distance scatter / sqrt(frames)); > 0. */
  costStdErr: number;
}

/** Root-mean-square plausible shift around the match, in map frames. */
export function alongTrackSpread(profile: ShiftProfile): number {
  const { shifts, costs } = profile;
  if (shifts.length !== costs.length || shifts.length === 0) throw new RangeError('alongTrackSpread needs one cost per shift');
  const sigma = Math.max(profile.costStdErr, 1e-9);
  const best = Math.min(...costs);
  let w = 0;
  let m2 = 0;
  shifts.forEach((s, k) => {
    const weight = Math.exp(-0.5 * ((costs[k] - best) / sigma) ** 2);
    w += weight;
    m2 += weight * s * s;
  });
  return Math.sqrt(m2 / w);
}
