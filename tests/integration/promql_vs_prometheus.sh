#!/usr/bin/env bash
# Compares our PromQL engine with a real Prometheus on generated data (see
# promql_vs_prometheus.py). Usage: promql_vs_prometheus.sh [BUILD_DIR]
# Needs prometheus and promtool on PATH; builds mm_promql_eval in BUILD_DIR (default: build).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
cmake --build "$build" --target mm_promql_eval >/dev/null
exec python3 "$here/promql_vs_prometheus.py" --eval-tool "$build/src/query/mm_promql_eval"
