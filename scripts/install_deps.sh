#!/usr/bin/env bash
# Installs the Debian 12 packages metrics-manager needs to build, test and benchmark.
# Idempotent: only missing packages are installed (apt-get; with sudo when not root), and the
# dashboard's npm packages (web/node_modules: uPlot, playwright-core) only when
# web/package-lock.json changed since the last `npm ci --prefix web`.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libcli11-dev libspdlog-dev libfmt-dev libyaml-cpp-dev libsimdjson-dev
  libxxhash-dev libzstd-dev zlib1g-dev libre2-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcairo2-dev fonts-dejavu-core
  nodejs
)
# Debian's npm; a nodejs from elsewhere (NodeSource) brings its own npm and conflicts with it.
if ! command -v npm > /dev/null; then BUILD_PKGS+=(npm); fi
TEST_PKGS=(prometheus clang libclang-rt-14-dev curl python3 chromium)
BENCH_PKGS=(victoria-metrics)

want=("${BUILD_PKGS[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${TEST_PKGS[@]}") ;;
  bench) want+=("${TEST_PKGS[@]}" "${BENCH_PKGS[@]}") ;;
  *) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The dashboard's front-end packages (embedded into the binary at build time; see web/).
web="$(cd "$(dirname "$0")/.." && pwd)/web"
stamp="$web/node_modules/.mm-lock-sha256"
want_sum="$(sha256sum "$web/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$web/node_modules/uplot/dist/uPlot.esm.js" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want_sum" ]; then
  echo "installing the dashboard's npm packages: npm ci --prefix web"
  npm ci --prefix "$web" --no-audit --no-fund
  echo "$want_sum" > "$stamp"
fi
