"""Progress with a total on the command line (issue 26, item 8): `ingest`, `trace`, `batch` and
`export` on real corpus documents print `label N/M` lines on a pipe, M known from the start and the
last line at M/M (DALIL_PROGRESS_AFTER/EVERY=0 print every count whatever the machine's speed)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

# Real DocNos of one release of the corpus (HRC_Email_296).
DOCS = ["C05739545", "C05739546", "C05739547", "C05739550", "C05739554", "C05739559", "C05739560",
        "C05739561", "C05739562", "C05739563", "C05739564", "C05739565"]
ENV = {"DALIL_PROGRESS_AFTER": "0", "DALIL_PROGRESS_EVERY": "0"}


def dalil(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dalil", *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ) | ENV, timeout=600)


def counts(stderr: str, label: str) -> list[tuple[int, str]]:
    return [(int(m.group(1)), m.group(2)) for m in re.finditer(rf"^{label} (\d+)/(\S+)$", stderr, re.M)]


def check(stderr: str, label: str, total: int) -> None:
    seen = counts(stderr, label)
    assert seen, stderr
    assert all(t == str(total) for _, t in seen), seen          # the total from the first line, never "?"
    assert seen[-1] == (total, str(total))
    assert [n for n, _ in seen] == sorted(n for n, _ in seen)


def test_every_long_command_counts_up_to_its_total(corpus_subset, tmp_path):
    folder = corpus_subset(DOCS)
    db = tmp_path / "d.db"
    r = dalil("ingest", folder, "--db", db)
    assert r.returncode == 0, r.stderr
    check(r.stderr, "ingest", len(DOCS))

    article = tmp_path / "article.txt"
    # Two claims written for this test, one in English and one in French.
    article.write_text("In 2009 Cheryl Mills sent the Secretary a note about Haiti.\n\n"
                       "Selon un courriel de 2009, Huma Abedin a transmis un message sur la Somalie.\n",
                       encoding="utf-8")
    r = dalil("trace", article, "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    seen = counts(r.stderr, "trace")
    assert seen and seen[0][0] == 0 and seen[-1][0] == int(seen[-1][1]) >= 1

    names = tmp_path / "names.csv"
    names.write_text("query\nMills\nAbedin\nHaiti\nقذافي\n", encoding="utf-8")
    r = dalil("batch", names, "--db", db, "-o", tmp_path / "hits.csv", "--mode", "lexical")
    assert r.returncode == 0, r.stderr
    check(r.stderr, "batch", 4)

    r = dalil("export", "--mode", "lexical", "the", "-o", tmp_path / "all.jsonl", "--db", db)
    assert r.returncode == 0, r.stderr
    rows = len((tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines())
    assert rows >= 1
    check(r.stderr, "export", rows)
