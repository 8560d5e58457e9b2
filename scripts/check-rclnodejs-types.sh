#!/usr/bin/env bash
# Type-checks seqvpr's rclnodejs adapter against rclnodejs's own declarations without installing
# rclnodejs (its install script needs a sourced ROS 2). The package tarball comes from the npm
# registry; only its package.json and types/ are unpacked, under .rclnodejs-types/ (gitignored),
# with a stand-in for the interfaces.d.ts rclnodejs generates at install (scripts/rclnodejs-interfaces.d.ts).
#   scripts/check-rclnodejs-types.sh            # check (downloads once, then reuses)
#   RCLNODEJS_VERSION=2.2.0 scripts/check-rclnodejs-types.sh   # default: the version package.json pins
set -euo pipefail
cd "$(dirname "$0")/.."
version="${RCLNODEJS_VERSION:-$(node -p "require('./package.json').optionalDependencies.rclnodejs")}"
dest=.rclnodejs-types/node_modules/rclnodejs
stamp="$dest/.seqvpr-unpacked-$version"

if [ ! -f "$stamp" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo "check-rclnodejs-types: fetching rclnodejs@$version declarations (npm pack)" >&2
  tarball="$(cd "$tmp" && npm pack "rclnodejs@$version" --silent --ignore-scripts | tail -n 1)"
  rm -rf "$dest"
  mkdir -p "$dest"
  tar -xzf "$tmp/$tarball" -C "$dest" --strip-components=1 package/package.json package/types
  cp scripts/rclnodejs-interfaces.d.ts "$dest/types/interfaces.d.ts"
  touch "$stamp"
fi

npx --no-install tsc --noEmit -p tsconfig.ros.json
echo "check-rclnodejs-types: the adapter type-checks against rclnodejs@$version" >&2
