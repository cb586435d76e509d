"""Record the JSON that `dalil search --json` and `dalil trace --json` print for the development
queries and claims, one file per item, so that a change meant to keep behaviour can be checked
item by item (`diff -r BEFORE AFTER`).

    python tools/snapshot.py --db ARCHIVE --eval-dir ../shared/eval --out DIR [--every N]

Both commands print `.to_dict()` of what `Archive.search` / `Archive.trace` return (their JSON
contract), so the items run through one `Archive` in one process: a CLI runner would open the
archive, its vectors and its models once per item.  The fields that time the run (`took_ms`,
`seconds`) are dropped; everything else is kept as printed.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


VOLATILE = {"took_ms", "seconds"}


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _items(path: Path, every: int):
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[::every]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--eval-dir", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--every", type=int, default=1, help="every N-th item only (a quick check)")
    ap.add_argument("--only", choices=["search", "trace"], default=None)
    args = ap.parse_args(argv)
    from dalil import Archive
    archive = Archive(args.db, readonly=True)
    failures = 0
    jobs = []
    if args.only in (None, "search"):
        jobs += [("search", q["id"], q["query"]) for q in _items(args.eval_dir / "queries-dev.jsonl", args.every)]
    if args.only in (None, "trace"):
        jobs += [("trace", c["id"], c["claim"]) for c in _items(args.eval_dir / "claims-dev.jsonl", args.every)]
    for kind, item_id, text in jobs:
        target = args.out / kind / f"{item_id}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            if kind == "search":      # as `dalil search QUERY --json` (limit 10, offset 0)
                data = archive.search(text, limit=10, offset=0).to_dict()
            else:                     # as `dalil trace FILE --json` (max 50 claims, the file's path as name)
                data = archive.trace(text.encode("utf-8"), name=f"{item_id}.txt", max_claims=50).to_dict()
        except Exception as exc:      # recorded, so that a difference in failures shows in the diff
            failures += 1
            target.write_text(json.dumps({"error": repr(exc)}, ensure_ascii=False, indent=1))
            continue
        target.write_text(json.dumps(_strip(data), ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{len(jobs)} items recorded in {args.out} ({failures} failed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
