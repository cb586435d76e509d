"""Benchmark and measures for people resolution and near-duplicate clustering on the full corpus.

    python bench/bench_intel.py --source /tmp/full/dalil.db --work /tmp/intel-bench.db

Copies the source archive (never writes to it), times `build_people` (+ message keys) and
`build_dupes`, then scores alias resolution against tests/data/aliases.tsv and duplicate
clusters against tests/data/dupe_pairs.tsv.  Prints and saves bench/results/intel.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import time
from pathlib import Path

from dalil.intel.dupes import build_dupes, duplicates_of
from dalil.intel.lookup import person
from dalil.intel.people import WITHHELD, build_people
from dalil.intel.threads import build_message_keys
from dalil.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def read_tsv(path: Path) -> list[list[str]]:
    return [line.rstrip("\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]


def alias_scores(store) -> dict:
    """Precision: correct among forms given a person; recall: correct among all gold forms."""
    rows = read_tsv(DATA / "aliases.tsv")
    resolved = correct = 0
    misses = []
    for form, expected in rows:
        got = person(store, form)
        got_id = got.id if got else WITHHELD
        want = WITHHELD if expected == "[withheld]" else getattr(person(store, expected), "id", None)
        if got is not None:
            resolved += 1
        if got_id == want:
            correct += 1
        else:
            misses.append({"form": form, "expected": expected, "got": got.name if got else None})
    resolved_ok = sum(1 for form, expected in rows if person(store, form) is not None) - \
        sum(1 for m in misses if m["got"] is not None)
    return {"forms": len(rows), "precision": round(resolved_ok / resolved, 4) if resolved else None,
            "recall": round(correct / len(rows), 4), "misses": misses}


def dupe_scores(store) -> dict:
    rows = read_tsv(DATA / "dupe_pairs.tsv")
    found = duplicates_of(store, [a for a, *_ in rows])
    hits, misses = 0, []
    for a, b, verdict, *_ in rows:
        clustered = b in found.get(a, [])
        if clustered == (verdict == "same"):
            hits += 1
        else:
            misses.append([a, b, verdict])
    return {"pairs": len(rows), "agree": hits, "misses": misses}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", default="/tmp/full/dalil.db")
    ap.add_argument("--work", default="/tmp/intel-bench.db")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "intel.json"))
    args = ap.parse_args()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(args.work + suffix):
            os.remove(args.work + suffix)
    src = sqlite3.connect(f"file:{args.source}?mode=ro", uri=True)
    dst = sqlite3.connect(args.work)
    src.backup(dst)
    src.close()
    dst.close()
    store = SQLiteStore(args.work)
    t0, c0 = time.perf_counter(), time.process_time()
    people = build_people(store)
    keys = build_message_keys(store)
    t1, c1 = time.perf_counter(), time.process_time()
    dupes = build_dupes(store)
    t2, c2 = time.perf_counter(), time.process_time()
    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "documents": store.db.execute("SELECT count(*) FROM documents").fetchone()[0],
        "people": {**people, "message_keys": keys, "wall_s": round(t1 - t0, 2), "cpu_s": round(c1 - c0, 2)},
        "duplicates": {**dupes, "wall_s": round(t2 - t1, 2), "cpu_s": round(c2 - c1, 2)},
        "aliases": alias_scores(store),
        "duplicate_check": dupe_scores(store),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
