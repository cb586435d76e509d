"""Time of a first ingest and of a re-ingest of the same input (nothing new), whole command, with the
stages of the report, against another checkout of dalil run alternately.

    python bench/bench_ingest_stages.py ../shared/data/clinton-foia-text.tar.gz --other /work/main --runs 3

Each run ingests the input into a fresh archive under `/usr/bin/time -v`, then again into the same
archive; it records wall and CPU seconds (user + system, the reader and pass workers included),
peak RSS, the pipeline's and the passes' seconds from the `--json` report and the load average
before and after.  Rows are printed and saved (bench/results/ingest-stages.json).  On a shared
machine compare the CPU seconds: the wall time stretches with the load.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(tree: str, source: str, db: str, label: str) -> dict:
    load = os.getloadavg()
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "dalil", "ingest", source, "--db", db, "--json"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": tree}, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - t0
    report = json.loads(proc.stdout) if proc.returncode == 0 else {}
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr))
    intel = report.get("intel") or {}
    return {"tree": tree, "run": label, "exit": proc.returncode, "wall": round(wall, 1), "cpu": round(cpu, 1),
            "peak_mb": int(peak.group(1)) // 1024 if peak else None, "pipeline": round(report.get("seconds", 0), 1),
            "added": report.get("added"), "unchanged": report.get("unchanged"), "intel_seconds": intel.get("seconds"),
            "duplicates": intel.get("duplicates"), "people": intel.get("people"),
            "load_before": [round(x, 1) for x in load], "load_after": [round(x, 1) for x in os.getloadavg()]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", help="the input to ingest (a release .tar.gz)")
    ap.add_argument("--other", help="another checkout of dalil (e.g. main) run alternately")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "ingest-stages.json"))
    args = ap.parse_args()
    trees = [str(ROOT)] + ([args.other] if args.other else [])
    rows = []
    with tempfile.TemporaryDirectory(prefix="dalil-bench-stages-") as tmp:
        for i in range(args.runs):
            for k, tree in enumerate(trees):
                db = os.path.join(tmp, f"a{i}-{k}.db")
                for label in (f"first-{i}", f"again-{i}"):
                    row = run(tree, args.source, db, label)
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    Path(args.out).write_text(json.dumps({"command": " ".join(sys.argv), "rows": rows}, indent=1) + "\n")
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
