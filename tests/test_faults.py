"""Faults (issue 25, item 4): `kill -9` in the middle of an ingest, an index build and a
people/duplicates pass, each followed by a rerun that must leave the archive identical to a clean
run (`Archive.digest`: every content table, the vector index, the name table, the vocabulary).

The moments are drawn (seeded) over each clean command's duration.  This is the short version,
on 300 corpus documents; `bench/bench_faults.py` runs 20 moments per command on 1,500.
"""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fault_support as fs  # noqa: E402

SLICE = 300
SEED = 25
MOMENTS = {"ingest": 4, "build-intel": 4, "index": 2}   # the index build is the slow one (a model per run)


@pytest.fixture(scope="module")
def inputs(corpus_dir, tmp_path_factory) -> Path:
    return fs.corpus_slice(corpus_dir, SLICE, tmp_path_factory.mktemp("faults-inputs"), seed=SEED)


@pytest.fixture(scope="module")
def scenarios(inputs, tmp_path_factory):
    return {s.name: s for s in fs.scenarios(inputs, tmp_path_factory.mktemp("faults"), chunk=256)}


def test_digest_tells_archives_apart(scenarios, tmp_path):
    """The digest is not blind: the clean archive before and after `dalil index`, and with one
    ledger row changed, differ where they should, and two clean ingests agree."""
    ingest, index = scenarios["ingest"], scenarios["index"]
    assert fs.differences(ingest.expected, index.expected) == [
        f"vectors: None != {index.expected['vectors']}", f"names: None != {index.expected['names']}",
        f"vocabulary: None != {index.expected['vocabulary']}"]
    db = tmp_path / "again.db"
    assert fs.dalil(["ingest", str(Path(ingest.args[1])), "--db", str(db)]).returncode == 0
    assert fs.differences(ingest.expected, fs.digest(db)) == []
    import sqlite3
    con = sqlite3.connect(db)
    con.execute("UPDATE ledger SET reason='edited' WHERE id=(SELECT min(id) FROM ledger)")
    con.commit()
    con.close()
    diff = fs.differences(ingest.expected, fs.digest(db))
    assert len(diff) == 1 and diff[0].startswith("table ledger:")


@pytest.mark.parametrize("name", ["ingest", "build-intel", "index"])
def test_kill_and_rerun_gives_the_clean_archive(scenarios, name, tmp_path):
    scenario = scenarios[name]
    trials = [scenario.trial(tmp_path, at) for at in scenario.moments(MOMENTS[name], SEED)]
    assert any(t.landed for t in trials), "no kill landed while the command ran"
    for t in trials:
        assert t.check_ok and t.same, t.to_dict()


def test_postgres_ingest_killed_and_rerun_gives_the_clean_archive(inputs, pg_server):
    """The same on PostgreSQL: identity values burnt by the killed transaction make other row ids,
    which the digest leaves out; every content table must still be the clean run's."""
    inputs = str(inputs)
    clean, killed = pg_server.create(), pg_server.create()
    try:
        t0 = time.perf_counter()
        assert fs.dalil(["ingest", inputs, "--db", clean]).returncode == 0
        duration = time.perf_counter() - t0
        expected = fs.digest(clean)
        assert all(not v.startswith("0:") for t, v in expected["tables"].items()
                   if t in ("documents", "messages", "passages", "ledger", "persons", "message_keys", "fulltext"))
        landed = fs.run_killed(["ingest", inputs, "--db", killed], duration * 0.5)
        assert fs.dalil(["ingest", inputs, "--db", killed]).returncode == 0
        assert landed
        assert fs.differences(expected, fs.digest(killed)) == []
    finally:
        pg_server.drop(clean)
        pg_server.drop(killed)


@pytest.fixture
def small_disk(tmp_path):
    """A file system of a given size (tmpfs, mounted as root; the tests run as root in CI and here)."""
    mounted = []

    def make(megabytes: int) -> Path:
        where = tmp_path / f"disk-{megabytes}m"
        where.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(where)],
                              capture_output=True, text=True)
        assert done.returncode == 0, f"cannot mount a small file system: {done.stderr.strip()}"
        mounted.append(where)
        return where
    yield make
    for where in mounted:
        subprocess.run(["umount", str(where)], check=False)


@pytest.mark.parametrize("megabytes", [2, 3])
def test_full_disk_during_ingest(inputs, small_disk, tmp_path, megabytes):
    """An ingest onto a disk too small for it stops with one clear line; what it committed is a
    sound archive whose ledger names exactly its documents; moved to a roomy disk, the same command
    finishes it, and the archive is the clean run's."""
    disk = small_disk(megabytes)
    db = disk / "dalil.db"
    done = fs.dalil(["ingest", str(inputs), "--db", str(db)])
    assert done.returncode == 1, done.stdout
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
    assert errors[0].startswith(f"error: the disk holding {db} is full") and "run the same `dalil ingest` again" \
        in errors[0]
    check = fs.dalil(["check", "--db", str(db)])
    assert check.returncode == 0, check.stderr
    # The ledger is true: every document came from an input the ledger records as read, and every
    # ledger row naming a document names one that is there.
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    recorded = con.execute("SELECT count(*) FROM ledger WHERE status = 'ok'").fetchone()[0]
    unrecorded = con.execute("SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE "
                             "l.status = 'ok' AND d.path = l.path || CASE WHEN l.member != '' THEN '!' || "
                             "l.member ELSE '' END)").fetchone()[0]
    dangling = con.execute("SELECT count(*) FROM ledger WHERE doc_id IS NOT NULL AND doc_id NOT IN "
                           "(SELECT doc_id FROM documents)").fetchone()[0]
    con.close()
    assert (unrecorded, dangling) == (0, 0)
    roomy = tmp_path / "roomy.db"
    fs.copy_archive(db, roomy)
    clean = tmp_path / "clean.db"
    assert fs.dalil(["ingest", str(inputs), "--db", str(clean)]).returncode == 0
    again = fs.dalil(["ingest", str(inputs), "--db", str(roomy)])
    assert again.returncode == 0, again.stderr
    assert f"{recorded} unchanged" in again.stdout, again.stdout      # what was committed is not read again
    assert fs.differences(fs.digest(clean), fs.digest(roomy)) == []


def test_ingest_rerun_finishes_a_pass_killed_after_the_last_commit(scenarios, tmp_path):
    """The moment a random kill rarely hits exactly: every document committed, the people and
    duplicates pass not run.  The rerun adds nothing, yet must run the pass (it used to skip it,
    leaving people, threads and duplicates stale for good)."""
    db = tmp_path / "after-last-commit.db"
    fs.copy_archive(scenarios["build-intel"].start, db)
    inputs = scenarios["ingest"].args[1]
    done = fs.dalil(["ingest", inputs, "--db", str(db)])
    assert done.returncode == 0 and done.stdout.startswith("0 documents added"), done.stdout
    assert fs.differences(scenarios["ingest"].expected, fs.digest(db)) == []
