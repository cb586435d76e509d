"""Kept work on a large archive: the time of `alerts` (every saved search matched against the
documents above its high-water mark), of the `tag:`/`is:` filters, of writing a tag, and of a
result page's read marks.

    python bench/bench_kept.py --db COPY_OF_ARCHIVE [--new 2000]

Writes to the archive (tags, a star, notes, read marks, saved searches): give it a copy.  Each
saved search's mark is set `--new` documents below the last one, as if the last release had added
them; prints and saves bench/results/kept.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from dalil import Archive

# Written for this benchmark (none from the evaluation set): English, Arabic, a filter, an OR.
SAVED = {"pipeline": "pipeline contract", "cairo": "ambassador Cairo", "ar-libya": "وزير الخارجية ليبيا",
         "from-mills": "from:mills", "haiti": "haiti OR earthquake"}


def timed(fn, runs: int = 5) -> tuple[float, object]:
    """(median milliseconds, last result) of `runs` calls."""
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--new", type=int, default=2000)
    args = ap.parse_args()
    archive = Archive(args.db)
    top = archive.store.max_doc_row()
    for s in archive.saved_searches():
        archive.remove_saved_search(s["name"])
    for name, query in SAVED.items():
        archive.save_search(name, query)
        archive.kept_store.mark_saved_seen(name, top - args.new, "bench")
    archive.alerts(limit=0)              # warm: the bridge, the language model, the page cache
    alerts_ms, found = timed(lambda: archive.alerts(limit=100), runs=3)
    some = [d["doc_id"] for a in found for d in a["documents"]][:200]
    tag_ms, _ = timed(lambda: [archive.tag(d, "bench") for d in some[:50]], runs=1)
    for d in some[:20]:
        archive.star(d)
        archive.note(d, "a bench note")
    for d in some:
        archive.mark_read(d)
    filters = {q: timed(lambda q=q: archive.search(q, mode="lexical", limit=20).total)
               for q in ("tag:bench", "is:starred", "is:read", "is:noted", "libya tag:bench", "libya -is:read")}
    page = archive.search("libya", mode="lexical", limit=20)
    read_ms, _ = timed(lambda: archive.read_documents([h.doc_id for h in page.hits]))
    result = {
        "documents": archive.status()["documents"], "new_documents": args.new,
        "alerts_ms_5_saved_searches": round(alerts_ms, 1),
        "alerts_counts": {a["name"]: a["count"] for a in found},
        "tag_write_ms_each": round(tag_ms / max(1, len(some[:50])), 2),
        "filter_search_ms": {q: {"ms": round(ms, 1), "total": total} for q, (ms, total) in filters.items()},
        "read_marks_of_a_page_ms": round(read_ms, 2),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = Path(__file__).parent / "results" / "kept.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    archive.close()


if __name__ == "__main__":
    main()
