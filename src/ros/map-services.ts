// The parts of ~/save_map and ~/load_map that need no node state: where and how a map is written,
// reading one that must fit the loaded encoders, and the session a loaded map gets.
import { loadMap } from '../map/load-map.js';
import type { PlaceMap } from '../map/place-map.js';
import { saveMap } from '../map/save-map.js';
import type { Frontend } from '../pipeline/assemble.js';
import { LiveSession, type LoopExclusion } from './live-session.js';
import type { NodeParams } from './params.js';

export type ServiceResponse = { success: boolean; message: string };

/**
 * ~/save_map: writes the map to save_map_path, else back to the folder it was read from, else to
 * map_path; failures are answers, not errors. After ~/load_map the folder is the loaded one: saving
 * to map_path then wrote the loaded map over the first one (seen on Jazzy).
 */
export async function saveMapService(session: LiveSession | undefined, params: Readonly<NodeParams>): Promise<ServiceResponse> {
  if (!session) return { success: false, message: 'the node is not configured: configure it first (it has no map)' };
  const { map } = session;
  const dir = params.save_map_path || session.folder || params.map_path;
  if (!dir) return { success: false, message: 'set save_map_path (or map_path) to the folder the map should be written to' };
  try {
    const manifest = await saveMap(map, dir);
    return { success: true, message: `saved ${manifest.frames} frames to ${dir}` };
  } catch (e) {
    return { success: false, message: `cannot save the map to ${dir}: ${(e as Error).message}` };
  }
}

/** A map folder, refused unless it was built with the front end in use (encoder, dim, sequence). */
export function readMap(dir: string, frontend: Frontend, warn: (message: string) => void): Promise<PlaceMap> {
  const { encoder, sequence } = frontend.identity;
  return loadMap(dir, {
    expect: { encoderId: encoder.id, encoderHash: encoder.hash, dim: encoder.dim, sequence: sequence ?? undefined },
    onWarning: warn,
  });
}

/**
 * ~/load_map: a session on the map folder the request names, for the front end in use. The
 * caller switches to it; a refusal is an answer and keeps the previous map.
 */
export async function loadMapSession(
  request: Record<string, unknown>,
  current: { frontend: Frontend } | undefined,
  params: Readonly<NodeParams>,
  exclusion: LoopExclusion,
  warn: (message: string) => void,
): Promise<{ session: LiveSession; response: ServiceResponse } | { response: ServiceResponse }> {
  if (!current) return { response: { success: false, message: 'the node is not configured: set map_path and configure it instead' } };
  const dir = request.map_path;
  if (typeof dir !== 'string' || dir === '') return { response: { success: false, message: 'map_path must name a map folder' } };
  let session: LiveSession;
  try {
    const map = await readMap(dir, current.frontend, warn);
    session = new LiveSession(params.mode, current.frontend, map, dir, exclusion, warn, dir);
  } catch (e) {
    return { response: { success: false, message: `kept the previous map: ${(e as Error).message}` } };
  }
  return { session, response: { success: true, message: `loaded ${session.map.size} frames from ${dir}; the query window restarts` } };
}
