"""Foundation benchmark: full-corpus ingest and lexical search, against baselines run in the same command.

    python bench/bench_core.py [--corpus ../shared/data/clinton-foia-text.tar.gz] [--out bench/results/core.json]

Measures
- ingest: wall seconds, docs/s, MB/s, peak RSS (this process and its reader processes), archive size,
  and the same corpus loaded into a bare SQLite FTS5 table (the floor any archive is compared with);
- search: p50/p95 latency of >= 50 queries of several kinds (facets included, warm), side by side
  with `grep -ril` of the same terms over the extracted corpus, as ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dalil import Archive  # noqa: E402

QUERIES = {
    "rare name": ["Murkowski", "Jiloty", "Valmoro", "Verveer", "Slaughter", "Feltman", "Toiv", "Muscatine",
                  "Balderston", "Tanden", "Belhaj", "Jibril", "Morsi", "Erdogan", "Netanyahu", "Karzai",
                  "Zardari", "Holbrooke", "Preval", "Micheletti"],
    "common word": ["meeting", "call", "schedule", "tomorrow", "president", "statement", "press", "today",
                    "secretary", "policy"],
    "phrase": ['"sri lanka"', '"pls print"', '"white house"', '"security council"', '"human rights"',
               '"prime minister"', '"foreign minister"', '"state department"', '"new york times"', '"middle east"'],
    "filter": ["from:mills libya", "to:abedin schedule", "subject:haiti", "exemption:B1 iran",
               "release:NovWeb benghazi", "after:2012-09-10 before:2012-09-20 benghazi", "cc:sullivan egypt",
               "from:sullivan after:2011-01-01 before:2011-03-01", "exemption:B5 pakistan", "subject:\"call list\""],
    "boolean": ["qaddafi OR gaddafi", "libya -qaddafi", "negotiat*", "haiti earthquake -press", "honduras OR zelaya"],
}


def grep_terms(query: str) -> list[str]:
    """The literal terms grep is asked for (filters drop their field name; exclusions are left out)."""
    import shlex
    out = []
    for tok in shlex.split(query):
        if tok.startswith("-") or tok == "OR" or tok.split(":", 1)[0] in ("after", "before", "release", "exemption"):
            continue
        out.append(tok.split(":", 1)[-1].rstrip("*"))
    return out or [query]


def grep_time(terms: list[str], corpus: Path) -> float:
    """grep -ril for the first term, then narrowed by each further term (AND), like a person would."""
    t0 = time.perf_counter()
    files = subprocess.run(["grep", "-ril", "--", terms[0], str(corpus)], capture_output=True, text=True).stdout.split()
    for term in terms[1:]:
        if not files:
            break
        files = subprocess.run(["grep", "-il", "--", term, *files], capture_output=True, text=True).stdout.split()
    return time.perf_counter() - t0


def bare_fts(corpus_tgz: Path, db: Path) -> float:
    t0 = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    with tarfile.open(corpus_tgz, "r|gz") as tf:
        rows = ((tf.extractfile(m).read().decode("utf-8", "replace"),) for m in tf if m.isfile())
        conn.executemany("INSERT INTO t(body) VALUES (?)", rows)
    conn.commit()
    conn.close()
    return time.perf_counter() - t0


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "data" / "clinton-foia-text.tar.gz"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "core.json"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    corpus = Path(args.corpus)
    work = Path(tempfile.mkdtemp(prefix="dalil-bench-"))
    try:
        results = run(corpus, work, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


def run(corpus: Path, work: Path, repeat: int) -> dict:
    mb = 0
    with tarfile.open(corpus, "r|gz") as tf:
        for m in tf:
            mb += m.size
    mb /= 1e6
    fts_s = bare_fts(corpus, work / "bare.db")

    db = work / "dalil.db"
    archive = Archive(str(db))
    t0 = time.perf_counter()
    report = archive.ingest([str(corpus)], build_intel=False)
    ingest_s = time.perf_counter() - t0
    rss = peak_rss_mb()
    t0 = time.perf_counter()
    archive.build_intel()
    intel_s = time.perf_counter() - t0
    size_mb = sum(p.stat().st_size for p in work.glob("dalil.db*")) / 1e6

    extracted = work / "corpus"
    with tarfile.open(corpus) as tf:
        tf.extractall(extracted, filter="data")

    searcher = archive.lexical
    lat, grep_lat, per_kind = [], [], {}
    first_query_ms = None
    for kind, queries in QUERIES.items():
        for q in queries:
            t0 = time.perf_counter()
            searcher.search(q, limit=10)
            if first_query_ms is None:
                first_query_ms = (time.perf_counter() - t0) * 1000
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                searcher.search(q, limit=10)
                times.append((time.perf_counter() - t0) * 1000)
            lat.extend(times)
            per_kind.setdefault(kind, []).extend(times)
            grep_lat.append(grep_time(grep_terms(q), extracted) * 1000)

    def pct(values, p):
        values = sorted(values)
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

    p50, p95 = pct(lat, 50), pct(lat, 95)
    g50, g95 = pct(grep_lat, 50), pct(grep_lat, 95)
    return {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version},
        "corpus": {"documents": report.added, "mb": round(mb, 1), "failed": report.failed},
        "ingest": {"seconds": round(ingest_s, 2), "docs_per_s": round(report.added / ingest_s, 1),
                   "mb_per_s": round(mb / ingest_s, 2), "peak_rss_mb": round(rss, 1),
                   "archive_mb": round(size_mb, 1), "bare_fts5_seconds": round(fts_s, 2),
                   "ratio_to_bare_fts5": round(ingest_s / fts_s, 1), "intel_seconds": round(intel_s, 1)},
        "search": {"queries": sum(len(v) for v in QUERIES.values()), "runs_each": repeat,
                   "p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "first_query_ms": round(first_query_ms, 1),
                   "by_kind_p50_ms": {k: round(pct(v, 50), 2) for k, v in per_kind.items()},
                   "grep_p50_ms": round(g50, 1), "grep_p95_ms": round(g95, 1),
                   "speedup_vs_grep_p50": round(g50 / p50, 1), "speedup_vs_grep_p95": round(g95 / p95, 1)},
    }


if __name__ == "__main__":
    main()
