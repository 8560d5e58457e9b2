// The configure transition's work: the pipeline config (with the node's execution providers), the
// encoders, the map (loaded, or empty in map mode), the live session around them and the
// publishers of the mode. No node state: the node keeps what this returns until cleanup.
import { ConfigError } from '../core/errors.js';
import type { ExecutionProviderName } from '../encoders/onnx-model.js';
import { PlaceMap } from '../map/place-map.js';
import { createFrontend, type Frontend } from '../pipeline/assemble.js';
import { hnswParams, loadPipelineConfig, type LoadedConfig } from '../pipeline/config.js';
import { createPublishers, type Publishers } from '../sinks/ros-publishers.js';
import { LiveSession, type LoopExclusion } from './live-session.js';
import { readMap } from './map-services.js';
import type { NodeParams } from './params.js';
import type { RosPort } from './port.js';

export interface Configured {
  loaded: LoadedConfig;
  frontend: Frontend;
  session: LiveSession;
  publishers: Publishers;
}

export async function configureNode(port: RosPort, p: Readonly<NodeParams>): Promise<Configured> {
  if (p.mode !== 'map' && !p.map_path) {
    throw new ConfigError(`mode ${p.mode} needs map_path (a folder written by "seqvpr map build"); set it, or use mode map to start an empty map`);
  }
  const warn = (m: string) => port.logger.warn(m);
  const loaded = withProviders(await loadPipelineConfig(p.config_file || undefined), p.execution_providers, warn);
  const frontend = await createFrontend(loaded, { warn });
  try {
    let map: PlaceMap;
    let mapId: string;
    if (p.mode === 'map') {
      if (p.map_path) warn(`mode map starts an empty map: map_path ${p.map_path} is not loaded (use mode slam to extend it)`);
      map = PlaceMap.create({
        encoder: frontend.identity.encoder,
        sequence: frontend.identity.sequence,
        hnsw: hnswParams(loaded.config),
        source: `ros ${port.nodeName}`,
        patches: frontend.identity.patches ?? undefined,
      });
      mapId = p.save_map_path || `${port.nodeName} live map`;
    } else {
      map = await readMap(p.map_path, frontend, warn);
      mapId = p.map_path;
    }
    const session = new LiveSession(p.mode, frontend, map, mapId, exclusion(p), warn, p.mode === 'map' ? undefined : p.map_path);
    return { loaded, frontend, session, publishers: createPublishers(port, p.mode) };
  } catch (e) {
    await frontend.close();
    throw e;
  }
}

/** The loop-exclusion window the parameters ask for. */
export function exclusion(p: Readonly<NodeParams>): LoopExclusion {
  return { excludeSeconds: p.loop_exclude_s, excludeFrames: p.loop_exclude_frames };
}

/** The config with execution_providers in place of its own, for every ONNX model (frame and patch). */
function withProviders(loaded: LoadedConfig, providers: readonly string[], warn: (m: string) => void): LoadedConfig {
  if (providers.length === 0) return loaded;
  const wanted = providers as ExecutionProviderName[];
  const { frontend, rerank } = loaded.config;
  if (frontend.kind === 'patchnorm' && !rerank.enabled) {
    warn(`execution_providers [${providers.join(', ')}] ignored: the patchnorm front end runs in JavaScript`);
    return loaded;
  }
  const config = {
    ...loaded.config,
    ...(frontend.kind !== 'patchnorm' && { frontend: { ...frontend, providers: wanted } }),
    ...(rerank.enabled && { rerank: { ...rerank, providers: wanted } }),
  };
  return { ...loaded, config };
}
