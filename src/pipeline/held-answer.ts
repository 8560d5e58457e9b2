// The answer for a frame the motion gate held back. The window's last answer names the map frame
// of the last admitted frame; a held frame may have moved up to one map spacing since, so the
// answer is moved on along the map by the distance the query's odometry travelled since (the
// camera moved that far along the route, whatever the map's spacing there). Without poses nothing
// moves: the answer is repeated as it was. Off by default (motionGate.heldAdvance: none): on the
// demo world the window's own answers already run ahead of the camera at night, and moving a held
// answer by whole map rows added to that (README, "The query window follows motion").
import type { Candidate, MapFrameMeta, PlaceMatch } from '../core/types.js';

export type HeldAdvance = 'path' | 'none';

export interface HeldAnswerMap {
  readonly frames: readonly MapFrameMeta[];
  /** Mapping session of a map frame (absent: one session): consecutive rows of two sessions are no step. */
  sessionOf?(index: number): number;
}

/**
 * The map frame reached from `from` after `distanceM` along the map's own path in `direction`
 * (+1: increasing rows): the frame whose cumulative planar distance from `from` is nearest to
 * `distanceM`. The walk stops at the map's ends, at a session boundary and at a frame without a
 * pose (there the path is unknown).
 */
export function alongMapPath(map: HeldAnswerMap, from: number, distanceM: number, direction: 1 | -1): number {
  let at = from;
  let travelled = 0;
  for (;;) {
    const next = at + direction;
    if (next < 0 || next >= map.frames.length) return at;
    if (map.sessionOf && map.sessionOf(next) !== map.sessionOf(at)) return at;
    const a = map.frames[at].pose?.position;
    const b = map.frames[next].pose?.position;
    if (!a || !b) return at;
    const step = Math.hypot(b.x - a.x, b.y - a.y);
    // Stay when the next frame lies further past the target than this one falls short of it.
    if (travelled + step - distanceM > distanceM - travelled) return at;
    travelled += step;
    at = next;
  }
}

/** +1 / -1 when the window's alignment runs along increasing / decreasing map rows, 0 when it stands. */
export function windowDirection(match: Pick<PlaceMatch, 'correspondences'>): 1 | -1 | 0 {
  const c = match.correspondences;
  if (c.length < 2) return 0;
  const d = c[c.length - 1].mapIndex - c[0].mapIndex;
  return d > 0 ? 1 : d < 0 ? -1 : 0;
}

/**
 * `last` (the last admitted frame's answer) moved on by `distanceM` travelled since that frame
 * ('path': along the map's poses, alongMapPath; the map's own steps, so uneven spacing and session
 * ends are respected, which a count of distance / spacing rows would not). The winner and every
 * candidate move alike (each is a hypothesis of where the camera was); the correspondences stay
 * the window's. Undefined distance (no poses), 'none', or a window that does not advance along the
 * map: `last` unchanged.
 */
export function advanceHeldAnswer(last: PlaceMatch, map: HeldAnswerMap, how: HeldAdvance, distanceM: number | undefined): Pick<PlaceMatch, 'mapIndex' | 'candidates'> {
  const direction = windowDirection(last);
  if (how === 'none' || distanceM === undefined || distanceM <= 0 || direction === 0) return { mapIndex: last.mapIndex, candidates: last.candidates };
  const move = (row: number) => alongMapPath(map, row, distanceM, direction);
  const candidates: Candidate[] = last.candidates.map((c) => ({ ...c, mapIndex: move(c.mapIndex) }));
  return { mapIndex: move(last.mapIndex), candidates };
}
