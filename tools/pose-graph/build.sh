#!/usr/bin/env bash
# Builds tools/pose-graph/build/seqvpr-pose-graph (needs cmake, a C++17 compiler and Ceres:
# Debian/Ubuntu `apt-get install libceres-dev`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$here/build" -j "${JOBS:-2}" >/dev/null
echo "$here/build/seqvpr-pose-graph"
