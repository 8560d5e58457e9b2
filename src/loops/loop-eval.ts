// Scores loop closures against ground-truth poses: a closure is correct when the two keyframes
// are within `toleranceM` of each other (planar). Recall counts the keyframes that revisit an
// earlier place outside the exclusion window, i.e. the loop closures that could have been found.
import type { MapFrameMeta, Pose } from '../core/types.js';
import type { LoopClosure } from './live-mapper.js';

export interface LoopScores {
  loops: number;
  correct: number;
  /** correct / loops; null without loops. */
  precision: number | null;
  /** Keyframes that revisit an earlier place (outside the exclusion window). */
  revisits: number;
  /** Revisit keyframes with a correct loop closure / revisits; null without revisits. */
  recall: number | null;
  toleranceM: number;
}

function planarDistance(a: Pose, b: Pose): number {
  return Math.hypot(a.position.x - b.position.x, a.position.y - b.position.y);
}

export function isCorrectLoop(loop: LoopClosure, frames: readonly MapFrameMeta[], toleranceM: number): boolean | null {
  const a = frames[loop.queryIndex]?.pose;
  const b = frames[loop.matchIndex]?.pose;
  return a && b ? planarDistance(a, b) <= toleranceM : null;
}

/**
 * @param searchableBefore for each keyframe, how many earlier keyframes it was allowed to match
 *        (the exclusion window as the detector applied it)
 */
export function scoreLoops(
  loops: readonly LoopClosure[],
  frames: readonly MapFrameMeta[],
  searchableBefore: readonly number[],
  toleranceM: number,
): LoopScores {
  const correctAt = new Set<number>();
  let correct = 0;
  for (const loop of loops) {
    if (isCorrectLoop(loop, frames, toleranceM)) {
      correct++;
      correctAt.add(loop.queryIndex);
    }
  }
  let revisits = 0;
  let found = 0;
  frames.forEach((f, i) => {
    if (!f.pose) return;
    const limit = searchableBefore[i] ?? 0;
    for (let j = 0; j < limit; j++) {
      const p = frames[j].pose;
      if (p && planarDistance(f.pose, p) <= toleranceM) {
        revisits++;
        if (correctAt.has(i)) found++;
        return;
      }
    }
  });
  return {
    loops: loops.length,
    correct,
    precision: loops.length ? correct / loops.length : null,
    revisits,
    recall: revisits ? found / revisits : null,
    toleranceM,
  };
}
