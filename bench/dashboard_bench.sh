#!/usr/bin/env bash
# The speed figures of issue 4 (plots and the dashboard), for `make bench`:
#   (a) rendering 1 series x 1 M samples and 50 series x 10 k samples to a 1000x500 PNG
#       (target < 100 ms each): the mm_viz_bench micro-benchmark (src/viz/render_bench.cc),
#       median of BENCH_REPETITIONS repetitions;
#   (b) the dashboard's first paint with 12 panels over 1 hour of 1 s data on loopback
#       (target < 500 ms): our daemon on a free loopback port with its own temporary data dir,
#       the hour written over HTTP, then Debian's chromium (headless, driven by playwright-core
#       from web/node_modules) opens the dashboard DASH_RUNS times after one warm-up load
#       (bench/dashboard_first_paint.mjs); the median.
# It prints a table with the targets and PASS/FAIL, and saves it to
# BUILD_DIR/bench-data/dashboard_results.txt.
#
# usage: bench/dashboard_bench.sh BUILD_DIR
#
# Environment (all optional):
#   DASH_RUNS=7                         dashboard loads measured
#   BENCH_REPETITIONS=5 BENCH_MIN_TIME=0.2   render micro-benchmark
#   MM_BIN=BUILD_DIR/metrics-manager    our daemon
#   MM_CHROMIUM=/usr/bin/chromium       the browser
#   BENCH_KEEP_TMP=0                    1 keeps the daemon's data dir and log
#
# Exit status: 0 when every figure was measured (a FAIL is a figure, as in run_bench.sh: the
# machine is shared, read the load average under the table); 1 when a measurement could not be
# taken (a missing browser, node or playwright-core, a daemon that does not start, a benchmark
# that fails); 2 on bad usage. Binaries that are not built are reported as "not built".

set -euo pipefail

