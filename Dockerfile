# seqvpr vehicle image: ROS 2 Jazzy + Node.js 20, seqvpr built as a colcon package (its messages by
# rosidl, its node by npm), started with `ros2 launch seqvpr seqvpr.launch.py`.
#   docker build -t seqvpr .
#   docker run --rm --net=host -v /data/maps:/maps seqvpr \
#     ros2 launch seqvpr seqvpr.launch.py map_path:=/maps/day1 image_topic:=/camera/image_raw
# Not built by this project's CI (no Docker engine there); test/ros/packaging.test.ts checks that the
# names used here match package.xml, CMakeLists.txt, launch/ and scripts/. Keep it that way.
FROM ros:jazzy-ros-base

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# Node.js 20 from NodeSource (Ubuntu 24.04's own is 18; seqvpr needs >= 20.19), and a toolchain for
# the native modules npm builds (rclnodejs compiles against the ROS libraries).
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates curl gnupg build-essential python3 \
  && curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \
  && apt-get install -y --no-install-recommends nodejs \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/seqvpr_ws
# The package's sources only (no node_modules, dist or models from the build context).
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json package.xml CMakeLists.txt src/seqvpr/
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
RUN source "/opt/ros/$ROS_DISTRO/setup.bash" \
  && cd src/seqvpr \
  && npm ci --no-audit --no-fund \
  && test -d node_modules/rclnodejs

# rosidl generates seqvpr's interfaces; CMakeLists.txt installs dist/, node_modules/, config/,
# models/ and launch/ into share/seqvpr and the seqvpr_node wrapper into lib/seqvpr.
RUN source "/opt/ros/$ROS_DISTRO/setup.bash" \
  && colcon build --packages-select seqvpr --event-handlers console_direct+ \
  && rm -rf build log src/seqvpr/node_modules

# rclnodejs's JavaScript for every interface in the environment, seqvpr's included, generated in
# the node_modules the installed node runs with.
RUN source install/setup.bash \
  && cd install/seqvpr/share/seqvpr \
  && npx --no-install generate-ros-messages

ENTRYPOINT ["/bin/bash", "-c", "source /opt/seqvpr_ws/install/setup.bash && exec \"$@\"", "--"]
CMD ["ros2", "launch", "seqvpr", "seqvpr.launch.py"]
