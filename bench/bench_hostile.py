"""Hostile-load benchmark of `dalil serve`: 8 clients of ordinary searches, alternately alone
and while a 9th client sends oversized and pathological requests (in `--rounds` rounds, so that
the drifting load of a shared machine falls on both phases alike); the ordinary clients' p95 must
stay within twice its idle value (issue 25).  Each client speaks from its own loopback
address (127.0.2.x, the attacker 127.0.3.1), as separate people would, so the per-client
limits apply to each one and the server runs with its default limits.

    python bench/bench_hostile.py --db /work/full/dalil.db --seconds 60 --rounds 4

Also measures, in this process with the query limits lifted, what one long word costs a search
(`--word-lengths`): the cost the limits stand between the server and.  Prints a summary and
writes bench/results/hostile.json.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import random
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_web import QUERIES, free_port, percentile  # noqa: E402

COMMON = ["state", "department", "libya", "secretary", "meeting", "embassy", "president", "office"]


def hostile_requests() -> list[tuple[str, str, dict]]:
    """(label, method, httpx keyword arguments) of each kind of hostile request, in turn."""
    rnd = random.Random(25)
    word = lambda n: "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))  # noqa: E731
    return [
        ("word of 20,000 characters", "GET", {"url": "/api/search", "params": {"q": word(20_000)[:12_000]}}),
        ("query of 900 words", "GET", {"url": "/api/search", "params": {"q": " ".join(COMMON * 100)[:12_000]}}),
        ("32 common words OR-ed", "GET", {"url": "/api/search", "params": {"q": " OR ".join((COMMON * 4)[:32])}}),
        ("4 short prefixes", "GET", {"url": "/api/search", "params": {"q": "st* de* pr* se*"}}),
        ("5 words of 200 letters", "GET", {"url": "/api/search", "params": {"q": " ".join(word(200) for _ in range(5))}}),
        ("32-word phrase", "GET", {"url": "/api/search", "params": {"q": '"' + " ".join((COMMON * 4)[:32]) + '"'}}),
        ("single-letter prefix", "GET", {"url": "/api/search", "params": {"q": "a*"}}),
        ("3 MB trace body", "POST", {"url": "/api/trace", "content": b"x " * 1_500_000,
                                     "headers": {"content-type": "text/plain"}}),
        ("1 MB chunked trace body", "POST", {"url": "/api/trace", "content": None,
                                             "headers": {"content-type": "text/plain"}}),
        ("search page, 40 terms", "GET", {"url": "/", "params": {"q": " ".join(COMMON * 5)}}),
    ]


def start_server(db: str, port: int, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", "from dalil.cli import run; run()", "serve", "--db", db,
                             "--port", str(port), "--workers", str(workers)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("dalil serve exited: " + proc.stderr.read())
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=5).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("dalil serve did not start within 180 s")


def summary(latencies: list[float], codes: collections.Counter) -> dict:
    return {"requests": len(latencies), "codes": dict(codes),
            "latency_ms": {"p50": round(percentile(latencies, 50), 1), "p95": round(percentile(latencies, 95), 1),
                           "p99": round(percentile(latencies, 99), 1), "max": round(max(latencies), 1)}}


def ordinary_load(base: str, clients: int, seconds: float, latencies: list[float],
                  codes: collections.Counter) -> None:
    """Closed-loop clients cycling over bench_web's ordinary queries for `seconds`; adds to
    `latencies` (ms) and `codes`."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def one(i: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.2.{i + 1}")
        with httpx.Client(base_url=base, timeout=120, transport=transport) as http:
            n = i * 7
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                try:
                    code = http.get("/api/search", params={"q": QUERIES[n % len(QUERIES)], "limit": 10}).status_code
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                with lock:
                    latencies.append((time.perf_counter() - t0) * 1000)
                    codes[str(code)] += 1
                n += 1
    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def attacker(base: str, stop: threading.Event, out: dict) -> None:
    """One client sending the hostile requests in turn, as fast as they are answered."""
    kinds = hostile_requests()
    transport = httpx.HTTPTransport(local_address="127.0.3.1")
    with httpx.Client(base_url=base, timeout=120, transport=transport) as http:
        n = 0
        while not stop.is_set():
            label, method, kw = kinds[n % len(kinds)]
            kw = dict(kw)
            if kw.get("content", 1) is None:
                kw["content"] = (b"word " * 2000 for _ in range(100))      # chunked: no Content-Length
            t0 = time.perf_counter()
            try:
                code = str(http.request(method, **kw).status_code)
            except httpx.HTTPError as exc:
                code = type(exc).__name__
            ms = (time.perf_counter() - t0) * 1000
            entry = out.setdefault(label, {"codes": collections.Counter(), "max_ms": 0.0})
            entry["codes"][code] += 1
            entry["max_ms"] = round(max(entry["max_ms"], ms), 1)
            n += 1


