"""Faults (issue 25, item 4): `kill -9` in the middle of an ingest, an index build and a
people/duplicates pass, each followed by a rerun that must leave the archive identical to a clean
run (`Archive.digest`: every content table, the vector index, the name table, the vocabulary).

The moments are drawn (seeded) over each clean command's duration.  This is the short version,
on 300 corpus documents; `bench/bench_faults.py` runs 20 moments per command on 1,500.
"""
from __future__ import annotations

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
