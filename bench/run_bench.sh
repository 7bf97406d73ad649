#!/usr/bin/env bash
# Side-by-side benchmark run by `make bench`:
#   (a) the Google Benchmark micro-benchmarks found in BUILD_DIR/src (executables named *_bench),
#   (b) a TSBS-like devops cpu dataset (generated once into BUILD_DIR/bench-data/),
#   (c) its ingest into VictoriaMetrics (then force_flush, settle, shutdown: on-disk size),
#   (d) the same into our `metrics-manager run --data-dir` (WAL on, fsync per batch; then
#       POST /internal/force_flush: the whole head into blocks; on-disk size; a restart on the
#       same directory: open time, peak RSS, every sample still there),
#   (e) a comparison table with the targets, (f) the idle cost of our daemon,
#   (g) bench/dashboard_bench.sh: PNG render times and the dashboard's first paint.
#
# usage: bench/run_bench.sh BUILD_DIR
#
# Environment (all optional):
#   BENCH_HOSTS=1000 BENCH_HOURS=4 BENCH_INTERVAL=10 BENCH_SEED=1   dataset (smoke: 50 hosts, 1 h)
#   BENCH_CONNECTIONS=4 BENCH_LINES_PER_REQUEST=5000                 load client
#   BENCH_IDLE_SECONDS=20                                            idle-cost window (0 skips)
#   BENCH_MICRO=1 BENCH_MIN_TIME=0.2                                 micro-benchmarks (0 skips)
#   BENCH_VM=1                                                       VictoriaMetrics (0 skips)
#   BENCH_DASHBOARD=1                                                render + first paint (0 skips)
#   VICTORIA_METRICS=victoria-metrics                                its binary
#   MM_BIN=BUILD_DIR/metrics-manager  MM_EXTRA_ARGS=                 our daemon and extra flags
#   BENCH_KEEP_TMP=0                                                 1 keeps the server data dirs
#
# Exit status: 0 when everything that could run did; 1 when VictoriaMetrics, a micro-benchmark
# or our (built) daemon failed; 2 on bad usage or missing tools. A metrics-manager binary that is
# not built yet is reported as "not built" and is not an error.
#
# Servers are started on free loopback ports with their own mktemp data dirs and are stopped by
# PID on exit. CPU seconds are utime+stime of the server process (from /proc/PID/stat) from just
# before the load until its data has settled (flushed and merged); peak RSS is VmHWM.

set -euo pipefail

if [[ $# -ne 1 || ! -d "$1" ]]; then
  echo "usage: $0 BUILD_DIR   (an existing CMake build directory)" >&2
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd)

HOSTS=${BENCH_HOSTS:-1000}
HOURS=${BENCH_HOURS:-4}
INTERVAL=${BENCH_INTERVAL:-10}
SEED=${BENCH_SEED:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-4}
LINES_PER_REQUEST=${BENCH_LINES_PER_REQUEST:-5000}
IDLE_SECONDS=${BENCH_IDLE_SECONDS:-20}
RUN_MICRO=${BENCH_MICRO:-1}
MIN_TIME=${BENCH_MIN_TIME:-0.2}
RUN_VM=${BENCH_VM:-1}
VM_BIN=${VICTORIA_METRICS:-victoria-metrics}
KEEP_TMP=${BENCH_KEEP_TMP:-0}
SETTLE_TIMEOUT=${BENCH_SETTLE_TIMEOUT:-300}
CLK_TCK=$(getconf CLK_TCK)

status=0
PIDS=()
TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/mm-bench.XXXXXX")

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ "$KEEP_TMP" == 1 ]]; then
    echo "kept $TMP_ROOT"
  else
    rm -rf "$TMP_ROOT"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '\n== %s\n' "$*"; }
die() { echo "run_bench: $*" >&2; exit 2; }

for tool in curl awk du seq; do
  command -v "$tool" >/dev/null || die "missing tool: $tool"
done

# --- helpers --------------------------------------------------------------------------------

# A free loopback TCP port (nothing accepts a connection on it).
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

