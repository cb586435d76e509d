"""Counts and a checksum of the stored rows of a SQLite archive, table by table, to compare two
ingests of the same inputs (say, before and after a change to the pipeline or the passes).

Row order, the ledger's time stamps and row ids, and the archive's own path do not count:
the rows of each table are sorted before they are hashed.

    python bench/archive_checksum.py a.db b.db      # prints each table's count and checksum, and
                                                    # exits 1 when the two archives differ
"""
from __future__ import annotations

import hashlib
import sqlite3
import sys

TABLES = {          # table: columns left out (time stamps, autoincrement ids)
    "documents": ("id",), "messages": ("id",), "correspondents": (), "pages": (), "passages": ("id",),
    "exemptions": (), "ledger": ("id", "at"), "terms": (), "persons": (), "person_forms": (),
    "person_keys": (), "dupe_pairs": (), "dupe_clusters": (), "message_keys": (), "copy_pairs": (),
}


def checksums(path: str) -> dict[str, tuple[int, str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    out = {}
    for table, skip in TABLES.items():
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] not in skip]
        if not cols:
            continue
        rows = sorted(repr(r) for r in con.execute(f"SELECT {', '.join(cols)} FROM {table}"))
        h = hashlib.sha256()
        for r in rows:
            h.update(r.encode("utf-8", "surrogatepass") + b"\n")
        out[table] = (len(rows), h.hexdigest()[:16])
    con.close()
    return out


def main() -> None:
    sums = [checksums(p) for p in sys.argv[1:]]
    same = True
    for table in TABLES:
        vals = [s.get(table) for s in sums]
        diff = len(set(vals)) > 1
        same &= not diff
        print(f"{table:16} " + "  ".join(f"{v[0]:>9} {v[1]}" if v else "-" for v in vals) + ("  DIFFERENT" if diff else ""))
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
