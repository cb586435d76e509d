"""Cold `dalil search`: each query in a new process, as a user at the command line runs it.

    python bench/bench_cold.py --db ARCHIVE [--runs 3]

Runs every query of QUERIES in lexical and hybrid mode, `--runs` times each, each a new
`python -m dalil search` process, and prints and saves (bench/results/cold.json) the wall time
(p50, max) and peak resident memory (max RSS of the child, from getrusage) per mode.  The first
run of all fills dalil's model cache (see dalil/text/model_cache.py) and the page cache; it is
run once before timing and not counted.

The children keep compiled bytecode (in a folder of the system's temporary directory, as an
installed package keeps it in site-packages): with PYTHONDONTWRITEBYTECODE set, as on the
development machines, every process compiled dalil's 60-odd modules again, 0.3 s that no
installed `dalil` pays.  The load average is recorded before and after the runs: the machine
is shared, and a busy one stretches every figure.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# English, Arabic and French queries, written for this benchmark (none from the evaluation set).
QUERIES = [
    "pipeline contract negotiations",
    "ambassador visit Cairo",
    "وزير الخارجية ليبيا",
    "انتخابات البرلمان",
    "réunion du conseil de sécurité",
    "aide humanitaire Haïti",
]
MODES = ("lexical", "hybrid")


def child_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("PYTHONPYCACHEPREFIX", os.path.join(tempfile.gettempdir(), "dalil-bench-pycache"))
    return env


def run_once(db: str, query: str, mode: str) -> tuple[float, int, float]:
    """(wall seconds, peak RSS in KB, CPU seconds: user + system) of one `dalil search` process.
    CPU time is what a busy machine stretches least: it is the wall time of a quiet one, less
    the time spent waiting for the disk."""
    t0 = time.perf_counter()
    pid = subprocess.Popen([sys.executable, "-m", "dalil", "search", query, "--mode", mode, "--db", db],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env()).pid
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"dalil search {query!r} --mode {mode} failed")
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "cold.json"))
    args = ap.parse_args()
    for q in QUERIES:              # warm the model cache, the kept tables, the bytecode, the page cache
        run_once(args.db, q, "hybrid")
    out: dict = {"db": args.db, "runs": args.runs, "queries": QUERIES, "modes": {},
                 "load_average_before": os.getloadavg()}
    for mode in MODES:
        walls, rss, cpus = [], [], []
        for _ in range(args.runs):
            for q in QUERIES:
                w, r, c = run_once(args.db, q, mode)
                walls.append(w)
                rss.append(r)
                cpus.append(c)
        out["modes"][mode] = {"n": len(walls), "wall_p50_s": round(statistics.median(walls), 3),
                              "wall_max_s": round(max(walls), 3), "cpu_p50_s": round(statistics.median(cpus), 3),
                              "cpu_max_s": round(max(cpus), 3), "peak_rss_mb": round(max(rss) / 1024),
                              "rss_p50_mb": round(statistics.median(rss) / 1024)}
        m = out["modes"][mode]
        print(f"{mode:8s} n={m['n']:3d}  wall p50 {m['wall_p50_s']:.2f} s  max {m['wall_max_s']:.2f} s  "
              f"CPU p50 {m['cpu_p50_s']:.2f} s  max {m['cpu_max_s']:.2f} s  "
              f"peak RSS {m['peak_rss_mb']} MB (p50 {m['rss_p50_mb']} MB)")
    out["load_average"] = os.getloadavg()
    print(f"load average before {out['load_average_before'][0]:.2f}, after {out['load_average'][0]:.2f}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
