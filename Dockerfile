# seqvpr vehicle image: ROS 2 Jazzy + Node.js 22, seqvpr built as a colcon package (its messages by
# rosidl, its node by npm), started with `ros2 launch seqvpr seqvpr.launch.py`.
#   docker build -t seqvpr .
#   docker build -t seqvpr-gpu --build-arg ONNXRUNTIME_NODE_INSTALL=true .   # + onnxruntime's CUDA/TensorRT providers
#   docker run --rm --net=host -v /data/maps:/maps seqvpr \
#     ros2 launch seqvpr seqvpr.launch.py map_path:=/maps/day1 image_topic:=/camera/image_raw
# Not built by this project's CI (no Docker engine there); test/ros/packaging.test.ts checks that the
# names used here match package.xml, CMakeLists.txt, launch/ and scripts/. Keep it that way.
FROM ros:jazzy-ros-base

# skip: onnxruntime-node's CPU provider only (what .npmrc says). true: its install script
# (script/install.js) downloads the libraries it does not bundle, on linux/x64 the CUDA 12 and
# TensorRT providers (NuGet), during `npm ci`; they need the CUDA 12 runtime and cuDNN 9 at run time
# (an NVIDIA CUDA base image, or the libraries mounted, and `docker run --gpus all`).
ARG ONNXRUNTIME_NODE_INSTALL=skip

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# Node.js 22 from NodeSource (Ubuntu 24.04's own is 18; rclnodejs 2.2.0 needs >= 20.20.2), and a toolchain for
# the native modules npm builds (rclnodejs compiles against the ROS libraries).
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates curl gnupg build-essential python3 \
  && curl -fsSL https://deb.nodesource.com/setup_22.x | bash - \
  && apt-get install -y --no-install-recommends nodejs \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/seqvpr_ws
# The package's sources only (no node_modules, dist or models from the build context).
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json package.xml CMakeLists.txt src/seqvpr/
COPY cmake src/seqvpr/cmake
COPY bin src/seqvpr/bin
COPY src src/seqvpr/src
COPY config src/seqvpr/config
COPY launch src/seqvpr/launch
COPY msg src/seqvpr/msg
COPY srv src/seqvpr/srv
COPY scripts src/seqvpr/scripts
COPY models/README.md src/seqvpr/models/README.md

# ROS dependencies from package.xml (message packages, launch_ros; nodejs is already installed).
RUN apt-get update \
  && rosdep update --rosdistro "$ROS_DISTRO" \
  && rosdep install --from-paths src --ignore-src -y --rosdistro "$ROS_DISTRO" \
  && rm -rf /var/lib/apt/lists/*

# npm ci compiles TypeScript into dist/ and builds the built-in models; with ROS sourced, the
# optional rclnodejs (pinned in package.json) builds its native addon instead of being dropped.
# rclnodejs's install runs `npx rimraf`, which asks before installing without a terminal:
# npm_config_yes answers it. The environment variable beats .npmrc's onnxruntime-node-install.
# Then only run-time packages are kept, for the stand-alone install space below.
RUN source "/opt/ros/$ROS_DISTRO/setup.bash" \
  && cd src/seqvpr \
  && npm_config_yes=true ONNXRUNTIME_NODE_INSTALL="$ONNXRUNTIME_NODE_INSTALL" npm ci --no-audit --no-fund \
  && test -d node_modules/rclnodejs \
  && npm prune --omit=dev --no-audit --no-fund

# rosidl generates seqvpr's interfaces; CMakeLists.txt installs dist/, config/, models/, launch/
# and (copied, as the sources are deleted next) node_modules/ into share/seqvpr, and the
# seqvpr_node wrapper into lib/seqvpr.
RUN source "/opt/ros/$ROS_DISTRO/setup.bash" \
  && colcon build --packages-select seqvpr --cmake-args -DSEQVPR_COPY_NODE_MODULES=ON --event-handlers console_direct+ \
  && rm -rf build log src/seqvpr/node_modules

# rclnodejs's JavaScript for every interface in the environment, seqvpr's included, generated in
# the node_modules the installed node runs with.
RUN source install/setup.bash \
  && cd install/seqvpr/share/seqvpr \
  && npx --no-install generate-ros-messages

ENTRYPOINT ["/bin/bash", "-c", "source /opt/seqvpr_ws/install/setup.bash && exec \"$@\"", "--"]
CMD ["ros2", "launch", "seqvpr", "seqvpr.launch.py"]
