"""Record the JSON that `dalil search --json` and `dalil trace --json` print for the development
queries and claims, one file per item, so that a change meant to keep behaviour can be checked
item by item (`diff -r BEFORE AFTER`).

    python tools/snapshot.py --db ARCHIVE --eval-dir ../shared/eval --out DIR [--every N]

The commands run in one process (click's runner) so the models load once; the fields that time
the run (`took_ms`, `seconds`) are dropped, everything else is kept as printed.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

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
    from dalil.cli import main as cli
    runner = CliRunner()
    failures = 0
    jobs = []
    if args.only in (None, "search"):
        jobs += [("search", q["id"], ["search", q["query"], "--db", args.db, "--json"])
                 for q in _items(args.eval_dir / "queries-dev.jsonl", args.every)]
    tmp = Path(tempfile.mkdtemp(prefix="dalil-snapshot-"))
    if args.only in (None, "trace"):
        for c in _items(args.eval_dir / "claims-dev.jsonl", args.every):
            f = tmp / f"{c['id']}.txt"
            f.write_text(c["claim"], encoding="utf-8")
            jobs.append(("trace", c["id"], ["trace", str(f), "--db", args.db, "--json"]))
    for kind, item_id, cmd in jobs:
        result = runner.invoke(cli, cmd, catch_exceptions=True)
        target = args.out / kind / f"{item_id}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        if result.exit_code != 0:
            failures += 1
            target.write_text(json.dumps({"exit_code": result.exit_code, "output": result.output,
                                          "exception": repr(result.exception)}, ensure_ascii=False, indent=1))
            continue
        data = _strip(json.loads(result.output))
        target.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{len(jobs)} items recorded in {args.out} ({failures} failed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
