"""Cross-lingual search benchmark on one archive (the full corpus for the docs' numbers).

    python bench/bench_search_xling.py --db /tmp/full/dalil.db --eval-dir ../shared/eval [--build]

Measures and saves to bench/results/search_xling.json:
- the vector build (passages, seconds, passages/s; `--build` embeds what is missing first,
  otherwise the time recorded in the vectors' manifest);
- query latency p50/p95 per mode over the dev queries, `Archive.search` end to end
  (query embedding, bridge, lexical, dense, fusion, snippets, facets), after one warm-up query;
- the recall table of `python -m tools.dalil_dev eval` (queries and supported claims, by language and mode).
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dalil import Archive  # noqa: E402
from tools.dalil_dev.search_eval import evaluate, format_report, load_items, plain_query  # noqa: E402

MODES = ["lexical", "dense", "hybrid"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="/tmp/full/dalil.db")
    ap.add_argument("--eval-dir", required=True, help="folder of queries-dev.jsonl and claims-dev.jsonl")
    ap.add_argument("--build", action="store_true", help="embed the passages not embedded yet first")
    ap.add_argument("--skip-eval", action="store_true", help="latency only (the recall table: tools.dalil_dev eval)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "search_xling.json"))
    args = ap.parse_args()

    archive = Archive(args.db)
    out: dict = {"db": args.db, "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cpus",
                 "documents": archive.store.db.execute("SELECT count(*) FROM documents").fetchone()[0]}
    if args.build:
        t0 = time.perf_counter()
        out["build_now"] = archive.build_vectors(workers=2) | {"seconds": round(time.perf_counter() - t0, 1)}
    manifest = archive.vectors.manifest() or {}
    out["vectors"] = {"passages": manifest.get("count"), "build_seconds": manifest.get("build_seconds"),
                      "signature": manifest.get("signature")}
    if manifest.get("build_seconds"):
        out["vectors"]["passages_per_s"] = round(manifest["count"] / manifest["build_seconds"], 1)

    queries = [it for it in load_items(Path(args.eval_dir), "queries")]
    archive.search("warm up the models", limit=10)
    out["latency_ms"] = {}
    for mode in MODES:
        times = []
        for it in queries:
            t0 = time.perf_counter()
            archive.search(plain_query(it.text), limit=10, mode=mode)
            times.append((time.perf_counter() - t0) * 1000)
        out["latency_ms"][mode] = {"p50": round(statistics.median(times), 1),
                                   "p95": round(percentile(times, 95), 1), "n": len(times)}
        print(f"{mode:<8} p50 {out['latency_ms'][mode]['p50']:>7.1f} ms  p95 {out['latency_ms'][mode]['p95']:>7.1f} ms")

    if not args.skip_eval:
        report = evaluate(archive, load_items(Path(args.eval_dir), "both"), MODES)
        out["eval"] = report
        print(format_report(report))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1, ensure_ascii=False))
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
