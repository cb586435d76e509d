"""What access control costs a search: the same queries on the whole archive, as an admin (no
filter, audit log written), and as a reader granted about half the collections (every query
filtered by collection, facets over the granted documents, the result's dense side masked).

    python bench/bench_access.py --db COPY_OF_ARCHIVE [--runs 5]

Writes to the archive (collections, two accounts, the audit log): give it a copy (with its
`.vectors` folder beside it for hybrid search).  The releases are split in two collections by
name, alternately; prints and saves bench/results/access.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from dalil import Archive

# Written for this benchmark (none from the evaluation set): English, Arabic, French, filters.
QUERIES = ["pipeline contract", "ambassador Cairo", "وزير الخارجية ليبيا", "from:mills", "haiti OR earthquake",
           "réunion à Paris", "schedule for tomorrow", "press statement draft", "release:NovWeb oil",
           "prime minister visit"]


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p * len(values)))], 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    archive = Archive(args.db)
    releases = sorted(r for r in archive.status()["by_release"] if r != "(none)")
    half = releases[::2]
    # Split by release: documents of every other release go to "a", the rest to "b".
    docs_a = [r["doc_id"] for rel in half for r in archive.export(query=f"release:{rel}", mode="lexical").rows()]
    archive.store.set_collection(docs_a, "a")
    archive.store.set_collection([d for d in archive.store.collection_doc_ids(["default"])], "b")
    archive.store.commit()
    for name, role, grants in (("bench-admin", "admin", []), ("bench-reader", "reader", ["a"])):
        if name not in {u["name"] for u in archive.users()}:
            archive.add_user(name, role, "benchmark password")
        for g in grants:
            archive.grant(name, g)
    archive.close()
    archive = Archive(args.db, readonly=True)
    mode = "hybrid" if archive.has_vectors() else "lexical"
    views = {"archive": archive, "admin": archive.for_user(archive.user("bench-admin")),
             "reader": archive.for_user(archive.user("bench-reader"))}
    out = {"db": str(args.db), "mode": mode, "collections": dict(archive.collections()), "runs": args.runs,
           "queries": len(QUERIES)}
    for q in QUERIES:           # models, facet arrays, duplicate groups: loaded once for every view
        archive.search(q, limit=10, mode=mode)
    for name, view in views.items():
        t0 = time.perf_counter()
        view.search("state", limit=10, mode=mode)          # first search: caches, the user's mask
        first = (time.perf_counter() - t0) * 1000
        times = [t for q in QUERIES for t in timed(lambda: view.search(q, limit=10, mode=mode), args.runs)]
        out[name] = {"first_ms": round(first, 1), "p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95),
                     "mean_ms": round(statistics.mean(times), 1)}
        print(f"{name:<8} first {first:7.1f} ms   p50 {out[name]['p50_ms']:7.1f} ms   p95 {out[name]['p95_ms']:7.1f} ms")
    archive.close()
    path = Path(__file__).parent / "results" / "access.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"saved {path}")


if __name__ == "__main__":
    main()