def long_words(db: str, lengths: list[int]) -> list[dict]:
    """Time and memory of one search for a random word of each length, with the limits lifted."""
    os.environ["DALIL_MAX_QUERY_CHARS"] = os.environ["DALIL_MAX_WORD_CHARS"] = str(max(lengths) + 1)
    from dalil import Archive
    archive = Archive(db, readonly=True)
    archive.search("state", limit=1)
    rnd = random.Random(1)
    rows = []
    for n in lengths:
        word = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        archive.search(word, limit=10)
        rows.append({"chars": n, "seconds": round(time.perf_counter() - t0, 3),
                     "peak_rss_growth_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024})
    archive.close()
    del os.environ["DALIL_MAX_QUERY_CHARS"], os.environ["DALIL_MAX_WORD_CHARS"]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=os.environ.get("DALIL_DB", "/work/full/dalil.db"))
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30, help="length of each phase (idle, under attack)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="alternate the phases in this many rounds (the load of a shared machine drifts)")
    ap.add_argument("--workers", type=int, default=1, help="server processes")
    ap.add_argument("--word-lengths", default="2000,20000",
                    help="long words to time in-process with the limits lifted ('' to skip)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "hostile.json"))
    args = ap.parse_args()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(args.db, port, args.workers)
    try:
        ordinary_load(base, args.clients, min(10.0, args.seconds), [], collections.Counter())     # warm-up
        runs = {"idle": ([], collections.Counter()), "under_attack": ([], collections.Counter())}
        hostile: dict = {}
        for _ in range(args.rounds):
            ordinary_load(base, args.clients, args.seconds / args.rounds, *runs["idle"])
            stop = threading.Event()
            thread = threading.Thread(target=attacker, args=(base, stop, hostile))
            thread.start()
            try:
                ordinary_load(base, args.clients, args.seconds / args.rounds, *runs["under_attack"])
            finally:
                stop.set()
                thread.join(300)
        idle, attacked = summary(*runs["idle"]), summary(*runs["under_attack"])
        after = httpx.get(base + "/api/status", timeout=30).status_code
    finally:
        proc.terminate()
        proc.wait(10)
    words = long_words(args.db, [int(x) for x in args.word_lengths.split(",") if x]) if args.word_lengths else []
    ratio = attacked["latency_ms"]["p95"] / idle["latency_ms"]["p95"]
    report = {
        "benchmark": "ordinary search latency while one client sends hostile requests (loopback)",
        "command": " ".join(["python", Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "db": args.db, "clients": args.clients, "seconds_per_phase": args.seconds, "rounds": args.rounds,
        "server_workers": args.workers,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "idle": idle, "under_attack": attacked, "p95_ratio": round(ratio, 2),
        "meets_target": ratio <= 2.0 and set(attacked["codes"]) == {"200"},
        "attacker": {k: {"codes": dict(v["codes"]), "max_ms": v["max_ms"]} for k, v in hostile.items()},
        "status_after": after, "long_words_limits_lifted": words,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    for name in ("idle", "under_attack"):
        run = report[name]
        lat = run["latency_ms"]
        print(f"{name:12s} {run['requests']:5d} requests {run['codes']}: p50 {lat['p50']} ms, p95 {lat['p95']} ms, "
              f"p99 {lat['p99']} ms, max {lat['max']} ms")
    print(f"p95 under attack / idle = {report['p95_ratio']} (target ≤ 2): "
          f"{'met' if report['meets_target'] else 'NOT met'}")
    for label, v in report["attacker"].items():
        print(f"  attacker {label:28s} {v['codes']} slowest {v['max_ms']} ms")
    for row in words:
        print(f"  one word of {row['chars']} characters, limits lifted: {row['seconds']} s, "
              f"+{row['peak_rss_growth_mb']} MB peak")
    print(f"load average {report['machine']['load_average_at_end']} → {out}")


if __name__ == "__main__":
    main()
