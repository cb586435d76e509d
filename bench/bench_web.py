"""Load benchmark of the web API: `dalil serve` on loopback, a bounded number of search
requests from concurrent clients, latency percentiles and error count.

    python bench/bench_web.py --db /tmp/full/dalil.db --clients 8 --requests 400

Prints a summary and writes bench/results/web.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

# 60 queries of the kinds people type: rare names, common words, phrases, filters, OR,
# exclusions, prefixes, OCR-damaged spellings and Arabic.
QUERIES = [
    "libya", "benghazi", "sullivan", "blumenthal", "abedin", "mills", "qaddafi", "gaddafi", "mubarak",
    "egypt", "syria", "iran", "haiti", "pakistan", "china", "russia", "israel", "afghanistan",
    "meeting", "call", "schedule", "speech", "press", "statement", "tomorrow", "report",
    '"state department"', '"prime minister"', '"white house"', '"secretary clinton"', '"muslim brotherhood"',
    '"arab spring"', '"human rights"', '"national security"',
    "from:mills", "from:sullivan libya", "to:abedin schedule", "subject:haiti", "exemption:B1",
    "exemption:B5 iran", "release:HRCEmail_NovWeb egypt", "after:2012-09-01 before:2012-10-01 benghazi",
    "libya after:2011-02-01 before:2011-04-01", "syria -russia", "egypt OR tunisia", "qadd*", "negotiat*",
    "sullivaral", "blumenthat", "mubaralc", "hrod17", "cheryl mills libya", "jake sullivan memo",
    "oil production", "election results", "ambassador stevens", "ليبيا", "مصر", "بنغازي", "سوريا",
]

# --distinct: every request a query the server has never seen (no cache of query vectors or
# bridged terms can help): unordered pairs of these words, in a fixed shuffled order.
WORDS = [
    "libya", "benghazi", "sullivan", "blumenthal", "abedin", "mills", "qaddafi", "mubarak", "egypt", "syria",
    "iran", "haiti", "pakistan", "china", "russia", "israel", "afghanistan", "meeting", "call", "schedule",
    "speech", "press", "statement", "report", "ambassador", "election", "oil", "security", "embassy", "rebels",
    "refugees", "sanctions", "treaty", "nuclear", "military", "protest", "budget", "congress", "senator", "memo",
    "ليبيا", "مصر", "سوريا", "القذافي", "السفير", "اجتماع", "النفط", "الانتخابات", "اللاجئين", "العقوبات",
    "Libye", "Égypte", "ambassadeur", "réunion", "pétrole", "élections", "réfugiés", "frontière", "rebelles", "armée",
]


def distinct_queries(n: int) -> list[str]:
    import itertools
    import random
    pairs = [f"{a} {b}" for a, b in itertools.combinations(dict.fromkeys(WORDS), 2)]
    random.Random(7).shuffle(pairs)
    if n > len(pairs):
        raise SystemExit(f"--distinct gives at most {len(pairs)} queries")
    return pairs[:n]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Every client of this benchmark comes from 127.0.0.1: the per-address limits (docs/web.md) would
# count them as one person, so they are lifted; bench_hostile.py measures them.
UNLIMITED_CLIENT = {"DALIL_SEARCH_PER_MINUTE": "1000000", "DALIL_WORK_SECONDS_PER_MINUTE": "1000000",
                    "DALIL_MAX_HEAVY_PER_CLIENT": "1000"}


def start_server(db: str, port: int, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", "from dalil.cli import run; run()", "serve", "--db", db,
                             "--port", str(port), "--workers", str(workers)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **UNLIMITED_CLIENT})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("dalil serve exited: " + proc.stderr.read())
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=5).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("dalil serve did not start within 120 s")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def run_load(base: str, clients: int, total: int, limit: int, mode: str | None,
             queries: list[str] | None = None) -> dict:
    """`total` requests, cycling over `queries` (default: QUERIES)."""
    queries = queries or QUERIES
    jobs: queue.Queue = queue.Queue()
    for i in range(total):
        jobs.put(queries[i % len(queries)])
    latencies: list[float] = []
    server_ms: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            while True:
                try:
                    q = jobs.get_nowait()
                except queue.Empty:
                    return
                params = {"q": q, "limit": limit} | ({"mode": mode} if mode else {})
                t0 = time.perf_counter()
                try:
                    r = http.get("/api/search", params=params)
                    ok = r.status_code == 200
                    took = r.json().get("took_ms") if ok else None
                    detail = None if ok else f"{r.status_code} {q}: {r.text[:200]}"
                except httpx.HTTPError as exc:
                    took, detail = None, f"{type(exc).__name__} {q}"
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    latencies.append(elapsed)
                    if detail:
                        errors.append(detail)
                    elif took is not None:
                        server_ms.append(took)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "requests": len(latencies), "errors": len(errors), "error_samples": errors[:5],
        "wall_s": round(wall, 2), "throughput_rps": round(len(latencies) / wall, 1),
        "latency_ms": {"p50": round(percentile(latencies, 50), 1), "p95": round(percentile(latencies, 95), 1),
                       "p99": round(percentile(latencies, 99), 1), "max": round(max(latencies), 1),
                       "mean": round(statistics.fmean(latencies), 1)},
        "server_took_ms": {"p50": round(percentile(server_ms, 50), 1), "p95": round(percentile(server_ms, 95), 1)}
        if server_ms else {},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=os.environ.get("DALIL_DB", "/tmp/full/dalil.db"))
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2, help="server processes")
    ap.add_argument("--modes", default="default,lexical",
                    help="comma-separated search modes to measure, one run each ('default': the server's choice)")
    ap.add_argument("--distinct", action="store_true",
                    help="every request (warm-up included) a different query: pairs of WORDS, none repeated")
    ap.add_argument("--out", default=None, help="default: bench/results/web.json (web-distinct.json with --distinct)")
    args = ap.parse_args()
    args.out = args.out or str(Path(__file__).parent / "results" / ("web-distinct.json" if args.distinct else "web.json"))

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    proc = start_server(args.db, port, args.workers)
    runs = {}
    try:
        n_warm = len(QUERIES) * args.workers
        fresh = distinct_queries(len(modes) * (n_warm + args.requests)) if args.distinct else []
        for mode in modes:
            wire_mode = None if mode == "default" else mode
            if args.distinct:
                # Warm-up and measurement on queries never sent before (each string once).
                warm_q, fresh = fresh[:n_warm], fresh[n_warm:]
                run_q, fresh = fresh[:args.requests], fresh[args.requests:]
            else:
                # Warm-up: every query once per server process, outside the measurement.
                warm_q, run_q = QUERIES, QUERIES
            warm = run_load(base, args.clients, n_warm, args.limit, wire_mode, warm_q)
            runs[mode] = {"warmup_errors": warm["errors"],
                          **run_load(base, args.clients, args.requests, args.limit, wire_mode, run_q)}
    finally:
        proc.terminate()
        proc.wait(10)
    for run in runs.values():
        run["meets_target"] = run["latency_ms"]["p95"] <= 150 and run["errors"] == 0 and run["warmup_errors"] == 0
    report = {
        "benchmark": "web API search under concurrent load (loopback)",
        "command": " ".join(["python", Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "db": args.db, "clients": args.clients, "requests_per_mode": args.requests,
        "distinct_queries": args.requests if args.distinct else len(QUERIES),
        "query_set": "word pairs, each sent once (--distinct)" if args.distinct else "60 fixed queries, cycled",
        "limit": args.limit, "server_workers": args.workers,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "target": {"p95_ms": 150, "errors": 0},
        "runs": runs,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    for mode, run in runs.items():
        lat = run["latency_ms"]
        print(f"{mode}: {run['requests']} requests, {args.clients} clients, {args.workers} server processes: "
              f"p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms, max {lat['max']} ms, "
              f"server search p50 {run['server_took_ms'].get('p50')} ms, {run['throughput_rps']} req/s, "
              f"errors {run['errors']} (warm-up errors {run['warmup_errors']})")
        for e in run["error_samples"]:
            print("  error:", e)
    print(f"load average {report['machine']['load_average_at_end']} → {out}")


if __name__ == "__main__":
    main()
