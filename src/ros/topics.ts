// The node's topic and service names and service types, in one place for the node and its parts.

/** Topic names (relative ones resolve in the node's namespace; ~ is the node's own). */
export const TOPICS = {
  image: 'image',
  compressedImage: 'image/compressed',
  odometry: 'odom',
  placeMatch: '~/place_match',
  loopClosure: '~/loop_closure',
  pose: '~/pose',
  diagnostics: '/diagnostics',
} as const;

export const SERVICES = { saveMap: '~/save_map', loadMap: '~/load_map' } as const;
export const TRIGGER_TYPE = 'std_srvs/srv/Trigger';
export const LOAD_MAP_TYPE = 'seqvpr/srv/LoadMap';
