// The map store's public surface.
export { PlaceMap } from './place-map.js';
export type { FrameEncoderInfo, MapInfo, MapParts, NewMapFrame, NewMapOptions, SequenceEncoderInfo } from './place-map.js';
export { DEFAULT_HNSW_PARAMS, HnswIndex } from '../retrieve/hnsw-index.js';
export { MAP_FORMAT_VERSION, mapManifestSchema, parseMapManifest } from './manifest.js';
export type { HnswParams, MapFileEntry, MapManifest } from './manifest.js';
export { MAP_FILES } from './map-files.js';
export { assertCompatible } from './compatibility.js';
export type { ExpectedEncoders } from './compatibility.js';
export { loadMap, readMapManifest } from './load-map.js';
export type { LoadMapOptions } from './load-map.js';
export { saveMap } from './save-map.js';
export { exactSearch } from '../retrieve/exact-search.js';
export { hnswRecallAtK } from '../retrieve/recall.js';
export type { SearchHit, SearchMode, SearchOptions } from '../retrieve/types.js';
export { PatchStore, patchInfoSchema } from './patch-store.js';
export type { PatchInfo } from './patch-store.js';
