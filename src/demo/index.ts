// The built-in demo world: a seeded route with scenery, rendered in several seasons, driven twice and
// recorded as ROS 2 bags, so `seqvpr demo` needs no dataset.
export {
  generateDemo,
  DEMO_IMAGE_TOPIC,
  DEMO_POSE_TOPIC,
  DEMO_MAP_DIR,
  DEMO_QUERY_DIR,
  DEMO_EPOCH_NS,
  type DemoOptions,
  type DemoWorld,
} from './generate.js';
export { APPEARANCES, APPEARANCE_NAMES, appearanceByName, type Appearance, type AppearanceName } from './appearance.js';
export { makeWorld, type World, type WorldOptions, type Landmark } from './world.js';
export { makeRoute, Route, type RouteOptions, type RoutePoint } from './route.js';
export { drive, mapTraversal, queryTraversal, type DriveProfile, type Traversal, type TraversalOptions, type TraversalPose } from './traversal.js';
export { sceneSvg, DEFAULT_CAMERA, type CameraModel, type CameraPose } from './scene.js';
export { renderPixels, renderJpeg, encodeJpeg, type RenderOptions, type RgbFrame } from './render.js';
