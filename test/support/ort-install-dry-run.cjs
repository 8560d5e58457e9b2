// Preloaded into onnxruntime-node's script/install.js by test/ros/packaging.test.ts: replaces the
// download (install-utils.js installPackages) with a line naming the files it would install, so the
// test sees which path the install script takes without touching the network.
const path = require('node:path');
const utils = require.resolve('onnxruntime-node/script/install-utils.js');
const real = require(utils);
require.cache[utils].exports = {
  ...real,
  installPackages: async (_packages, manifests) => {
    process.stdout.write(`would install: ${manifests.map((m) => path.basename(m.filepath)).join(' ')}\n`);
  },
};
