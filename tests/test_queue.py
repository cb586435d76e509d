"""The work queue (issue 27, part 2): `dalil ingest --queue` enqueues, `dalil worker` processes run
the tasks, on a real PostgreSQL (tests/pg_support.py) with real worker processes and real corpus
files.  A worker killed with SIGKILL loses nothing; a task run twice changes nothing; a task that
fails three times is shown with its reason."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from fault_support import corpus_slice, differences, env
from pg_support import table_rows

# Heartbeats every second and a worker dead after 4 s without one, so a killed worker's task is
# taken up again within seconds; small tasks, so two workers share the slice and a kill lands mid-way.
QUEUE_ENV = {"DALIL_QUEUE_HEARTBEAT": "1", "DALIL_QUEUE_STALLED": "4", "DALIL_QUEUE_RETRY": "1",
             "DALIL_QUEUE_POLL": "0.5", "DALIL_QUEUE_TASK_FILES": "20"}
INTEL = ("persons", "person_forms", "person_keys", "message_keys")


def dalil(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dalil", *map(str, args)], env=env(**QUEUE_ENV),
                          capture_output=True, text=True, timeout=timeout)


def worker(url: str, processes: int = 1) -> subprocess.Popen:
    """`dalil worker --until-empty` in a process group of its own (a kill takes all of it)."""
    return subprocess.Popen([sys.executable, "-m", "dalil", "worker", "--db", url, "--until-empty",
                             "--concurrency", str(processes)],
                            env=env(**QUEUE_ENV), start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def status(url: str) -> dict:
    r = dalil("status", "--db", url, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def digest(url: str) -> dict:
    from dalil import Archive
    archive = Archive(url, readonly=True)
    try:
        return archive.digest()
    finally:
        archive.close()


def people(url: str) -> dict[str, list]:
    """The people tables with each person id replaced by the person (name, counts, forms): the
    people pass numbers persons in the order messages were written, which parallel workers vary."""
    forms = table_rows(url, "person_forms", "form, person, method, confidence, n", "form")
    persons = {r[0]: r[1:] for r in table_rows(url, "persons", "id, name, sent, received, first, last, withheld", "id")}
    who = {pid: (p, tuple(sorted(f[0] for f in forms if f[1] == pid))) for pid, p in persons.items()}
    return {"persons": sorted(who.values()),
            "person_forms": sorted((f[0], who[f[1]], f[2:]) for f in forms),
            "person_keys": sorted((k, who[p]) for k, p in table_rows(url, "person_keys", "key, person", "key")),
            "message_keys": sorted((d, i, who.get(p), m, s) for d, i, p, m, s in table_rows(
                url, "message_keys", "doc_id, idx, person, minute, subject", "doc_id, idx"))}


@pytest.fixture(scope="module")
def queue_slice(corpus_dir, tmp_path_factory) -> Path:
    """400 corpus files from every release (seeded): 20 tasks of 20."""
    return _slice(corpus_dir, 400, tmp_path_factory.mktemp("queue-slice"), seed=27)


def _slice(corpus_dir: Path, n: int, dest: Path, seed: int) -> Path:
    """`corpus_slice` without its marker file: the folder holds the n corpus files only."""
    corpus_slice(corpus_dir, n, dest, seed=seed)
    (dest / ".complete").unlink()
    return dest


@pytest.fixture(scope="module")
def reference(queue_slice, pg_server):
    """The slice ingested by one `dalil ingest` process: what the queue must give."""
    url = pg_server.create()
    r = dalil("ingest", queue_slice, "--db", url)
    assert r.returncode == 0, r.stderr
    yield url
    pg_server.drop(url)


def test_two_workers_one_killed_ingest_every_document_once(queue_slice, reference, pg_url):
    r = dalil("ingest", "--queue", queue_slice, "--db", pg_url)
    assert r.returncode == 0, r.stderr
    assert "20 tasks enqueued for 400 inputs" in r.stdout
    assert status(pg_url)["documents"] == 0           # enqueued only: no worker yet
    first, second = worker(pg_url), worker(pg_url, processes=2)     # the survivor runs two processes
    try:
        # Kill the first worker once a few tasks are done: in the middle of the batch.
        deadline = time.monotonic() + 120
        while status(pg_url)["queue"]["batches"][0]["done"] < 4:
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.3)
        assert first.poll() is None, "the first worker ended before it could be killed"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        mid = status(pg_url)["queue"]["batches"][0]
        assert mid["done"] < mid["tasks"], "the kill landed after the batch was done"
        out, _ = second.communicate(timeout=240)
        assert second.returncode == 0, out
    finally:
        for p in (first, second):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
    s = status(pg_url)
    q = s["queue"]
    assert s["documents"] == status(reference)["documents"] == 400
    assert q["jobs"]["succeeded"] == 21 and q["jobs"]["failed"] == 0 and not q["failures"]
    assert q["batches"][0]["done"] == 20 and q["batches"][0]["finished"]
    # every input once in the ledger, every document once (none lost, none twice)
    ledger = table_rows(pg_url, "ledger GROUP BY path", "path, count(*)", "path")
    assert len(ledger) == 400 and all(n == 1 for _, n in ledger)
    stems = sorted(p.stem for p in queue_slice.glob("*/*.txt"))
    assert sorted(d for (d,) in table_rows(pg_url, "documents", "doc_id", "doc_id")) == stems
    # the same rows as one process wrote, table by table (person numbering aside: see `people`)
    a, b = digest(pg_url), digest(reference)
    assert [d for d in differences(a, b) if not d.startswith(tuple(f"table {t}:" for t in INTEL))] == []
    assert people(pg_url) == people(reference)


def test_a_task_run_twice_changes_nothing(corpus_dir, tmp_path, pg_url):
    """Enqueued twice, enqueued again once done, and retried after its worker died between its
    commit and the queue's "succeeded": the archive stays identical, row for row."""
    files = _slice(corpus_dir, 60, tmp_path / "slice", seed=2027)
    r = dalil("ingest", "--queue", files, "--db", pg_url, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["tasks"] == 3
    again = json.loads(dalil("ingest", "--queue", files, "--db", pg_url, "--json").stdout)
    assert again["tasks"] == 0 and again["already_queued"] == 3       # the same content, still queued
    r = dalil("worker", "--db", pg_url, "--until-empty")
    assert r.returncode == 0, r.stderr
    before = digest(pg_url)
    assert before["tables"]["documents"].startswith("60:")

    # Enqueued again once done: new jobs, which find their tasks done and change nothing.
    waiting = subprocess.Popen([sys.executable, "-m", "dalil", "ingest", "--queue", str(files), "--db", pg_url,
                                "--wait"], env=env(**QUEUE_ENV), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    while status(pg_url)["queue"]["jobs"]["todo"] < 3:
        assert waiting.poll() is None and time.monotonic() < deadline, waiting.stderr.read()
        time.sleep(0.3)
    r = dalil("worker", "--db", pg_url, "--until-empty")
    assert r.returncode == 0, r.stderr
    out, err = waiting.communicate(timeout=60)       # --wait follows the batch to its end
    assert waiting.returncode == 0, err
    assert "3 tasks enqueued" in out
    assert "3/3 tasks done, 0 documents added, 0 failed" in err and err.rstrip().endswith("post-ingest done")
    assert differences(digest(pg_url), before) == []

    # A worker that died after its task's commit leaves the job `doing` with no live worker.
    with psycopg.connect(pg_url, autocommit=True) as conn:
        job = conn.execute("SELECT id FROM procrastinate_jobs WHERE task_name='dalil.ingest' "
                           "AND status='succeeded' ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute("UPDATE procrastinate_jobs SET status='doing', worker_id=NULL WHERE id=%s", (job,))
    assert status(pg_url)["queue"]["jobs"]["doing"] == 1
    r = dalil("worker", "--db", pg_url, "--until-empty")
    assert r.returncode == 0, r.stderr
    assert table_rows(pg_url, f"procrastinate_jobs WHERE id={job}", "status::text", "id") == [("succeeded",)]
    assert differences(digest(pg_url), before) == []
    assert status(pg_url)["queue"]["jobs"]["doing"] == 0


def test_an_archive_is_shared_by_member_ranges(corpus_dir, tmp_path, pg_server):
    """A .tar.gz is cut into tasks of members; together they write what one process writes, and
    the archive is then complete: the next ingest of it is skipped whole."""
    import tarfile
    files = _slice(corpus_dir, 50, tmp_path / "slice", seed=50)
    tgz = tmp_path / "release.tar.gz"
    with tarfile.open(tgz, "w:gz") as tf:
        tf.add(files, arcname="release")
    one, queued = pg_server.create(), pg_server.create()
    try:
        assert dalil("ingest", tgz, "--db", one).returncode == 0
        r = subprocess.run([sys.executable, "-m", "dalil", "ingest", "--queue", str(tgz), "--db", queued, "--json"],
                           env=env(**{**QUEUE_ENV, "DALIL_QUEUE_TASK_MEMBERS": "20"}), capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["tasks"] == 3 and json.loads(r.stdout)["inputs"] == 51   # the .tar.gz, 50 members
        r = dalil("worker", "--db", queued, "--until-empty")
        assert r.returncode == 0, r.stderr
        assert differences(digest(queued), digest(one)) == []
        r = dalil("ingest", tgz, "--db", queued, "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["added"] == 0 and json.loads(r.stdout)["unchanged"] == 50
    finally:
        pg_server.drop(one)
        pg_server.drop(queued)


def test_a_task_failing_three_times_is_shown_with_its_reason(corpus_dir, tmp_path, pg_url):
    files = corpus_slice(corpus_dir, 3, tmp_path / "three", seed=3)
    paths = sorted(files.glob("*/*.txt"))
    r = subprocess.run([sys.executable, "-m", "dalil", "ingest", "--queue", *map(str, paths[:2]), "--db", pg_url],
                       env=env(**{**QUEUE_ENV, "DALIL_QUEUE_TASK_FILES": "1"}), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = dalil("ingest", "--queue", paths[2], "--db", pg_url)
    assert r.returncode == 0, r.stderr
    paths[1].unlink()         # gone (or not shared with the worker's machine) once enqueued
    r = dalil("worker", "--db", pg_url, "--until-empty")
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("input not found on this worker") == 3      # one line per failed attempt
    s = status(pg_url)
    assert s["documents"] == 2
    (failure,) = s["queue"]["failures"]
    assert failure["attempts"] == 3 and failure["task"] == "dalil.ingest"
    assert failure["reason"] == f"InputMissing: input not found on this worker: {paths[1]}"
    assert s["queue"]["jobs"]["failed"] == 1
    # the other tasks of its batch went on, and the batch's post-ingest pass ran without it
    first = s["queue"]["batches"][0]
    assert first["failed"] == 1 and first["added"] == 1 and first["finished"]
    out = dalil("status", "--db", pg_url).stdout
    assert f"failed task (job {failure['job']}, 3 attempts): InputMissing: input not found on this worker: " \
           f"{paths[1]}" in out
    # the web's /api/status carries the same queue
    from starlette.testclient import TestClient

    from dalil.web.app import create_app
    with TestClient(create_app(pg_url)) as client:
        web = client.get("/api/status").json()
        page = client.get("/archive").text
    assert web["queue"]["failures"] == s["queue"]["failures"] and web["documents"] == 2
    # and the archive page a section with the batches and the failed task's reason
    assert 'id="queue"' in page and f"input not found on this worker: {paths[1]}" in page
    assert f'<td dir="ltr">{first["batch"]}</td><td class="num">2/2</td>' in page


def test_queue_on_sqlite_is_one_line(tmp_path, corpus_dir):
    db = tmp_path / "a.db"
    for args in (("ingest", "--queue", corpus_dir / "HRCEmail_JuneWeb", "--db", db), ("worker", "--db", db)):
        r = dalil(*args)
        assert r.returncode != 0
        assert len(r.stderr.strip().splitlines()) == 1 and "a queue needs a PostgreSQL archive" in r.stderr
    assert not db.exists()
    # the one-process ingest of a SQLite file stays as it was: no queue in its status
    r = dalil("ingest", corpus_dir / "HRCEmail_JuneWeb" / "C05758905.txt", "--db", db)
    assert r.returncode == 0, r.stderr
    assert "queue" not in status(str(db))


def test_db_upgrade_applies_the_queue_schema(pg_url):
    import procrastinate
    r = dalil("db", "upgrade", "--db", pg_url, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["queue"] == {"before": None, "after": procrastinate.__version__}
    assert table_rows(pg_url, "procrastinate_jobs", "count(*)", "1") == [(0,)]
    r = dalil("db", "upgrade", "--db", pg_url)
    assert r.returncode == 0 and f"queue schema: Procrastinate {procrastinate.__version__} (up to date)" in r.stdout
    # Another Procrastinate's schema in place: every command says to upgrade, in one line.
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE queue_schema SET version='3.3.0'")
    r = dalil("status", "--db", pg_url)
    assert r.returncode != 0 and "run `dalil db upgrade" in r.stderr and len(r.stderr.strip().splitlines()) == 1
