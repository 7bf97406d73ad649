#!/usr/bin/env python3
"""Export/import round trip through the binary: write line protocol (floats with odd values,
integers, bools, strings) to one server, `metrics-manager export` it, `metrics-manager import`
it into a second server on another data directory, export again: the two exports must be
byte-identical, and the first must hold exactly what was written.

Usage: export_import_test.py path/to/metrics-manager
Python 3 standard library only.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request


# The test's series only: the servers also store their own mm_* metrics every few seconds.
OURS = '{__name__=~"m|m_.*"}'


def start(binary, work, name):
    cfg = os.path.join(work, "config")
    os.makedirs(cfg, exist_ok=True)
    with open(os.path.join(cfg, "metrics-manager.yaml"), "w") as f:
        f.write("metrics: []\n")
    out = open(os.path.join(work, name + ".out"), "w+")
    proc = subprocess.Popen([binary, "run", "--config", cfg, "--listen", "127.0.0.1:0",
                             "--data-dir", os.path.join(work, name)],
                            stdout=out, stderr=subprocess.STDOUT)
    for _ in range(300):
        with open(out.name) as f:
            m = re.search(r"listening on (http://[0-9.]+:\d+)", f.read())
        if m:
            return proc, m.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    with open(out.name) as f:
        sys.exit(f"FAIL: {name} did not start:\n{f.read()[-2000:]}")


def run(binary, *args, stdin=None):
    p = subprocess.run([binary, *args], input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAIL: metrics-manager {' '.join(args)} exited {p.returncode}:\n{p.stderr}")
    return p.stdout


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="mm_export_")
    procs = []
    try:
        a, url_a = start(binary, work, "a")
        procs.append(a)
        b, url_b = start(binary, work, "b")
        procs.append(b)
        t = int(time.time()) * 1000
        lines = []
        for i in range(200):
            v = ["0.1", "1e-300", "-0.0", "123456.78", "5e-324", "1.7976931348623157e308",
                 str(i / 3)][i % 7]
            lines.append(f"m,host=h{i % 3} value={v},n={i}i,u={i}u,ok={'true' if i % 2 else 'false'}"
                         f",msg=\"line {i} \\\"quoted\\\" ünï\" {t + i}")
        body = ("\n".join(lines) + "\n").encode()
        req = urllib.request.Request(url_a + "/write?precision=ms", data=body, method="POST")
        with urllib.request.urlopen(req) as r:
            if r.status != 204:
                sys.exit(f"FAIL: write: HTTP {r.status}")
        first = run(binary, "export", "--server", url_a, "--match", OURS)
        series = [json.loads(l) for l in first.splitlines()]
        names = sorted({s["metric"]["__name__"] for s in series})
        if names != ["m", "m_msg", "m_n", "m_ok", "m_u"]:
            sys.exit(f"FAIL: exported series {names}")
        total = sum(len(s["timestamps"]) for s in series)
        if total != 200 * 5:
            sys.exit(f"FAIL: exported {total} samples, wrote 1000")
        imported = run(binary, "import", "--server", url_b, stdin=first)
        second = run(binary, "export", "--server", url_b, "--match", OURS)
        if first != second:
            sys.exit(f"FAIL: round trip differs ({imported.strip()}):\n"
                     f"first:  {first[:400]}\nsecond: {second[:400]}")
        # Restart b: the imported data is durable too.
        b.send_signal(signal.SIGTERM)
        b.wait(timeout=30)
        b, url_b = start(binary, work, "b")
        procs.append(b)
        third = run(binary, "export", "--server", url_b, "--match", OURS)
        if third != first:
            sys.exit("FAIL: export after restart differs")
        # A large export (~8 MB) streams in many pieces: every series once, every sample there,
        # and memory of the server never holds it whole (the pieces are ~1 MB).
        big = []
        for i in range(4000):
            big.append("".join(f"big,h=h{i} value={(i * 7 + k) % 1000 / 10} {t + k * 1000}\n"
                               for k in range(100)))
        req = urllib.request.Request(url_a + "/write?precision=ms",
                                     data="".join(big).encode(), method="POST")
        with urllib.request.urlopen(req) as r:
            if r.status != 204:
                sys.exit(f"FAIL: write big: HTTP {r.status}")
        with urllib.request.urlopen(url_a + "/api/v1/export?match[]=big") as r:
            if r.headers.get("Content-Length") is not None:
                sys.exit("FAIL: the export was not streamed (it has a Content-Length)")
            text = r.read().decode()
        hosts = [json.loads(l)["metric"]["h"] for l in text.splitlines()]
        samples = sum(len(json.loads(l)["values"]) for l in text.splitlines())
        if len(hosts) != 4000 or len(set(hosts)) != 4000 or samples != 400000:
            sys.exit(f"FAIL: streamed export: {len(hosts)} lines, {len(set(hosts))} series, "
                     f"{samples} samples (want 4000, 4000, 400000)")
        print(f"OK: {len(series)} series, {total} samples round-tripped exactly; "
              f"a {len(text) >> 20} MB export streamed whole")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
