// Where the query window's frames lie along the map, from the distance the camera travelled between
// them (odometry). Sequence matchers otherwise assume one map row per query frame (SeqSLAM searches
// 0.8-1.25 around it): a query that outruns the map's frame spacing (a faster vehicle, a lower
// camera rate, a keyframed run: keyframes 2 m apart against a map 0.9 m apart are 2.2 rows per
// frame) then matches no trajectory it may try. Placed by the path, each window frame sits at its
// travelled distance in map rows, and the matcher's velocities become the tolerance on the map's
// spacing and the odometry's scale.
import type { Pose } from '../core/types.js';

/**
 * How many map rows each frame lies before the newest (oldest first, the newest 0): the planar path
 * length from it to the newest frame, summed over consecutive frames, over `spacingM` (the map's
 * frame spacing). Undefined when there is no spacing (a map without poses) or a frame has no pose:
 * the window is then placed one row per frame.
 */
export function pathColumnRows(frames: readonly { readonly pose?: Pose }[], spacingM: number | undefined): number[] | undefined {
  if (!(spacingM !== undefined && spacingM > 0) || frames.length === 0) return undefined;
  const rows = new Array<number>(frames.length);
  rows[frames.length - 1] = 0;
  for (let t = frames.length - 2; t >= 0; t--) {
    const a = frames[t].pose?.position;
    const b = frames[t + 1].pose?.position;
    if (!a || !b) return undefined;
    const step = Math.hypot(b.x - a.x, b.y - a.y);
    if (!Number.isFinite(step)) return undefined;
    rows[t] = rows[t + 1] + step / spacingM;
  }
  return rows;
}
