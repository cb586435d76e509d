"""A queued ingest against a one-process ingest, on one PostgreSQL server (tests/pg_support.py).

    python bench/bench_queue.py --docs 1000 --workers 1,2

For a seeded slice of the corpus: `dalil ingest` (one process, its default two reader processes),
then for each worker count `dalil ingest --queue` and `dalil worker --concurrency N --until-empty`
on a fresh database (post-ingest pass included in both).  Prints one line per run and writes
bench/results/queue.json.  On a shared machine the numbers say what the queue costs, not how far
more machines go (that is the scale benchmark's).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import fault_support as fs  # noqa: E402
from bench_faults import corpus_dir  # noqa: E402
from pg_support import PgServer  # noqa: E402


def run(args: list[str]) -> float:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "dalil", *args], env=fs.env(), capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"dalil {' '.join(args[:2])} failed: {r.stderr.strip()[-500:]}")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--workers", default="1,2")
    a = ap.parse_args()
    shared = Path(os.environ.get("DALIL_SHARED", ROOT.parent / "shared"))
    cache = Path(os.environ.get("DALIL_TEST_CACHE", "/tmp/dalil-test-cache"))
    corpus = corpus_dir(cache, shared / "data" / "clinton-foia-text.tar.gz")
    files = fs.corpus_slice(corpus, a.docs, Path(tempfile.mkdtemp(prefix="bench-queue-")), seed=27)
    (files / ".complete").unlink()
    server = PgServer()
    out = {"docs": a.docs, "cpus": os.cpu_count(), "runs": []}
    try:
        url = server.create()
        seconds = run(["ingest", str(files), "--db", url])
        out["runs"].append({"mode": "one process", "seconds": round(seconds, 1),
                            "docs_per_s": round(a.docs / seconds, 1)})
        print(f"one process: {seconds:.1f} s ({a.docs / seconds:.1f} docs/s)", flush=True)
        server.drop(url)
        for n in (int(w) for w in a.workers.split(",")):
            url = server.create()
            enqueue = run(["ingest", "--queue", str(files), "--db", url])
            work = run(["worker", "--db", url, "--concurrency", str(n), "--until-empty"])
            out["runs"].append({"mode": f"queue, {n} worker process{'es' if n > 1 else ''}",
                                "enqueue_seconds": round(enqueue, 1), "seconds": round(work, 1),
                                "docs_per_s": round(a.docs / work, 1)})
            print(f"queue, {n} workers: enqueue {enqueue:.1f} s, work {work:.1f} s ({a.docs / work:.1f} docs/s)",
                  flush=True)
            server.drop(url)
    finally:
        server.stop()
    path = ROOT / "bench" / "results" / "queue.json"
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"written {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
