#!/usr/bin/env bash
# End-to-end test of the `metrics-manager` command: `run` on a free port, `write` a file
# (errors must name the file's own line numbers across chunks), `query` (table, JSON, errors),
# promtool against our Prometheus API, and a clean SIGTERM shutdown.
# Usage: tests/integration/cli_test.sh path/to/metrics-manager
set -euo pipefail

MM=${1:?usage: cli_test.sh path/to/metrics-manager}
command -v promtool >/dev/null || { echo "FAIL: promtool is not installed"; exit 1; }

WORK=$(mktemp -d)
PID=""
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; exit 1; }
expect_contains() {  # FILE TEXT
  grep -qF -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "expected \"$2\" in $1"; }
}

mkdir "$WORK/config"  # empty: every default
"$MM" run --config "$WORK/config" --listen 127.0.0.1:0 >"$WORK/run.out" 2>"$WORK/run.err" &
PID=$!
for _ in $(seq 1 100); do
  grep -q "listening on http://" "$WORK/run.out" 2>/dev/null && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/run.err"; fail "run exited early"; }
  sleep 0.1
done
URL=$(sed -n 's|.* listening on \(http://[^ ]*\) .*|\1|p' "$WORK/run.out")
[[ -n "$URL" ]] || fail "no listen URL printed: $(cat "$WORK/run.out")"
echo "server at $URL"
curl -fsS "$URL/health" | grep -q OK || fail "/health"

# A 6000-line file, sent in chunks of 5000 lines; line 5500 is malformed.
T=1700000000
awk -v t=$T 'BEGIN {
  for (i = 1; i <= 6000; i++) {
    if (i == 5500) print "rt,host=bad value=";
    else printf "rt,host=h%d value=%d %d\n", i % 3, i, t
  }
  print "one,host=a value=1.5 " t
}' >"$WORK/data.lp"
set +e
"$MM" write --server "$URL" --precision s <"$WORK/data.lp" >"$WORK/write.out" 2>"$WORK/write.err"
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "write with a bad line should exit 1, got $rc"
expect_contains "$WORK/write.err" "line 5500:"
expect_contains "$WORK/write.out" "wrote 6000 points from 6001 lines, 1 lines rejected"

printf 'ok,host=a value=7 %d\n' $T | "$MM" write --server "$URL" --precision s >"$WORK/w2.out" \
  || fail "clean write should exit 0"
expect_contains "$WORK/w2.out" "wrote 1 points from 1 lines"

# Instant query: table, then JSON.
"$MM" query 'one{host="a"}' --time $T --server "$URL" >"$WORK/q.out" || fail "query"
expect_contains "$WORK/q.out" 'one{host="a"}  2023-11-14T22:13:20Z  1.5'
"$MM" query 'one' --time 2023-11-14T22:13:20Z --json --server "$URL" >"$WORK/qj.out"
expect_contains "$WORK/qj.out" '"value":[1700000000,"1.5"]'
# Range query: one block per series.
"$MM" query 'ok' --start $T --end $((T + 30)) --step 15s --server "$URL" >"$WORK/qr.out"
expect_contains "$WORK/qr.out" 'ok{host="a"}'
expect_contains "$WORK/qr.out" '  2023-11-14T22:13:50Z  7'

# Errors: bad PromQL, bad flags, nobody listening.
set +e
"$MM" query 'one{' --server "$URL" >/dev/null 2>"$WORK/qe.err"; rc1=$?
"$MM" query 'one' --time nonsense --server "$URL" >/dev/null 2>"$WORK/qt.err"; rc2=$?
"$MM" query 'one' --server http://127.0.0.1:1 >/dev/null 2>"$WORK/qc.err"; rc3=$?
set -e
[[ $rc1 -eq 1 && $rc2 -eq 1 && $rc3 -eq 1 ]] || fail "error exit codes: $rc1 $rc2 $rc3"
expect_contains "$WORK/qe.err" "error: bad_data: invalid parameter \"query\""
expect_contains "$WORK/qt.err" "invalid time"
expect_contains "$WORK/qc.err" "cannot connect"

# promtool speaks the Prometheus HTTP API to us.
promtool query instant --time=$T "$URL" 'one' >"$WORK/pi.out" || fail "promtool query instant"
expect_contains "$WORK/pi.out" 'one{host="a"} => 1.5 @[1700000000]'
promtool query range --start=$T --end=$((T + 30)) --step=15s "$URL" 'ok' >"$WORK/pr.out" \
  || fail "promtool query range"
expect_contains "$WORK/pr.out" 'ok{host="a"} =>'
expect_contains "$WORK/pr.out" '7 @[1700000030]'
# (promtool's default window for series and labels is around now: give it ours.)
promtool query series --match='rt{host="h1"}' --start=$((T - 60)) --end=$((T + 60)) "$URL" >"$WORK/ps.out" || fail "promtool series"
expect_contains "$WORK/ps.out" '{__name__="rt", host="h1"}'
promtool query labels --start=$((T - 60)) --end=$((T + 60)) "$URL" host >"$WORK/pl.out" || fail "promtool labels"
expect_contains "$WORK/pl.out" 'h2'

"$MM" version | grep -q "metrics-manager " || fail "version"

# Self-monitoring: /metrics is valid exposition (promtool's linter) and counts what we wrote.
curl -fsS "$URL/metrics" >"$WORK/metrics.out" || fail "/metrics"
promtool check metrics <"$WORK/metrics.out" >"$WORK/check.out" 2>&1 \
  || { cat "$WORK/check.out"; fail "promtool check metrics"; }
grep -Eq '^mm_http_write_points_stored_total [1-9]' "$WORK/metrics.out" \
  || fail "/metrics does not count the stored points"
grep -q '^mm_http_request_duration_seconds_bucket' "$WORK/metrics.out" \
  || fail "/metrics has no request latency histogram"

kill -TERM "$PID"
set +e
wait "$PID"
rc=$?
set -e
PID=""
[[ $rc -eq 0 ]] || fail "run should exit 0 after SIGTERM, got $rc"
echo "PASS: cli_test"