if [[ $# -ne 1 || ! -d "$1" ]]; then
  echo "usage: $0 BUILD_DIR   (an existing CMake build directory)" >&2
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd)
SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

DASH_RUNS=${DASH_RUNS:-7}
REPETITIONS=${BENCH_REPETITIONS:-5}
MIN_TIME=${BENCH_MIN_TIME:-0.2}
MM_BIN=${MM_BIN:-$BUILD_DIR/metrics-manager}
VIZ_BENCH=$BUILD_DIR/src/viz/mm_viz_bench
KEEP_TMP=${BENCH_KEEP_TMP:-0}
RENDER_TARGET_MS=100
PAINT_TARGET_MS=500

status=0
DAEMON_PID=
TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/mm-dash-bench.XXXXXX")

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  if [[ -n "$DAEMON_PID" ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -TERM "$DAEMON_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
  fi
  if [[ "$KEEP_TMP" == 1 ]]; then
    echo "kept $TMP_ROOT"
  else
    rm -rf "$TMP_ROOT"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ROWS=()
# row FIGURE MEASURED_MS TARGET_MS  (MEASURED_MS may be a word: "not built", "error")
row() {
  local result=FAIL measured=$2
  if [[ "$measured" =~ ^[0-9.]+$ ]]; then
    if awk -v m="$measured" -v t="$3" 'BEGIN { exit !(m < t) }'; then result=PASS; fi
    measured="$measured ms"
  else
    result=-
  fi
  ROWS+=("$(printf '| %-60s | %10s | %8s | %-6s |' "$1" "$measured" "< $3 ms" "$result")")
}

# ---- (a) rendering to PNG ----
echo "== render micro-benchmark ($VIZ_BENCH)"
if [[ ! -x "$VIZ_BENCH" ]]; then
  row "render 1 series x 1 M samples to PNG (1000x500)" "not built" "$RENDER_TARGET_MS"
  row "render 50 series x 10 k samples to PNG (1000x500)" "not built" "$RENDER_TARGET_MS"
elif "$VIZ_BENCH" --benchmark_filter='png_1x1M$|png_50x10k$' \
    --benchmark_min_time="$MIN_TIME" --benchmark_repetitions="$REPETITIONS" \
    --benchmark_report_aggregates_only=true --benchmark_format=json \
    > "$TMP_ROOT/render.json" 2> "$TMP_ROOT/render.err"; then
  # The medians, in ms (the cases are registered with a millisecond unit).
  median() {
    python3 -c 'import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b["name"] == sys.argv[2] + "_median":
        print("%.1f" % b["real_time"])' "$TMP_ROOT/render.json" "$1"
  }
  one=$(median Render/png_1x1M)
  fifty=$(median Render/png_50x10k)
  row "render 1 series x 1 M samples to PNG (1000x500)" "${one:-error}" "$RENDER_TARGET_MS"
  row "render 50 series x 10 k samples to PNG (1000x500)" "${fifty:-error}" "$RENDER_TARGET_MS"
  [[ -n "$one" && -n "$fifty" ]] || status=1
else
  cat "$TMP_ROOT/render.err" >&2
  row "render 1 series x 1 M samples to PNG (1000x500)" "error" "$RENDER_TARGET_MS"
  row "render 50 series x 10 k samples to PNG (1000x500)" "error" "$RENDER_TARGET_MS"
  status=1
fi

# ---- (b) the dashboard's first paint ----
PAINT_FIGURE="dashboard first paint, 12 panels x 1 h of 1 s data (median)"
paint_error() {
  echo "dashboard_bench: $*" >&2
  row "$PAINT_FIGURE" "error" "$PAINT_TARGET_MS"
  status=1
}
echo "== dashboard first paint ($MM_BIN, $DASH_RUNS loads)"
if [[ ! -x "$MM_BIN" ]]; then
  row "$PAINT_FIGURE" "not built" "$PAINT_TARGET_MS"
elif ! command -v node > /dev/null; then
  paint_error "node is missing (apt-get install nodejs)"
elif [[ ! -d "$SRC_DIR/web/node_modules/playwright-core" ]]; then
  paint_error "web/node_modules/playwright-core is missing (npm ci --prefix web)"
else
  mkdir -p "$TMP_ROOT/config" "$TMP_ROOT/data"
  printf 'metrics: []\n' > "$TMP_ROOT/config/metrics-manager.yaml"  # no sources: just our data
  "$MM_BIN" run --listen 127.0.0.1:0 --config "$TMP_ROOT/config" --data-dir "$TMP_ROOT/data" \
    > "$TMP_ROOT/daemon.log" 2>&1 &
  DAEMON_PID=$!
  url=
  for _ in $(seq 100); do
    url=$(grep -o 'listening on http://[0-9.:]*' "$TMP_ROOT/daemon.log" | cut -d' ' -f3 || true)
    [[ -n "$url" ]] && break
    kill -0 "$DAEMON_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "$url" ]]; then
    cat "$TMP_ROOT/daemon.log" >&2
    paint_error "the daemon did not start"
  elif node "$SRC_DIR/bench/dashboard_first_paint.mjs" --url "$url" --load --runs "$DASH_RUNS" \
      > "$TMP_ROOT/paint.json" 2> "$TMP_ROOT/paint.err"; then
    read -r paint runs points phases < <(python3 -c 'import json, sys
r = json.loads(open(sys.argv[1]).readline())
print(r["median"], "/".join(map(str, r["runs"])), r["points"],
      ",".join("%s=%s" % kv for kv in r["phases"].items()))' "$TMP_ROOT/paint.json")
    row "$PAINT_FIGURE" "$paint" "$PAINT_TARGET_MS"
    PAINT_NOTE="first paint runs: $runs ms ($points points drawn; median run, ms since navigation: $phases)"
  else
    cat "$TMP_ROOT/paint.err" >&2
    paint_error "the browser measurement failed"
  fi
fi

# ---- the table ----
mkdir -p "$BUILD_DIR/bench-data"
{
  echo
  printf '| %-60s | %10s | %8s | %-6s |\n' "figure (issue 4)" "measured" "target" "result"
  dashes() { printf -- '-%.0s' $(seq "$1"); }
  printf '|%s|%s|%s|%s|\n' "$(dashes 62)" "$(dashes 12)" "$(dashes 10)" "$(dashes 8)"
  printf '%s\n' "${ROWS[@]}"
  [[ -n "${PAINT_NOTE:-}" ]] && echo "$PAINT_NOTE"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
} | tee "$BUILD_DIR/bench-data/dashboard_results.txt"
exit "$status"
