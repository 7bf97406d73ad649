#!/usr/bin/env python3
"""Compares our PromQL engine with a real Prometheus (2.42) on the same data.

Generates series (counters with resets, jittered gauges, gaps and series that stop, histogram
buckets, NaN/Inf values), backfills them into Prometheus with
`promtool tsdb create-blocks-from openmetrics`, starts `prometheus` on a free loopback port,
runs instant and range queries against it and against `mm_promql_eval` (our engine over the
same OpenMetrics file, no HTTP server involved), and compares the answers: same result type,
same series, same timestamps, values equal within a relative 1e-9 (NaN equals NaN), and an
error on one side only is a mismatch. Prints "N passed, M failed" and exits non-zero on any
mismatch. The server is stopped by its PID.

Usage: promql_vs_prometheus.py --eval-tool PATH [--keep] [--verbose]
Standard library only.
"""

import argparse
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

T0 = 1_700_000_000          # first sample (seconds); not aligned to minutes on purpose
SCRAPE = 15                 # seconds between samples
N = 480                     # samples per regular series: 2 hours
T_LAST = T0 + SCRAPE * (N - 1)

REL_TOL = 1e-9
ABS_TOL = 1e-12             # values that should be 0 but come from sums in another order


def fmt_value(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return repr(float(v))


def fmt_labels(labels):
    if not labels:
        return ""
    parts = []
    for k, v in sorted(labels.items()):
        v = v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        parts.append('%s="%s"' % (k, v))
    return "{" + ",".join(parts) + "}"


def generate_data(rng):
    """Returns {metric name: [(labels dict, [(t seconds, value)])]}."""
    fams = {}

    def add(name, labels, samples):
        fams.setdefault(name, []).append((labels, samples))

    # Counters with occasional resets.
    for job in ("api", "web", "db"):
        for inst in ("0", "1"):
            for code in ("200", "500"):
                v = rng.randint(0, 50)
                samples = []
                for k in range(N):
                    if rng.random() < 0.01:
                        v = rng.randint(0, 5)          # reset
                    else:
                        v += rng.randint(0, 20) if code == "200" else rng.randint(0, 2)
                    samples.append((T0 + SCRAPE * k, float(v)))
                add("http_requests_total", {"job": job, "instance": inst, "code": code}, samples)

    # Gauges with two decimals and millisecond jitter on timestamps.
    for host in ("a", "b", "c"):
        for mode in ("user", "system", "idle"):
            samples = []
            for k in range(N):
                jitter = rng.randint(0, 900) / 1000.0
                samples.append((T0 + SCRAPE * k + jitter, round(rng.uniform(0, 100), 2)))
            add("cpu_usage", {"host": host, "mode": mode}, samples)

    # Gaps longer than the lookback, and a series that stops halfway.
    samples = []
    for k in range(N):
        if 100 <= k < 140 or 300 <= k < 330:
            continue
        samples.append((T0 + SCRAPE * k, round(20 + 5 * math.sin(k / 20.0), 3)))
    add("temperature", {"sensor": "gappy"}, samples)
    add("temperature", {"sensor": "stops"},
        [(T0 + SCRAPE * k, float(k % 7)) for k in range(N // 2)])
    add("temperature", {"sensor": "late"},
        [(T0 + 3600 + SCRAPE * k, float(k)) for k in range(N // 2)])

    # A sparse counter (every 4 minutes) for extrapolation thresholds.
    add("sparse_total", {"id": "1"},
        [(T0 + 240 * k, float(3 * k + 1)) for k in range(30)])
    add("sparse_total", {"id": "2"},
        [(T0 + 90 + 240 * k, float(100 + 7 * k)) for k in range(30)])

    # Histogram buckets (cumulative counters).
    bounds = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]
    for job in ("api", "web"):
        counts = [0] * len(bounds)
        series = {b: [] for b in bounds}
        for k in range(N):
            for _ in range(rng.randint(0, 10)):
                x = rng.expovariate(3.0)
                for i, b in enumerate(bounds):
                    if b == "+Inf" or x <= float(b):
                        counts[i] += 1
            for i, b in enumerate(bounds):
                series[b].append((T0 + SCRAPE * k, float(counts[i])))
        for b in bounds:
            add("request_duration_seconds_bucket", {"job": job, "le": b}, series[b])

    # A recording-rule style name, NaN and Inf values, negative values.
    add("job:errors:rate5m", {"job": "api"},
        [(T0 + SCRAPE * k, round(rng.uniform(-1, 1), 4)) for k in range(N)])
    edge = []
    for k in range(N):
        v = [float("nan"), float("inf"), -float("inf"), 1.5, -2.0][k % 5] if k % 10 == 0 else float(k)
        edge.append((T0 + SCRAPE * k, v))
    add("edge_values", {"kind": "mixed"}, edge)
    # Same labels but the name: errors after dropping __name__.
    add("dup_a", {"x": "1"}, [(T0 + SCRAPE * k, float(k)) for k in range(N)])
    add("dup_b", {"x": "1"}, [(T0 + SCRAPE * k, float(2 * k)) for k in range(N)])
    # Cancellation-prone values: shows whether sums are compensated (Kahan) or plain.
    kahan = [1e16, 1.0, -1e16, 3.0, 1e-3, -2.0]
    add("kahan", {"k": "1"}, [(T0 + SCRAPE * k, kahan[k % len(kahan)]) for k in range(N)])
    add("kahan", {"k": "2"}, [(T0 + SCRAPE * k, kahan[(k + 2) % len(kahan)]) for k in range(N)])
    add("kahan", {"k": "3"}, [(T0 + SCRAPE * k, kahan[(k + 4) % len(kahan)]) for k in range(N)])
    # Ties for topk/bottomk and count_values.
    for i in range(4):
        add("ties", {"i": str(i)}, [(T0 + SCRAPE * k, float(k % 3)) for k in range(N)])
    add("info", {"job": "api", "owner": "alice"}, [(T0 + SCRAPE * k, 1.0) for k in range(N)])
    add("info", {"job": "web", "owner": "bob"}, [(T0 + SCRAPE * k, 1.0) for k in range(N)])
    return fams


def write_openmetrics(fams, path):
    with open(path, "w") as f:
        for name in sorted(fams):
            f.write("# TYPE %s gauge\n" % name)
            for labels, samples in fams[name]:
                lab = fmt_labels(labels)
                for t, v in samples:
                    f.write("%s%s %s %.3f\n" % (name, lab, fmt_value(v), t))
        f.write("# EOF\n")


def queries():
    """(kind, params, expr) tuples."""
    exprs = [
        # selectors
        'http_requests_total', 'http_requests_total{job="api"}',
        'http_requests_total{job=~"a.*|d.", code!="500"}', '{__name__=~"http_.*", instance="1"}',
        '{__name__=~"temp.*"}', 'temperature', 'cpu_usage{mode!~"idle|system"}',
        'http_requests_total offset 10m', 'http_requests_total offset -5m', 'cpu_usage offset 7m30s',
        'job:errors:rate5m', 'edge_values', 'sparse_total', 'info',
        'http_requests_total @ %d' % (T0 + 1800), 'cpu_usage @ %d offset 1m' % (T0 + 3000),
        'temperature @ end()', 'temperature @ start()',
        # rate family
        'rate(http_requests_total[5m])', 'rate(http_requests_total[1m])', 'rate(http_requests_total[15s])',
        'rate(http_requests_total[30s])', 'irate(http_requests_total[5m])',
        'increase(http_requests_total[10m])', 'increase(http_requests_total[1h])',
        'delta(cpu_usage[5m])', 'idelta(cpu_usage[2m])', 'deriv(cpu_usage[10m])',
        'deriv(http_requests_total[5m])', 'predict_linear(cpu_usage[10m], 600)',
        'rate(sparse_total[5m])', 'rate(sparse_total[10m])', 'increase(sparse_total[15m])',
        'rate(sparse_total[4m])', 'irate(sparse_total[9m])', 'delta(temperature[10m])',
        'rate(temperature[5m])', 'rate(cpu_usage[2m] offset 5m)', 'rate(http_requests_total[5m] @ %d)' % (T0 + 3600),
        'resets(http_requests_total[1h])', 'changes(cpu_usage[5m])', 'changes(edge_values[10m])',
        # over_time
        'avg_over_time(cpu_usage[5m])', 'sum_over_time(cpu_usage[10m])', 'min_over_time(cpu_usage[3m])',
        'max_over_time(cpu_usage[3m])', 'count_over_time(temperature[10m])', 'last_over_time(temperature[10m])',
        'present_over_time(temperature[2m])', 'stddev_over_time(cpu_usage[10m])',
        'stdvar_over_time(cpu_usage[10m])', 'quantile_over_time(0.9, cpu_usage[10m])',
        'quantile_over_time(0.5, job:errors:rate5m[30m])', 'avg_over_time(edge_values[5m])',
        'sum_over_time(edge_values[5m])', 'max_over_time(edge_values[5m])', 'min_over_time(edge_values[5m])',
        'absent_over_time(temperature{sensor="gappy"}[2m])', 'absent_over_time(nonexistent{a="b"}[5m])',
        'holt_winters(cpu_usage[10m], 0.3, 0.6)',
        # aggregations
        'sum(http_requests_total)', 'sum by (job) (rate(http_requests_total[5m]))',
        'sum without (instance) (rate(http_requests_total[5m]))', 'avg by (host) (cpu_usage)',
        'min by (mode) (cpu_usage)', 'max(cpu_usage) by (mode)', 'count by (job) (http_requests_total)',
        'count(temperature)', 'group by (job) (http_requests_total)', 'stddev by (mode) (cpu_usage)',
        'stdvar(cpu_usage)', 'quantile(0.3, cpu_usage)', 'quantile by (host) (0.99, cpu_usage)',
        'topk(3, cpu_usage)', 'bottomk(2, rate(http_requests_total[5m]))',
        'topk by (host) (1, cpu_usage)', 'count_values("value", temperature)',
        'sum(edge_values)', 'avg(edge_values)', 'max(edge_values)', 'count(edge_values)',
        'sum(nonexistent)', 'sum by (__name__) ({__name__=~"dup_.*"})',
        # binary operators
        'http_requests_total * 2', '2 / http_requests_total', 'cpu_usage % 7', 'cpu_usage ^ 0.5',
        'cpu_usage > 50', 'cpu_usage > bool 50', '50 < cpu_usage', 'cpu_usage == bool cpu_usage',
        'http_requests_total{code="500"} / ignoring(code) http_requests_total{code="200"}',
        'http_requests_total{code="500"} / on(job, instance) http_requests_total{code="200"}',
        'sum by (job) (http_requests_total) / on(job) group_left sum by (job, instance) (http_requests_total)',
        'sum by (job, instance) (http_requests_total) / on(job) group_left(owner) info',
        'info * on(job) group_right(owner) sum by (job, code) (http_requests_total)',
        'cpu_usage{mode="user"} - on(host) cpu_usage{mode="system"}',
        'cpu_usage and cpu_usage > 50', 'cpu_usage{host="a"} or cpu_usage{mode="idle"}',
        'http_requests_total unless http_requests_total{code="500"}',
        'http_requests_total and on(job) info', 'http_requests_total unless on(job) info',
        '-cpu_usage', 'edge_values / 0', 'edge_values * -1', '1 - 2 * 3 ^ 2 ^ 0.5', '7 % -3',
        'time() - 1', 'cpu_usage > 10 < 90', 'cpu_usage{mode="user"} atan2 cpu_usage{mode="idle"}',
        '(cpu_usage{mode="user"} + 1) / on(host) (cpu_usage{mode="idle"} + 1)',
        '{__name__=~"dup_.*"} + 1', 'rate({__name__=~"dup_.*"}[5m])',
        'http_requests_total + on(job) http_requests_total', '0x10 + 010', '1e2 / -inf',
        # functions
        'abs(job:errors:rate5m)', 'ceil(cpu_usage)', 'floor(cpu_usage)', 'round(cpu_usage, 5)',
        'round(job:errors:rate5m, 0.1)', 'sqrt(cpu_usage)', 'exp(job:errors:rate5m)', 'ln(cpu_usage)',
        'log2(cpu_usage)', 'log10(cpu_usage)', 'sgn(job:errors:rate5m)', 'clamp(cpu_usage, 20, 80)',
        'clamp_min(cpu_usage, 50)', 'clamp_max(cpu_usage, 50)', 'timestamp(cpu_usage)',
        'timestamp(temperature)', 'time()', 'vector(time())', 'scalar(sum(cpu_usage))',
        'scalar(cpu_usage)', 'absent(nonexistent{job="x"})', 'absent(cpu_usage)', 'sort(cpu_usage)',
        'sort_desc(cpu_usage)', 'label_replace(cpu_usage, "h", "host-$1", "host", "(.*)")',
        'label_replace(cpu_usage, "h", "$1x", "host", "(.*)")',
        'label_join(cpu_usage, "hm", ":", "host", "mode")',
        'histogram_quantile(0.9, rate(request_duration_seconds_bucket[5m]))',
        'histogram_quantile(0.5, sum by (le) (rate(request_duration_seconds_bucket[10m])))',
        'histogram_quantile(0.99, request_duration_seconds_bucket)', 'hour()', 'minute(cpu_usage)',
        'day_of_week()', 'days_in_month()', 'year(vector(%d))' % T0, 'deg(job:errors:rate5m)',
        'sin(job:errors:rate5m)', 'acos(job:errors:rate5m)', 'tanh(job:errors:rate5m)', 'pi()',
        # numerics
        'sum_over_time(kahan[1m])', 'avg_over_time(kahan[1m])', 'sum_over_time(kahan[3m])',
        'avg_over_time(kahan[3m])', 'stddev_over_time(kahan[2m])', 'sum(kahan)', 'avg(kahan)',
        'stddev(kahan)', 'deriv(kahan[2m])', 'predict_linear(kahan[3m], 60)',
        'topk(2, ties)', 'bottomk(3, ties)', 'count_values("v", ties)', 'quantile(0.5, ties)',
        'cpu_usage atan2 cpu_usage', 'cpu_usage atan2 2', 'count_values("v", cpu_usage / 3)',
        'predict_linear(cpu_usage[5m] @ %d, 60)' % (T0 + 2400),
        'sum_over_time(cpu_usage[1m:7s] offset -3m)', 'last_over_time(cpu_usage[1m:1m] @ end())',
        # subqueries
        'max_over_time(rate(http_requests_total[1m])[10m:1m])', 'avg_over_time(cpu_usage[5m:])',
        'sum_over_time(cpu_usage{host="a"}[7m:2m])', 'min_over_time(sum(cpu_usage)[10m:30s] offset 2m)',
        'rate(sum(http_requests_total)[5m:15s])', 'max_over_time((cpu_usage > 50)[5m:1m])',
        'sum_over_time(temperature[10m:1m] @ %d)' % (T0 + 2000),
        'avg_over_time(max_over_time(cpu_usage[2m:30s])[6m:1m])',
        # scalars and strings
        '1 + 2', '"hello"', 'cpu_usage[1m]', 'temperature[5m] offset 1m',
        'http_requests_total[2m:30s]',
        # keywords as metric names
        'sum', 'by', 'and and and', 'offset offset 5m', 'sum + 1', 'count_values{a="b"}',
        # errors (parse errors must match Prometheus' message exactly)
        'sum(', 'rate(cpu_usage)', '1 < 2', 'foo{', 'holt_winters(cpu_usage[5m], 2, 0.5)',
        '1 +', 'foo}', 'foo[5m', 'foo[5x]', 'foo[5]', 'foo[1.5m]', 'foo[0s]', 'foo offset 0s',
        'foo[5m:1m:1m]', 'foo[5m:5]', '1 $ 2', 'foo{a="b}', '"a\\qb"', '"\\x4"', '1 and 2',
        'foo + bool bar', 'rate(foo[5m], 1)', 'round()', 'round(foo, 1, 2)', 'nosuchfn(foo)',
        '{}', '{job=~".*"}', 'foo{__name__="bar"}', 'sum(foo[5m])', 'topk(foo, foo)',
        'count_values(1, foo)', 'topk(foo)', 'sum()', 'foo[5m] + 1', '(foo)[5m]',
        'foo offset 5m offset 1m', 'foo @ 1 @ 2', 'rate(foo[5m]) offset 1m', 'foo offset 1m [5m]',
        'foo[5m][10m:1m]', 'foo == on(job) group_left(job) bar', 'foo and on(job) group_left bar',
        '1 + on(job) foo', '-"a"', 'foo @ "x"', 'sum by (job foo)', 'foo{a="b" c="d"}', 'foo{a}',
        'foo{a=1}', 'sum(foo) by (a) by (b)', 'foo[]', '1 +* 2', 'foo bar', 'rate(foo[5m]', '(1',
        '1)', 'foo{a="b"}}', 'start()', 'bool', 'atan2', '1_000', '1e', '5m', 'a : b',
        'foo @ Inf', 'label_replace(cpu_usage, "1x", "", "host", "")',
        'sort(cpu_usage[5m])', 'scalar(1)', 'vector("a")', 'absent(1)', 'sum("a")',
    ]
    instant_times = [T0 + 1800, T0 + 3600, T0 + 3607.5, T0 + 3600 + 0.001, T_LAST,
                     T_LAST + 300, T_LAST + 300.001, T0 + 1500 + 299.999]
    out = []
    for e in exprs:
        for t in instant_times:
            out.append(("instant", (t,), e))
    range_specs = [(T0 + 600, T0 + 7200, 60), (T0 + 3000, T0 + 3900, 15),
                   (T0 + 1234.5, T_LAST + 600, 137)]
    for e in exprs:
        for spec in range_specs:
            out.append(("range", spec, e))
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(url, timeout=30):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def prom_query(base, kind, params, expr):
    if kind == "instant":
        q = {"query": expr, "time": "%.3f" % params[0]}
        url = base + "/api/v1/query?" + urllib.parse.urlencode(q)
    else:
        q = {"query": expr, "start": "%.3f" % params[0], "end": "%.3f" % params[1],
             "step": str(params[2])}
        url = base + "/api/v1/query_range?" + urllib.parse.urlencode(q)
    _, body = http_get(url)
    return json.loads(body)


def parse_value(s):
    return float(s)  # Python accepts "NaN", "+Inf", "-Inf"


def values_equal(a, b):
    if math.isnan(a) and math.isnan(b):
        return True
    if a == b:
        return True
    if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
        return False
    d = abs(a - b)
    return d <= REL_TOL * max(abs(a), abs(b)) or d <= ABS_TOL


def key_of(metric):
    return json.dumps(metric, sort_keys=True)


def compare(ours, theirs, ordered):
    """Returns None if equal, else a description of the first difference."""
    if theirs.get("status") != "success" or ours.get("status") != "success":
        if theirs.get("status") == ours.get("status"):
            if theirs.get("errorType") != ours.get("errorType"):
                return "error types differ: ours %s (%s), prometheus %s (%s)" % (
                    ours.get("errorType"), ours.get("error"), theirs.get("errorType"),
                    theirs.get("error"))
            # Parse errors must read the same (position and wording); Prometheus' API adds a
            # prefix. Regex syntax errors come from different libraries (Go regexp vs RE2).
            prefix = 'invalid parameter "query": '
            perr = theirs.get("error", "")
            if (theirs.get("errorType") == "bad_data" and perr.startswith(prefix)
                    and "parse error" in perr and "error parsing regexp" not in perr
                    and perr[len(prefix):] != ours.get("error")):
                return "parse errors differ: ours %r, prometheus %r" % (
                    ours.get("error"), perr[len(prefix):])
            return None
        return "ours: %s / prometheus: %s" % (
            ours.get("error", "success"), theirs.get("error", "success"))
    od, td = ours["data"], theirs["data"]
    if od["resultType"] != td["resultType"]:
        return "result types: ours %s, prometheus %s" % (od["resultType"], td["resultType"])
    rt = td["resultType"]
    if rt in ("scalar", "string"):
        ot, ov = od["result"]
        tt, tv = td["result"]
        if round(float(ot) * 1000) != round(float(tt) * 1000):
            return "timestamps %s vs %s" % (ot, tt)
        if rt == "string":
            return None if ov == tv else "strings %r vs %r" % (ov, tv)
        return None if values_equal(parse_value(ov), parse_value(tv)) else "scalar %s vs %s" % (ov, tv)
    omap = {key_of(s["metric"]): s for s in od["result"]}
    tmap = {key_of(s["metric"]): s for s in td["result"]}
    if len(omap) != len(od["result"]):
        return "our answer repeats a label set"
    missing = sorted(set(tmap) - set(omap))
    extra = sorted(set(omap) - set(tmap))
    if missing or extra:
        return "series differ: missing %s, extra %s" % (missing[:3], extra[:3])
    if ordered and rt == "vector":
        ok = [key_of(s["metric"]) for s in od["result"]]
        tk = [key_of(s["metric"]) for s in td["result"]]
        if ok != tk:
            return "order differs: ours %s, prometheus %s" % (ok[:4], tk[:4])
    for k, ts in tmap.items():
        os_ = omap[k]
        opts = [os_["value"]] if rt == "vector" else os_["values"]
        tpts = [ts["value"]] if rt == "vector" else ts["values"]
        if len(opts) != len(tpts):
            return "%s: %d points vs %d" % (k, len(opts), len(tpts))
        for (ot, ov), (tt, tv) in zip(opts, tpts):
            if round(float(ot) * 1000) != round(float(tt) * 1000):
                return "%s: timestamp %s vs %s" % (k, ot, tt)
            if not values_equal(parse_value(ov), parse_value(tv)):
                return "%s @%s: ours %s, prometheus %s" % (k, tt, ov, tv)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval-tool", required=True)
    ap.add_argument("--prometheus", default=shutil.which("prometheus") or "prometheus")
    ap.add_argument("--promtool", default=shutil.which("promtool") or "promtool")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    for tool in (args.prometheus, args.promtool, args.eval_tool):
        if not (os.path.isfile(tool) and os.access(tool, os.X_OK)):
            print("missing executable: %s" % tool, file=sys.stderr)
            return 2

    work = tempfile.mkdtemp(prefix="promql_vs_prom_")
    proc = None
    try:
        rng = random.Random(42)
        data = os.path.join(work, "data.om")
        write_openmetrics(generate_data(rng), data)
        tsdb = os.path.join(work, "tsdb")
        os.makedirs(tsdb)
        r = subprocess.run([args.promtool, "tsdb", "create-blocks-from", "openmetrics", data, tsdb],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            print("promtool failed:\n" + r.stdout, file=sys.stderr)
            return 2

        qs = queries()
        qfile = os.path.join(work, "queries.txt")
        with open(qfile, "w") as f:
            for kind, params, expr in qs:
                f.write("%s %s %s\n" % (kind, " ".join("%.3f" % p for p in params), expr))
        r = subprocess.run([args.eval_tool, data, qfile], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            print("mm_promql_eval failed:\n" + r.stderr, file=sys.stderr)
            return 2
        ours = [json.loads(line) for line in r.stdout.splitlines()]
        if len(ours) != len(qs):
            print("mm_promql_eval answered %d of %d queries" % (len(ours), len(qs)), file=sys.stderr)
            return 2

        port = free_port()
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1m\n  evaluation_interval: 1m\n")
        log = open(os.path.join(work, "prometheus.log"), "w")
        proc = subprocess.Popen(
            [args.prometheus, "--config.file=" + config, "--storage.tsdb.path=" + tsdb,
             "--web.listen-address=127.0.0.1:%d" % port, "--storage.tsdb.retention.time=100y"],
            stdout=log, stderr=subprocess.STDOUT)
        base = "http://127.0.0.1:%d" % port
        deadline = time.time() + 60
        while True:
            if proc.poll() is not None:
                print("prometheus exited early; see %s" % log.name, file=sys.stderr)
                return 2
            try:
                status, _ = http_get(base + "/-/ready", timeout=2)
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                pass
            if time.time() > deadline:
                print("prometheus not ready after 60s", file=sys.stderr)
                return 2
            time.sleep(0.3)

        passed, failed, non_empty, errors = 0, 0, 0, 0
        for (kind, params, expr), our in zip(qs, ours):
            theirs = prom_query(base, kind, params, expr)
            if theirs.get("status") != "success":
                errors += 1
            elif theirs["data"]["resultType"] in ("scalar", "string") or theirs["data"]["result"]:
                non_empty += 1
            ordered = expr.startswith("sort")
            diff = compare(our, theirs, ordered)
            if diff is None:
                passed += 1
                if args.verbose:
                    print("ok   %s %s %s" % (kind, params, expr))
            else:
                failed += 1
                print("FAIL %s %s %s\n     %s" % (kind, params, expr, diff))
        print("(%d queries: %d with a non-empty answer, %d answered with an error by Prometheus)" % (
            len(qs), non_empty, errors))
        print("%d passed, %d failed" % (passed, failed))
        return 1 if failed else 0
    finally:
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        if args.keep:
            print("kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