# utime+stime of PID in clock ticks. The command name may contain spaces: cut after the last ')'.
cpu_ticks() {
  local stat
  stat=$(<"/proc/$1/stat")
  stat=${stat##*) }
  awk '{print $12 + $13}' <<<"$stat"
}

# A field of /proc/PID/status in kB (VmHWM, VmRSS).
proc_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# Waits until URL answers 2xx, while PID is alive. REQUIRES: PID, URL, TIMEOUT_S.
wait_http() {
  local pid=$1 url=$2 timeout=$3
  for _ in $(seq $((timeout * 10))); do
    kill -0 "$pid" 2>/dev/null || return 1
    curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# Sum of a Prometheus exposition metric over all its label sets; empty if absent.
# REQUIRES: a metrics text file, a metric name, an optional label filter (awk regex on the line).
metric_sum() {
  awk -v name="$2" -v filter="${3:-}" '
    /^#/ { next }
    {
      n = $1; sub(/\{.*/, "", n)
      if (n != name) next
      if (filter != "" && $0 !~ filter) next
      s += $2; found = 1
    }
    END { if (found) printf "%.17g\n", s }' "$1"
}

# calc FORMAT EXPR ARGS...: evaluates an awk expression over a[1], a[2], ... (the ARGS);
# prints "n/a" when an argument is missing or the expression fails (a division by zero).
calc() {
  local fmt=$1 expr=$2
  shift 2
  local x
  for x in "$@"; do [[ -z "$x" || "$x" == n/a ]] && { echo n/a; return; }; done
  awk -v fmt="$fmt" -v args="$*" "BEGIN { split(args, a, \" \"); printf fmt \"\\n\", $expr }" \
    2>/dev/null || echo n/a
}

# value of an instant query (first result) or empty.
query_value() {
  local base=$1 expr=$2 time=$3
  curl -fsS --max-time 120 "$base/api/v1/query" --data-urlencode "query=$expr" \
    --data-urlencode "time=$time" --data-urlencode "nocache=1" 2>/dev/null |
    sed -n 's/.*"value":\[[^,]*,"\([^"]*\)"\].*/\1/p' | head -1
}

stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  echo "pid $pid did not stop in 30 s; killing" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

load_field() { sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$1"; }

# run_interruptible OUT CMD...: runs CMD in the background with stdout to OUT ("-": ours) and waits,
# so a signal to this script stops the run at once (bash defers traps until a foreground
# command ends) and the cleanup kills CMD too.
run_interruptible() {
  local out=$1
  shift
  if [[ "$out" == - ]]; then "$@" & else "$@" >"$out" & fi
  local pid=$!
  PIDS+=("$pid")
  wait "$pid"
}

find_exe() {  # find_exe NAME: BUILD_DIR/NAME, BUILD_DIR/bench/NAME or anywhere below BUILD_DIR
  local name=$1 p
  for p in "$BUILD_DIR/$name" "$BUILD_DIR/bench/$name"; do
    [[ -x "$p" && -f "$p" ]] && { echo "$p"; return; }
  done
  find "$BUILD_DIR" -type f -name "$name" -perm -u+x 2>/dev/null | head -1
}

# --- tools ------------------------------------------------------------------------------------

GEN=$(find_exe mm_bench_gen)
LOAD=$(find_exe mm_bench_load)
if [[ (-z "$GEN" || -z "$LOAD") && -f "$BUILD_DIR/CMakeCache.txt" ]]; then
  echo "building mm_bench_gen mm_bench_load in $BUILD_DIR"
  cmake --build "$BUILD_DIR" --target mm_bench_gen mm_bench_load >/dev/null ||
    die "cannot build mm_bench_gen/mm_bench_load (configure with -DMM_BUILD_BENCH=ON)"
  GEN=$(find_exe mm_bench_gen)
  LOAD=$(find_exe mm_bench_load)
fi
[[ -n "$GEN" ]] || die "mm_bench_gen not found under $BUILD_DIR (build target mm_bench_gen)"
[[ -n "$LOAD" ]] || die "mm_bench_load not found under $BUILD_DIR (build target mm_bench_load)"

# --- (a) micro-benchmarks ---------------------------------------------------------------------

if [[ "$RUN_MICRO" == 1 ]]; then
  log "micro-benchmarks (Google Benchmark, --benchmark_min_time=$MIN_TIME)"
  mapfile -t micro < <(find "$BUILD_DIR/src" -type f -name '*_bench' -perm -u+x 2>/dev/null | sort)
  if [[ ${#micro[@]} -eq 0 ]]; then
    echo "none built (no *_bench executables under $BUILD_DIR/src)"
  fi
  for b in "${micro[@]}"; do
    echo "-- ${b#"$BUILD_DIR"/}"
    if ! run_interruptible - "$b" --benchmark_min_time="$MIN_TIME"; then
      echo "FAILED: ${b#"$BUILD_DIR"/}" >&2
      status=1
    fi
  done
fi

# --- (b) dataset ------------------------------------------------------------------------------

DATA_DIR="$BUILD_DIR/bench-data"
mkdir -p "$DATA_DIR"
GEN_VERSION=1  # bump when gen_devops.cc changes its output
DATASET="$DATA_DIR/devops-cpu-v$GEN_VERSION-h$HOSTS-$HOURS""h-i$INTERVAL-s$SEED.lp"
log "dataset $DATASET"
if [[ -f "$DATASET" && -f "$DATASET.meta" ]]; then
  echo "present: $(sed 's/\.tmp: /: /' "$DATASET.meta")"
else
  "$GEN" --hosts "$HOSTS" --hours "$HOURS" --interval "$INTERVAL" --seed "$SEED" \
    -o "$DATASET.tmp" | sed 's/\.tmp: /: /' >"$DATASET.meta.tmp"
  mv "$DATASET.tmp" "$DATASET"
  mv "$DATASET.meta.tmp" "$DATASET.meta"
  cat "$DATASET.meta"
fi
meta_field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$DATASET.meta"; }
EXPECTED_VALUES=$(meta_field values)
EXPECTED_SERIES=$((HOSTS * 10))
POINTS=$(meta_field points_per_host)
FIRST_S=$(($(meta_field first_ns) / 1000000000))
QUERY_TIME=$((FIRST_S + POINTS * INTERVAL))
WINDOW_S=$((POINTS * INTERVAL + INTERVAL))
# One sum per field: count_over_time drops the metric name, and Prometheus (like our engine)
# refuses a vector with two series that differ only in name.
SAMPLES_QUERY=""
for field in user system idle nice iowait irq softirq steal guest guest_nice; do
  SAMPLES_QUERY+="${SAMPLES_QUERY:+ + }sum(count_over_time(cpu_usage_${field}[${WINDOW_S}s]))"
done
SERIES_QUERY="count({__name__=~\"cpu_usage_.*\"})"
echo "expect $EXPECTED_VALUES values in $EXPECTED_SERIES series"

# Results, keyed "<side>_<name>" (side: vm, mm).
declare -A R

# Runs the load client against PORT, records values/s and CPU/RSS of PID. REQUIRES: side prefix.
run_load() {
  local side=$1 pid=$2 port=$3 out=$4
  R[${side}_cpu0]=$(cpu_ticks "$pid")
  R[${side}_rss0_kb]=$(proc_kb "$pid" VmRSS)
  local rc=0
  run_interruptible "$out" "$LOAD" --port "$port" -c "$CONNECTIONS" \
    --lines "$LINES_PER_REQUEST" "$DATASET" || rc=$?
  cat "$out"
  if [[ $rc -ne 0 ]]; then
    echo "$side: load client reported failures" >&2
    R[${side}_load_failed]=1
  fi
  R[${side}_values_per_s]=$(load_field "$out" values_per_s)
  R[${side}_wall_s]=$(load_field "$out" wall_s)
  R[${side}_values]=$(load_field "$out" values)
}

finish_measure() {  # finish_measure SIDE PID DATADIR
  local side=$1 pid=$2 dir=$3
  local cpu1
  cpu1=$(cpu_ticks "$pid")
  R[${side}_cpu_s]=$(calc '%.2f' '(a[1]-a[2])/a[3]' "$cpu1" "${R[${side}_cpu0]}" "$CLK_TCK")
  R[${side}_cpu_per_mvalue]=$(calc '%.3f' 'a[1]/(a[2]/1e6)' "${R[${side}_cpu_s]}" \
    "${R[${side}_values]}")
  R[${side}_hwm_mb]=$(calc '%.1f' 'a[1]/1024' "$(proc_kb "$pid" VmHWM)")
  R[${side}_rss_kb]=$(proc_kb "$pid" VmRSS)
  R[${side}_rss_per_sample]=$(calc '%.2f' '(a[1]-a[2])*1024/a[3]' "${R[${side}_rss_kb]}" \
    "${R[${side}_rss0_kb]}" "${R[${side}_values]}")
  R[${side}_disk_bytes]=$(du -sb "$dir" | awk '{print $1}')
  R[${side}_disk_per_sample]=$(calc '%.3f' 'a[1]/a[2]' "${R[${side}_disk_bytes]}" \
    "${R[${side}_values]}")
}

# --- (c) VictoriaMetrics ----------------------------------------------------------------------

vm_run() {
  command -v "$VM_BIN" >/dev/null || { echo "victoria-metrics not found ($VM_BIN)" >&2; return 1; }
  local dir="$TMP_ROOT/vm" port pid
  mkdir -p "$dir/data"
  port=$(free_port)
  "$VM_BIN" -httpListenAddr="127.0.0.1:$port" -storageDataPath="$dir/data" \
    -retentionPeriod=100y -influxSkipSingleField -loggerLevel=WARN >"$dir/log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  local base="http://127.0.0.1:$port"
  if ! wait_http "$pid" "$base/health" 30; then
    echo "victoria-metrics did not become healthy; log:" >&2
    tail -20 "$dir/log" >&2
    return 1
  fi
  local version
  version=$(curl -fsS "$base/metrics" | sed -n 's/^vm_app_version{.*version="\([^"]*\)".*/\1/p')
  [[ -n "$version" ]] ||  # Debian's build leaves vm_app_version empty
    version=$(dpkg-query -W -f '${Version}' victoria-metrics 2>/dev/null || true)
  echo "victoria-metrics ${version:-?} pid $pid on $base"
  run_load vm "$pid" "$port" "$dir/load.txt"

  # Flush the in-memory buffers, then wait until rows stop changing and merges are done.
  curl -fsS -o /dev/null "$base/internal/force_flush" || true
  local rows prev="" pending merges stable=0
  for _ in $(seq "$SETTLE_TIMEOUT"); do
    curl -fsS "$base/metrics" >"$dir/metrics.txt" || return 1
    rows=$(metric_sum "$dir/metrics.txt" vm_rows 'type="storage/')
    pending=$(metric_sum "$dir/metrics.txt" vm_pending_rows)
    merges=$(metric_sum "$dir/metrics.txt" vm_active_merges)
    if [[ "$rows" == "$prev" && "${pending:-0}" == 0 && "${merges:-0}" == 0 ]]; then
      stable=$((stable + 1))
      [[ $stable -ge 2 ]] && break
    else
      stable=0
    fi
    prev=$rows
    sleep 1
  done
  finish_measure vm "$pid" "$dir/data"
  R[vm_rows]=$rows
  local data_bytes index_bytes
  data_bytes=$(metric_sum "$dir/metrics.txt" vm_data_size_bytes 'type="storage/')
  index_bytes=$(metric_sum "$dir/metrics.txt" vm_data_size_bytes 'type="indexdb"')
  R[vm_bytes_per_sample]=$(calc '%.3f' 'a[1]/a[2]' "$data_bytes" "$rows")
  R[vm_index_per_series]=$(calc '%.0f' 'a[1]/a[2]' "$index_bytes" "$EXPECTED_SERIES")
  R[vm_samples]=$(query_value "$base" "$SAMPLES_QUERY" "$QUERY_TIME")
  R[vm_series]=$(query_value "$base" "$SERIES_QUERY" "$QUERY_TIME")
  echo "settled: storage rows $rows, data ${data_bytes} B, indexdb ${index_bytes} B," \
    "on disk ${R[vm_disk_bytes]} B; query: ${R[vm_samples]:-?} samples in" \
    "${R[vm_series]:-?} series"
  stop_pid "$pid"
  # On disk once stopped (in-memory parts written out): data parts + indexdb. Its cache/
  # directory (rebuilt when missing) is not counted.
  R[vm_disk_bytes]=$(du -sbc "$dir/data/data" "$dir/data/indexdb" | awk 'END {print $1}')
  R[vm_disk_per_sample]=$(calc '%.3f' 'a[1]/a[2]' "${R[vm_disk_bytes]}" "$rows")
  echo "on disk after shutdown (data + indexdb): ${R[vm_disk_bytes]} B =" \
    "${R[vm_disk_per_sample]} B/sample"
  [[ -z "${R[vm_load_failed]:-}" ]] || return 1
  [[ "$rows" == "$EXPECTED_VALUES" ]] ||
    { echo "victoria-metrics stored $rows rows, expected $EXPECTED_VALUES" >&2; return 1; }
  [[ -z "${R[vm_samples]}" || "${R[vm_samples]}" == "$EXPECTED_VALUES" ]] ||
    { echo "victoria-metrics query counted ${R[vm_samples]} samples" >&2; return 1; }
}

if [[ "$RUN_VM" == 1 ]]; then
  log "VictoriaMetrics ingest"
  if ! vm_run; then
    echo "VictoriaMetrics run FAILED" >&2
    R[vm_failed]=1
    status=1
  fi
fi

# --- (d) metrics-manager ----------------------------------------------------------------------

MM=${MM_BIN:-$(find_exe metrics-manager)}
MM_STATE=ok
read -r -a MM_EXTRA <<<"${MM_EXTRA_ARGS:-}"

# Starts our daemon in DIR (its working directory, so its default data lands there) on a free
# port; sets MM_PID and MM_BASE.
mm_start() {
  local dir=$1 port
  mkdir -p "$dir"
  port=$(free_port)
  # HOME and XDG dirs point into DIR too, so nothing it writes escapes the measured data dir.
  mkdir -p "$dir/data"
  (cd "$dir" && HOME="$dir" XDG_DATA_HOME="$dir/.local/share" XDG_STATE_HOME="$dir/.local/state" \
    XDG_CONFIG_HOME="$dir/.config" exec "$MM" run --listen "127.0.0.1:$port" \
    --data-dir "$dir/data" "${MM_EXTRA[@]}") >"$dir/log" 2>&1 &
  MM_PID=$!
  PIDS+=("$MM_PID")
  MM_BASE="http://127.0.0.1:$port"
  if ! wait_http "$MM_PID" "$MM_BASE/health" 30; then
    echo "metrics-manager did not become healthy on $MM_BASE; log:" >&2
    tail -20 "$dir/log" >&2
    return 1
  fi
}

# Restarts our daemon on DIR and records, under R[mm_KIND_*]: the store's own open time (lock,
# blocks, WAL replay; mm_tsdb_open_seconds), the wall time until /health answers, and the peak
# RSS of the open. Leaves it running (MM_PID, MM_BASE).
mm_restart() {
  local dir=$1 kind=$2 t0 t1
  t0=$(date +%s.%N)
  mm_start "$dir" || return 1
  t1=$(date +%s.%N)
  curl -fsS "$MM_BASE/metrics" >"$dir/metrics-$kind.txt" || true
  R[mm_${kind}_wall_s]=$(calc '%.2f' 'a[1]-a[2]' "$t1" "$t0")
  R[mm_${kind}_open_s]=$(calc '%.3f' 'a[1]' \
    "$(metric_sum "$dir/metrics-$kind.txt" mm_tsdb_open_seconds)")
  R[mm_${kind}_per_10m]=$(calc '%.3f' 'a[1]/(a[2]/1e7)' "${R[mm_${kind}_open_s]}" \
    "$EXPECTED_VALUES")
  R[mm_${kind}_hwm_mb]=$(calc '%.1f' 'a[1]/1024' "$(proc_kb "$MM_PID" VmHWM)")
  echo "restart ($kind): store open ${R[mm_${kind}_open_s]} s" \
    "(${R[mm_${kind}_per_10m]} s per 10 M samples), healthy after ${R[mm_${kind}_wall_s]} s," \
    "peak RSS ${R[mm_${kind}_hwm_mb]} MB"
}

mm_run() {
  local dir="$TMP_ROOT/mm"
  mm_start "$dir" || return 1
  local pid=$MM_PID base=$MM_BASE
  echo "metrics-manager pid $pid on $base"
  curl -fsS "$base/metrics" >"$dir/metrics0.txt" || true
  local samples0
  samples0=$(metric_sum "$dir/metrics0.txt" mm_tsdb_samples)
  [[ -n "$samples0" ]] || samples0=$(metric_sum "$dir/metrics0.txt" mm_http_write_samples_stored_total)
  run_load mm "$pid" "${base##*:}" "$dir/load.txt"

  # Settle: wait until the sample count stops changing.
  local samples prev="" stable=0
  for _ in $(seq "$SETTLE_TIMEOUT"); do
    curl -fsS "$base/metrics" >"$dir/metrics.txt" || { echo "GET /metrics failed" >&2; break; }
    samples=$(metric_sum "$dir/metrics.txt" mm_tsdb_samples)
    # Without store gauges, the samples the write handler stored (it stores before the 204).
    [[ -n "$samples" ]] || samples=$(metric_sum "$dir/metrics.txt" mm_http_write_samples_stored_total)
    [[ -z "$samples" ]] && break  # no such metrics: nothing to wait for
    # Our daemon also collects its own system metrics, so the count never quite stops: settled
    # means all the dataset is in, or the count grows by less than a system collection would.
    if awk -v s="$samples" -v s0="${samples0:-0}" -v p="${prev:-0}" -v e="$EXPECTED_VALUES" \
      'BEGIN { exit !(s - s0 >= e || (p > 0 && s - p < 2000)) }'; then
      stable=$((stable + 1))
      [[ $stable -ge 2 ]] && break
    else
      stable=0
    fi
    prev=$samples
    sleep 1
  done
  finish_measure mm "$pid" "$dir/data"
  if [[ -z "$(find "$dir/data" -type f -print -quit)" ]]; then
    R[mm_disk_per_sample]="(in memory)"
  fi
  # Store gauges (MemStoreStats): bytes per sample over cut chunks when the store says how many
  # samples they hold, else over all samples; per-series overhead = index + head bookkeeping.
  local m="$dir/metrics.txt" chunk_bytes chunk_samples series overhead_bytes
  chunk_bytes=$(metric_sum "$m" mm_tsdb_chunk_bytes)
  chunk_samples=$(metric_sum "$m" mm_tsdb_chunk_samples)
  series=$(metric_sum "$m" mm_tsdb_series)
  R[mm_store_samples]=${samples:-n/a}
  if [[ -n "$chunk_samples" && "$chunk_samples" != 0 ]]; then
    R[mm_bytes_per_sample]=$(calc '%.3f' 'a[1]/a[2]' "$chunk_bytes" "$chunk_samples")
  else
    R[mm_bytes_per_sample]=$(calc '%.3f' 'a[1]/a[2]' "$chunk_bytes" "$samples")
  fi
  overhead_bytes=$(calc '%.0f' 'a[1]+a[2]' "$(metric_sum "$m" mm_tsdb_index_bytes)" \
    "$(metric_sum "$m" mm_tsdb_head_overhead_bytes)")
  [[ "$overhead_bytes" != n/a ]] || overhead_bytes=$(metric_sum "$m" mm_tsdb_index_bytes)
  if [[ -n "$overhead_bytes" && "$overhead_bytes" != n/a ]]; then
    R[mm_series_overhead]=$(calc '%.0f' 'a[1]/a[2]' "$overhead_bytes" "$series")
    R[mm_series_overhead_how]="(mm_tsdb_index_bytes + mm_tsdb_head_overhead_bytes) / series"
  else
    R[mm_series_overhead]=$(calc '%.0f' '(a[1]*1024 - a[2]*1024 - a[3]) / a[4]' \
      "${R[mm_rss_kb]}" "${R[mm_rss0_kb]}" "$chunk_bytes" "$series")
    R[mm_series_overhead_how]="estimate: (RSS growth - chunk bytes) / series"
  fi
  echo "store gauges after the load:"
  grep -E '^mm_tsdb_' "$m" | sed 's/^/  /' || echo "  (no mm_tsdb_* metrics)"
  R[mm_samples]=$(query_value "$base" "$SAMPLES_QUERY" "$QUERY_TIME")
  R[mm_series]=$(query_value "$base" "$SERIES_QUERY" "$QUERY_TIME")
  echo "settled: store samples ${samples:-n/a}, series ${series:-n/a}, chunk bytes" \
    "${chunk_bytes:-n/a}; query: ${R[mm_samples]:-?} samples in ${R[mm_series]:-?} series"
  stop_pid "$pid"
  [[ -z "${R[mm_load_failed]:-}" ]] || return 1
  [[ -z "${R[mm_samples]}" || "${R[mm_samples]}" == "$EXPECTED_VALUES" ]] ||
    { echo "metrics-manager query counted ${R[mm_samples]} samples," \
      "expected $EXPECTED_VALUES" >&2; return 1; }
  [[ -n "$(find "$dir/data" -type f -print -quit)" ]] || return 0  # in memory: no restart

  # Restart 1: the dataset is (mostly) in the WAL: its replay.
  mm_restart "$dir" replay || return 1
  # The whole head into blocks (as VictoriaMetrics' force_flush; its CPU counts with the
  # ingest, as VictoriaMetrics' merges do), then the size on disk.
  local c0 c1
  c0=$(cpu_ticks "$MM_PID")
  curl -fsS -o /dev/null -X POST --max-time 600 "$MM_BASE/internal/force_flush" ||
    { echo "POST /internal/force_flush failed" >&2; return 1; }
  c1=$(cpu_ticks "$MM_PID")
  R[mm_flush_cpu_s]=$(calc '%.2f' '(a[1]-a[2])/a[3]' "$c1" "$c0" "$CLK_TCK")
  R[mm_cpu_s]=$(calc '%.2f' 'a[1]+a[2]' "${R[mm_cpu_s]}" "${R[mm_flush_cpu_s]}")
  R[mm_cpu_per_mvalue]=$(calc '%.3f' 'a[1]/(a[2]/1e6)' "${R[mm_cpu_s]}" "${R[mm_values]}")
  R[mm_disk_bytes]=$(du -sb "$dir/data" | awk '{print $1}')
  R[mm_disk_per_sample]=$(calc '%.3f' 'a[1]/a[2]' "${R[mm_disk_bytes]}" "${R[mm_values]}")
  curl -fsS "$MM_BASE/metrics" >"$dir/metrics-flushed.txt" || true
  local block_bytes block_samples
  block_bytes=$(metric_sum "$dir/metrics-flushed.txt" mm_tsdb_block_bytes)
  block_samples=$(metric_sum "$dir/metrics-flushed.txt" mm_tsdb_block_samples)
  R[mm_block_bytes_per_sample]=$(calc '%.3f' 'a[1]/a[2]' "$block_bytes" "$block_samples")
  echo "force flush: ${R[mm_flush_cpu_s]} CPU-s; on disk ${R[mm_disk_bytes]} B =" \
    "${R[mm_disk_per_sample]} B/sample (blocks ${R[mm_block_bytes_per_sample]} B/sample)"
  stop_pid "$MM_PID"

  # Restart 2: everything in blocks; every sample still there.
  mm_restart "$dir" blocks || return 1
  R[mm_samples_restart]=$(query_value "$MM_BASE" "$SAMPLES_QUERY" "$QUERY_TIME")
  echo "after restart: ${R[mm_samples_restart]:-?} samples"
  stop_pid "$MM_PID"
  [[ "${R[mm_samples_restart]}" == "$EXPECTED_VALUES" ]] ||
    { echo "metrics-manager after restart counted ${R[mm_samples_restart]:-no} samples," \
      "expected $EXPECTED_VALUES" >&2; return 1; }
}

# (f) CPU % of one core of our daemon left idle (it still collects system metrics every second).
mm_idle() {
  local dir="$TMP_ROOT/mm-idle"
  mm_start "$dir" || return 1
  sleep 2  # let start-up work finish
  local t0 t1
  t0=$(cpu_ticks "$MM_PID")
  sleep "$IDLE_SECONDS"
  t1=$(cpu_ticks "$MM_PID")
  R[mm_idle_cpu_pct]=$(calc '%.3f' '(a[1]-a[2])/a[3]/a[4]*100' "$t1" "$t0" "$CLK_TCK" \
    "$IDLE_SECONDS")
  R[mm_idle_rss_mb]=$(calc '%.1f' 'a[1]/1024' "$(proc_kb "$MM_PID" VmRSS)")
  echo "idle ${IDLE_SECONDS} s: $((t1 - t0)) ticks = ${R[mm_idle_cpu_pct]} % of one core," \
    "RSS ${R[mm_idle_rss_mb]} MB"
  stop_pid "$MM_PID"
}

if [[ -z "$MM" || ! -x "$MM" ]]; then
  log "metrics-manager ingest"
  echo "metrics-manager: not built"
  MM_STATE="not built"
else
  log "metrics-manager ingest ($MM)"
  if ! mm_run; then
    echo "metrics-manager run FAILED" >&2
    MM_STATE=failed
    status=1
  fi
  if [[ "$IDLE_SECONDS" -gt 0 ]]; then
    log "metrics-manager idle cost (${IDLE_SECONDS} s)"
    mm_idle || { echo "metrics-manager idle run FAILED" >&2; status=1; }
  fi
fi

# --- (e) summary ------------------------------------------------------------------------------

v() { local x=${R[$1]:-}; echo "${x:-n/a}"; }
mmv() { if [[ "$MM_STATE" == "not built" ]]; then echo "not built"; else v "$1"; fi; }
verdict() {  # verdict VALUE OP LIMIT
  [[ "$1" == n/a || "$1" == "not built" || -z "$1" ]] && { echo "n/a"; return; }
  awk -v x="$1" -v l="$3" -v op="$2" 'BEGIN {
    ok = (op == ">=") ? x >= l : (op == "<=") ? x <= l : x < l
    print ok ? "PASS" : "FAIL" }'
}

values_ratio=$(calc '%.2f' 'a[1]/a[2]' "$(v mm_values_per_s)" "$(v vm_values_per_s)")
cpu_ratio=$(calc '%.2f' 'a[1]/a[2]' "$(v vm_cpu_per_mvalue)" "$(v mm_cpu_per_mvalue)")
rss_ratio=$(calc '%.2f' 'a[1]/a[2]' "$(v mm_hwm_mb)" "$(v vm_hwm_mb)")
bps_ratio=$(calc '%.2f' 'a[1]/a[2]' "$(v mm_block_bytes_per_sample)" "$(v vm_bytes_per_sample)")
disk_ratio=$(calc '%.2f' 'a[1]/a[2]' "$(v mm_disk_per_sample)" "$(v vm_disk_per_sample)")
# Replay peak RSS against the steady state at the end of the ingest (VmRSS, in kB).
replay_rss_ratio=$(calc '%.2f' 'a[1]*1024/a[2]' "$(v mm_replay_hwm_mb)" "$(v mm_rss_kb)")
[[ "$MM_STATE" == "not built" ]] &&
  values_ratio=n/a cpu_ratio=n/a rss_ratio=n/a bps_ratio=n/a disk_ratio=n/a

SUMMARY="$DATA_DIR/last_results.txt"
{
  echo
  echo "== summary: $HOSTS hosts x $POINTS points x 10 fields = $EXPECTED_VALUES values," \
    "$CONNECTIONS connections, $LINES_PER_REQUEST lines/request"
  printf '%-34s %16s %16s %14s\n' "" "VictoriaMetrics" "metrics-manager" "ours vs VM"
  printf '%-34s %16s %16s %14s\n' "ingest values/s" "$(v vm_values_per_s)" \
    "$(mmv mm_values_per_s)" "$values_ratio"
  printf '%-34s %16s %16s %14s\n' "CPU-s per million values" "$(v vm_cpu_per_mvalue)" \
    "$(mmv mm_cpu_per_mvalue)" "$cpu_ratio (VM/ours)"
  printf '%-34s %16s %16s %14s\n' "server CPU-s (load + settle)" "$(v vm_cpu_s)" "$(mmv mm_cpu_s)" ""
  printf '%-34s %16s %16s %14s\n' "peak RSS MB (VmHWM)" "$(v vm_hwm_mb)" "$(mmv mm_hwm_mb)" \
    "$rss_ratio"
  printf '%-34s %16s %16s %14s\n' "bytes/sample on disk (du)" "$(v vm_disk_per_sample)" \
    "$(mmv mm_disk_per_sample)" "$disk_ratio"
  printf '%-34s %16s %16s %14s\n' "bytes/sample: VM data parts, ours blocks" \
    "$(v vm_bytes_per_sample)" "$(mmv mm_block_bytes_per_sample)" "$bps_ratio"
  printf '%-34s %16s %16s %14s\n' "force flush CPU-s (in CPU-s above)" "" \
    "$(mmv mm_flush_cpu_s)" ""
  printf '%-34s %16s %16s %14s\n' "restart, WAL replay: open s (/10M)" "" \
    "$(mmv mm_replay_open_s) ($(mmv mm_replay_per_10m))" ""
  printf '%-34s %16s %16s %14s\n' "restart, WAL replay: peak RSS MB" "" \
    "$(mmv mm_replay_hwm_mb)" "$replay_rss_ratio"
  printf '%-34s %16s %16s %14s\n' "restart, blocks: open s (/10M)" "" \
    "$(mmv mm_blocks_open_s) ($(mmv mm_blocks_per_10m))" ""
  printf '%-34s %16s %16s %14s\n' "restart, blocks: healthy after s" "" \
    "$(mmv mm_blocks_wall_s)" ""
  printf '%-34s %16s %16s %14s\n' "RSS growth bytes/sample" "$(v vm_rss_per_sample)" \
    "$(mmv mm_rss_per_sample)" ""
  printf '%-34s %16s %16s %14s\n' "per-series bytes (VM: indexdb)" "$(v vm_index_per_series)" \
    "$(mmv mm_series_overhead)" ""
  printf '%-34s %16s %16s %14s\n' "samples counted by query" "$(v vm_samples)" "$(mmv mm_samples)" ""
  printf '%-34s %16s %16s %14s\n' "series counted by query" "$(v vm_series)" "$(mmv mm_series)" ""
  printf '%-34s %16s %16s %14s\n' "idle CPU % of one core" "" "$(mmv mm_idle_cpu_pct)" ""
  [[ -n "${R[mm_series_overhead_how]:-}" && "$(v mm_series_overhead)" != n/a ]] &&
    echo "(our per-series bytes: ${R[mm_series_overhead_how]})"
  echo
  echo "targets:"
  printf '  %-52s %s\n' "ingest per CPU-second >= 1.0x VM (VM/ours CPU-s): $cpu_ratio" \
    "$(verdict "$cpu_ratio" '>=' 1.0)"
  printf '  %-52s %s\n' "on disk <= 0.7x VM (ours/VM bytes/sample): $disk_ratio" \
    "$(verdict "$disk_ratio" '<=' 0.7)"
  printf '  %-52s %s\n' "peak RSS during ingest <= 0.7x VM: $rss_ratio" \
    "$(verdict "$rss_ratio" '<=' 0.7)"
  printf '  %-52s %s\n' "restart < 5 s per 10 M samples (WAL): $(mmv mm_replay_per_10m)" \
    "$(verdict "$(mmv mm_replay_per_10m)" '<' 5)"
  printf '  %-52s %s\n' "restart < 5 s per 10 M samples (blocks): $(mmv mm_blocks_per_10m)" \
    "$(verdict "$(mmv mm_blocks_per_10m)" '<' 5)"
  printf '  %-52s %s\n' "replay peak RSS <= 1.5x steady state: $replay_rss_ratio" \
    "$(verdict "$replay_rss_ratio" '<=' 1.5)"
  printf '  %-52s %s\n' "<= 2 bytes per sample in chunks: $(mmv mm_block_bytes_per_sample)" \
    "$(verdict "$(mmv mm_block_bytes_per_sample)" '<=' 2)"
  printf '  %-52s %s\n' "< 1 KB per series overhead: $(mmv mm_series_overhead)" \
    "$(verdict "$(mmv mm_series_overhead)" '<' 1024)"
  printf '  %-52s %s\n' "idle system collection < 0.5 % of a core: $(mmv mm_idle_cpu_pct)" \
    "$(verdict "$(mmv mm_idle_cpu_pct)" '<' 0.5)"
  [[ "$MM_STATE" == "not built" ]] && echo "metrics-manager: not built"
  [[ "$MM_STATE" == failed ]] && echo "metrics-manager: FAILED (see above)"
  [[ -n "${R[vm_failed]:-}" ]] && echo "VictoriaMetrics: FAILED (see above)"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$SUMMARY"
echo "(summary saved to ${SUMMARY#"$BUILD_DIR"/} in the build dir)"

# --- (g) plots and the dashboard: render times and first paint (bench/dashboard_bench.sh) -----
if [[ "${BENCH_DASHBOARD:-1}" == 1 ]]; then
  log "plots and dashboard"
  "$(dirname "${BASH_SOURCE[0]}")/dashboard_bench.sh" "$BUILD_DIR" || status=1
fi
exit "$status"
