"""Claim-tracing speed: a saved 10-claim news page traced against a warm archive.

    python bench/bench_trace.py --db /tmp/full/dalil.db [--article demo/article-ar-start.html] [--runs 3]

The first trace loads the models and the passage vectors (reported apart as `cold_s`); the
following runs are the warm figures.  Saves bench/results/trace.json.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dalil import Archive  # noqa: E402

TARGET_S = 10.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="/tmp/full/dalil.db")
    ap.add_argument("--article", default=str(ROOT / "demo" / "article-ar-start.html"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "trace.json"))
    args = ap.parse_args()

    archive = Archive(args.db, readonly=True)
    data = Path(args.article).read_bytes()
    t0 = time.perf_counter()
    report = archive.trace(data, name=args.article)
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(args.runs):
        archive.tracer.finder.encoder.cache.clear()      # no help from the previous run's vectors
        t0 = time.perf_counter()
        report = archive.trace(data, name=args.article)
        warm.append(time.perf_counter() - t0)
    manifest = archive.vectors.manifest() or {}
    out = {
        "db": args.db, "article": os.path.relpath(args.article, ROOT),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        "documents": archive.store.db.execute("SELECT count(*) FROM documents").fetchone()[0],
        "passage_vectors": manifest.get("count", 0),
        "claims": len(report.claims), "cold_s": round(cold, 2),
        "warm_s": [round(w, 2) for w in warm], "warm_median_s": round(statistics.median(warm), 2),
        "per_claim_s": round(statistics.median(warm) / max(len(report.claims), 1), 3),
        "target_s": TARGET_S, "verdicts": [c.verdict.label for c in report.claims],
    }
    out["meets_target"] = out["warm_median_s"] <= TARGET_S
    print(json.dumps(out, indent=1, ensure_ascii=False))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
