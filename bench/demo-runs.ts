// Demo-world runs shared by the robustness benches: the bags of one (seed, query case), generated
// once into a cache folder, and one evaluation of a pipeline config on them (map built from the
// map run with that config, the query run replayed against it, correct within 3 m).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildMapFromSource } from '../src/cli/commands/map-build.js';
import { runEval } from '../src/cli/commands/eval.js';
import type { AppearanceName } from '../src/demo/appearance.js';
import { generateDemo, DEMO_IMAGE_TOPIC, DEMO_MAP_DIR, DEMO_POSE_TOPIC, DEMO_QUERY_DIR } from '../src/demo/generate.js';
import { MAP_FILES } from '../src/map/map-files.js';
import { saveMap } from '../src/map/save-map.js';
import { createFrontend } from '../src/pipeline/assemble.js';
import YAML from 'yaml';
import { loadPipelineConfig, type LoadedConfig } from '../src/pipeline/config.js';

export interface DemoBags {
  mapBag: string;
  queryBag: string;
}

/** Image and pose topics of the demo bags. */
export const DEMO_SOURCE = { imageTopic: DEMO_IMAGE_TOPIC, poseTopic: DEMO_POSE_TOPIC } as const;

/** The bags of `seed` with the query run in `appearance` at `lane` m, generated once under `cacheDir`. */
export async function demoBags(cacheDir: string, seed: number, appearance: string, lane: string): Promise<DemoBags> {
  const dir = path.resolve(cacheDir, `demo-s${seed}`, `${appearance}_${lane}`);
  const bags = { mapBag: path.join(dir, DEMO_MAP_DIR), queryBag: path.join(dir, DEMO_QUERY_DIR) };
  if (existsSync(path.join(dir, 'done'))) return bags;
  await generateDemo(dir, { seed, queryAppearance: appearance as AppearanceName, queryLaneOffsetM: Number(lane) });
  await writeFile(path.join(dir, 'done'), '');
  return bags;
}

/**
 * Builds the map with `configPath` into runDir/map and replays the query run against it (eval in
 * runDir/eval). With `sharedMap`, the map is built there once and reused: for configs that differ
 * only in query-side settings (a map of another frontend is refused by the eval anyway).
 */
export async function evalOnDemo(
  bags: DemoBags,
  configPath: string,
  runDir: string,
  sharedMap?: string,
  /** The query run keyframed: a frame kept once it is this far from the last kept one (m). */
  queryKeyframeDistance?: number,
): ReturnType<typeof runEval> {
  const mapDir = sharedMap ?? path.join(runDir, 'map');
  if (!sharedMap || !existsSync(path.join(mapDir, MAP_FILES.manifest))) {
    const frontend = await createFrontend(await loadPipelineConfig(configPath));
    try {
      await saveMap(await buildMapFromSource({ bag: bags.mapBag, ...DEMO_SOURCE }, frontend), mapDir);
    } finally {
      await frontend.close();
    }
  }
  const query = { bag: bags.queryBag, ...DEMO_SOURCE, keyframeDistance: queryKeyframeDistance };
  return runEval({ map: mapDir, query, gt: 'pose2d:3', out: path.join(runDir, 'eval'), config: configPath });
}

/**
 * A config's YAML as an object whose model paths (frontend.manifest, rerank.model) named relative to
 * the config file are made absolute, so run configs derived from it can be written elsewhere.
 */
export function relocatableConfig(loaded: LoadedConfig): Record<string, any> {
  const raw = YAML.parse(loaded.text) as Record<string, any>;
  const absolute = (p: unknown) => (typeof p === 'string' ? path.resolve(path.dirname(loaded.file), p) : p);
  if (raw.frontend?.manifest !== undefined) raw.frontend.manifest = absolute(raw.frontend.manifest);
  if (raw.rerank?.model !== undefined) raw.rerank.model = absolute(raw.rerank.model);
  return raw;
}
