#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, builds tests/install against it with
# find_package(metrics_manager) and runs it (reads CPU_Usage back).
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cmake_bin=${CMAKE:-cmake}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$cmake_bin" --install "$build" --prefix "$work/prefix" >/dev/null
"$cmake_bin" -S "$here" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
"$cmake_bin" --build "$work/build"
"$work/build/consumer"
