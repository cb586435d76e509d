"""CPU time of one warm search in one process: the queries of `bench_web.py --distinct` (word
pairs, each asked once), after a warm-up, CPU (`time.process_time`) and wall time per search.
CPU is the figure that travels on a shared machine; the load average is saved with it.

    python bench/bench_warm.py --db ARCHIVE --warmup 100 --queries 100 --rounds 3

Prints a summary and writes bench/results/warm.json.  Each round asks new queries; the best
round is the one reported as `best` (the machine is shared: other jobs only ever add time).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_web import distinct_queries  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--mode", default=None, help="search mode (default: the archive's)")
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--queries", type=int, default=100, help="per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "warm.json"))
    args = ap.parse_args()
    from dalil import Archive
    archive = Archive(args.db, readonly=True)
    queries = distinct_queries(args.warmup + args.queries * args.rounds)
    for q in queries[:args.warmup]:
        archive.search(q, limit=10, mode=args.mode)
    rounds = []
    for r in range(args.rounds):
        batch = queries[args.warmup + r * args.queries:args.warmup + (r + 1) * args.queries]
        cpu, wall = [], []
        for q in batch:
            c0, w0 = time.process_time(), time.perf_counter()
            archive.search(q, limit=10, mode=args.mode)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        rounds.append({"cpu_ms": {"mean": round(statistics.fmean(cpu), 1), "p50": round(statistics.median(cpu), 1)},
                       "wall_ms": {"mean": round(statistics.fmean(wall), 1), "p50": round(statistics.median(wall), 1)},
                       "load_average": [round(x, 2) for x in os.getloadavg()]})
        print(f"round {r + 1}: CPU mean {rounds[-1]['cpu_ms']['mean']} ms, p50 {rounds[-1]['cpu_ms']['p50']} ms; "
              f"wall mean {rounds[-1]['wall_ms']['mean']} ms; load {rounds[-1]['load_average'][0]}")
    best = min(rounds, key=lambda x: x["cpu_ms"]["mean"])
    out = {"benchmark": "warm search CPU per query, one process (bench_web --distinct queries)",
           "command": "python bench/bench_warm.py " + " ".join(sys.argv[1:]), "db": args.db,
           "mode": args.mode or "default", "warmup": args.warmup, "queries_per_round": args.queries,
           "rounds": rounds, "best": best,
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"best round: CPU mean {best['cpu_ms']['mean']} ms (load {best['load_average'][0]}) → {args.out}")


if __name__ == "__main__":
    main()
