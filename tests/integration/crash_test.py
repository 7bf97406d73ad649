#!/usr/bin/env python3
"""Crash test of the durable store: nothing acknowledged is ever lost.

Each round starts `metrics-manager run --data-dir D` on a free loopback port, writes batches of
line protocol from several client threads as fast as it can (recording every batch answered
204), kills the server with SIGKILL at a random moment, restarts it on the same directory and
checks that every acknowledged sample of every round so far is there with its exact value
(raw samples through an instant query of a range selector). Rounds share the directory, so the
replay of older WAL segments (and checkpoints, blocks) is checked too: every round checks the
last two rounds' samples, every 10th round and the last one check all of them. Every third
round also calls `POST /internal/force_flush` at a random moment while the writers run, so the
kill can land in a block cut, a checkpoint or a compaction; writes refused because the flush
moved their window into blocks (400, "too old") are simply not acknowledged.

Usage: crash_test.py path/to/metrics-manager [--rounds 20] [--seed N]
Python 3 standard library only. Exit 0 on success; a failure names the round, series and sample.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

WRITERS = 3
SERIES_PER_WRITER = 4
LINES_PER_BATCH = 400


class Server:
    def __init__(self, binary, data_dir, work):
        self.binary, self.data_dir, self.work = binary, data_dir, work
        self.proc = None
        self.host = self.port = None

    def start(self, round_no):
        cfg = os.path.join(self.work, "config")
        os.makedirs(cfg, exist_ok=True)
        # No pull sources: only our writes reach the store.
        with open(os.path.join(cfg, "metrics-manager.yaml"), "w") as f:
            f.write("metrics: []\n")
        self.out = open(os.path.join(self.work, f"run{round_no}.out"), "w+")
        self.err = open(os.path.join(self.work, f"run{round_no}.err"), "w+")
        self.proc = subprocess.Popen(
            [self.binary, "run", "--config", cfg, "--listen", "127.0.0.1:0",
             "--data-dir", self.data_dir],
            stdout=self.out, stderr=self.err)
        deadline = time.time() + 30
        while time.time() < deadline:
            self.out.flush()
            with open(self.out.name) as f:
                m = re.search(r"listening on http://([0-9.]+):(\d+)", f.read())
            if m:
                self.host, self.port = m.group(1), int(m.group(2))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        with open(self.err.name) as f:
            err = f.read()
        raise SystemExit(f"FAIL: round {round_no}: server did not start "
                         f"(exit {self.proc.poll()}):\n{err[-3000:]}")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def writer(server, round_no, wid, t0, stop, acked, lock, stats):
    """Writes batches until stop is set or the server dies; records acknowledged samples."""
    seq = 0
    try:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
        while not stop.is_set():
            lines, samples = [], []
            for _ in range(LINES_PER_BATCH // SERIES_PER_WRITER):
                t = t0 + seq
                for s in range(SERIES_PER_WRITER):
                    # Two decimals (the decimal chunk encoding) and odd values (XOR) mixed.
                    if s % 2 == 0:
                        v = round((seq * 7 + s * 13 + round_no) % 100000 / 100.0, 2)
                        text = f"{v:.2f}"
                    else:
                        v = (seq + 1) / 3.0 + round_no
                        text = repr(v)
                    key = (round_no, wid, s)
                    lines.append(f"crash,r=r{round_no},w=w{wid},s=s{s} value={text} {t}")
                    samples.append((key, t, v))
                seq += 1
            body = ("\n".join(lines) + "\n").encode()
            conn.request("POST", "/write?precision=ms", body=body,
                         headers={"Content-Type": "text/plain"})
            resp = conn.getresponse()
            resp.body = resp.read()
            if resp.status == 204:
                with lock:
                    for key, t, v in samples:
                        acked.setdefault(key, {})[t] = v
                    stats["batches"] += 1
            elif resp.status in (503, 429):
                time.sleep(0.01)
            elif resp.status == 400 and stats.get("flushing") and b"too old" in body_of(resp):
                continue  # a concurrent force flush moved this window into blocks
            else:
                stats["errors"].append(f"writer {wid}: HTTP {resp.status}")
                return
    except (OSError, http.client.HTTPException):
        return  # the server was killed mid-request: that batch is not acknowledged


def body_of(resp):
    return getattr(resp, "body", b"")


def flusher(server, delay, stats):
    """Calls POST /internal/force_flush after `delay` seconds (the server may be dead by then)."""
    time.sleep(delay)
    try:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
        conn.request("POST", "/internal/force_flush")
        resp = conn.getresponse()
        body = resp.read()
        if resp.status == 200:
            stats["flushes"] += 1
        else:
            stats["errors"].append(f"force_flush: HTTP {resp.status}: {body[:300]!r}")
    except (OSError, http.client.HTTPException):
        pass  # killed during the flush: what it was doing must not lose anything


def query_series(server, round_no, wid, s, t_lo, t_hi):
    """Raw samples of one series in [t_lo, t_hi] (ms) as {t: value}."""
    rng_s = max(1, (t_hi - t_lo) // 1000 + 2)
    q = f'crash{{r="r{round_no}",w="w{wid}",s="s{s}"}}[{rng_s}s]'
    params = urllib.parse.urlencode({"query": q, "time": f"{t_hi / 1000:.3f}"})
    conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
    conn.request("GET", "/api/v1/query?" + params)
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise SystemExit(f"FAIL: query {q}: HTTP {resp.status}: {body[:500]!r}")
    data = json.loads(body)
    out = {}
    for series in data["data"]["result"]:
        for ts, val in series["values"]:
            out[round(float(ts) * 1000)] = float(val)
    return out


def verify(server, acked, upto_round, full):
    """Checks this round's and the previous round's samples; every round's when `full`."""
    checked = 0
    for (r, wid, s), samples in sorted(acked.items()):
        if not samples or (not full and r < upto_round - 1):
            continue
        got = query_series(server, r, wid, s, min(samples), max(samples))
        for t, v in samples.items():
            if t not in got:
                raise SystemExit(f"FAIL: after round {upto_round}: acknowledged sample lost: "
                                 f"crash{{r=r{r},w=w{wid},s=s{s}}} t={t} v={v!r}")
            if got[t] != v:
                raise SystemExit(f"FAIL: after round {upto_round}: crash{{r=r{r},w=w{wid},"
                                 f"s=s{s}}} t={t}: stored {got[t]!r}, acknowledged {v!r}")
            checked += 1
    return checked


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--max-kill-delay", type=float, default=0.8)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rnd = random.Random(seed)
    print(f"crash test: {args.rounds} rounds, seed {seed} (--seed {seed} repeats the kill times)")

    work = tempfile.mkdtemp(prefix="mm_crash_")
    data_dir = os.path.join(work, "data")
    server = Server(args.binary, data_dir, work)
    acked, lock = {}, threading.Lock()
    started = time.time()
    try:
        now_ms = int(time.time() * 1000)
        for r in range(args.rounds):
            server.start(r)
            stop = threading.Event()
            flushing = r % 3 == 2
            stats = {"batches": 0, "errors": [], "flushing": flushing, "flushes": 0}
            # Timestamps: each round after the previous one, all ahead of the server's own
            # metrics (stored at the current time), so that a force flush, which refuses samples
            # older than the newest one it flushed, refuses none of the later rounds'.
            t0 = now_ms + 3_600_000 + r * 10_000_000 // args.rounds
            threads = [threading.Thread(target=writer,
                                        args=(server, r, w, t0, stop, acked, lock, stats))
                       for w in range(WRITERS)]
            kill_delay = rnd.uniform(0.05, args.max_kill_delay)
            if flushing:
                threads.append(threading.Thread(
                    target=flusher, args=(server, rnd.uniform(0, kill_delay * 1.2), stats)))
            for t in threads:
                t.start()
            time.sleep(kill_delay)
            server.kill()
            stop.set()
            for t in threads:
                t.join()
            if stats["errors"]:
                raise SystemExit(f"FAIL: round {r}: {stats['errors'][:3]}")
            server.start(f"{r}b")
            full = r % 10 == 9 or r == args.rounds - 1
            n = verify(server, acked, r, full)
            server.stop()
            flushed = f", {stats['flushes']} force flush" if flushing else ""
            print(f"round {r + 1}/{args.rounds}: {stats['batches']} batches acknowledged"
                  f"{flushed}, {n} samples verified{' (all rounds)' if full else ''}")
        print(f"OK: {args.rounds} rounds in {time.time() - started:.1f} s")
    finally:
        server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
