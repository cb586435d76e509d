"""`dalil check`: a sound archive exits 0; a truncated or byte-corrupted file, a lost full-text row,
a stray full-text row and orphan rows each give a one-line diagnosis and exit 1, never a
traceback; `--repair` rebuilds what can be rebuilt from the documents, exactly as the ingest wrote it."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dalil import Archive
from dalil.ingest.reindex import fulltext_fields

RELEASE = "Clinton_Email_August_Release"


def dalil(*args):
    return subprocess.run([sys.executable, "-m", "dalil", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def built(tmp_path_factory, corpus_dir):
    """A small archive of real released documents and one e-mail, closed (its WAL checkpointed)."""
    from fuzz_support import _eml
    inbox = tmp_path_factory.mktemp("inbox")
    for p in sorted((corpus_dir / RELEASE).glob("*.txt"))[:40]:
        (inbox / RELEASE).mkdir(exist_ok=True)
        shutil.copy(p, inbox / RELEASE / p.name)
    (inbox / "note.eml").write_bytes(_eml())
    db = tmp_path_factory.mktemp("db") / "a.db"
    archive = Archive(str(db))
    archive.ingest([str(inbox)], workers=1, build_intel=False)
    archive.close()
    return db


@pytest.fixture
def db(built, tmp_path):
    copy = tmp_path / "a.db"
    shutil.copy(built, copy)
    return copy


def vocabulary(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT term, doc, cnt FROM docs_vocab ORDER BY term").fetchall()


def one_problem_line(r) -> str:
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("problem: "), r.stderr
    return lines[0]


def test_healthy_archive(db):
    r = dalil("check", "--db", db, "--full")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ok: ") and " 41 documents, 41 full-text rows" in r.stdout


def test_truncated_archive(db):
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    line = one_problem_line(dalil("check", "--db", db))
    assert "storage: the file is damaged" in line and "repair: restore" in line


def test_truncated_to_nothing(db):
    db.write_bytes(b"")
    assert "is empty" in one_problem_line(dalil("check", "--db", db))


def test_byte_corrupted_archive(db):
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    for start in range(page, len(data), 3 * page):       # damage the header of every third page
        data[start:start + 12] = b"\xa5" * 12
    db.write_bytes(bytes(data))
    line = one_problem_line(dalil("check", "--db", db))
    assert "storage: the file is damaged" in line
    r = dalil("check", "--db", db, "--repair")            # a damaged file is not "repaired" blindly
    assert r.returncode == 1 and "Traceback" not in r.stderr


def test_random_bytes_file(tmp_path):
    p = tmp_path / "junk.db"
    p.write_bytes(bytes(range(256)) * 64)
    assert "not a dalil archive" in one_problem_line(dalil("check", "--db", p))


def test_missing_file(tmp_path):
    assert "no archive file" in one_problem_line(dalil("check", "--db", tmp_path / "none.db"))


def test_repair_restores_a_deleted_fulltext_row(db):
    before = vocabulary(db)
    archive = Archive(str(db))
    doc_id = archive.store.all_doc_ids()[3]
    fields = fulltext_fields(archive.store.document(doc_id))
    archive.close()
    with sqlite3.connect(db) as conn:   # a contentless FTS5 row is deleted with the values it was indexed with
        rowid = conn.execute("SELECT id FROM documents WHERE doc_id=?", (doc_id,)).fetchone()[0]
        conn.execute("INSERT INTO docs_fts(docs_fts, rowid, body, subject, sender, recipients, cc) "
                     "VALUES('delete', ?, ?, ?, ?, ?, ?)", (rowid, *fields))
    assert vocabulary(db) != before
    line = one_problem_line(dalil("check", "--db", db))
    assert "1 of 41 documents are missing from the full-text index" in line and "dalil check --repair" in line
    r = dalil("check", "--db", db, "--repair")
    assert r.returncode == 0, r.stderr
    assert "repaired: fulltext added: 1" in r.stdout
    assert vocabulary(db) == before          # the same terms, documents and counts as the ingest wrote


def test_repair_rebuilds_after_a_stray_fulltext_row_and_drops_orphans(db):
    before = vocabulary(db)
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO docs_fts(rowid, body, subject, sender, recipients, cc) "
                     "VALUES(99999, 'ghost words', '', '', '', '')")
        conn.execute("INSERT INTO passages (doc_id, seq, page, start, end, byte_start, byte_end) "
                     "VALUES('GONE', 0, 1, 0, 5, 0, 5)")
    r = dalil("check", "--db", db)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert [ln.split(":")[1].strip() for ln in r.stderr.splitlines()] == ["fulltext", "orphans"]
    r = dalil("check", "--db", db, "--repair", "--json")
    assert r.returncode == 0, r.stderr
    assert '"fulltext_rebuilt": 41' in r.stdout and '"passages": 1' in r.stdout
    assert vocabulary(db) == before


def test_vector_index_that_disagrees_with_the_passages(db):
    import numpy as np
    vec = Path(str(db) + ".vectors")
    vec.mkdir()
    (vec / "manifest.json").write_text('{"signature": "x", "shards": ["00001"], "last_passage_id": 3, "count": 7}')
    r = dalil("check", "--db", db)
    assert "vectors: 3 vector index files are missing" in one_problem_line(r)
    np.save(vec / "vec-00001.npy", np.zeros((7, 512), np.float16))
    np.save(vec / "doc-00001.npy", np.zeros(7, np.int32))
    np.save(vec / "ids-00001.npy", np.array([1, 1, 2, 2, 2, 2, 2]))     # variants of passages 1 and 2 only
    line = one_problem_line(dalil("check", "--db", db))
    assert "the vector index holds 2 passages, the archive 3 up to the last one indexed" in line
    np.save(vec / "ids-00001.npy", np.array([1, 1, 2, 3, 3, 3, 3]))
    assert dalil("check", "--db", db).returncode == 0
    # A shard cut short (a copy interrupted, a full disk): found before a search trips on it.
    whole = (vec / "vec-00001.npy").read_bytes()
    (vec / "vec-00001.npy").write_bytes(whole[:len(whole) // 2])
    line = one_problem_line(dalil("check", "--db", db))
    assert "vectors: a vector index file is damaged: shard 00001:" in line and "run `dalil index" in line
    np.save(vec / "vec-00001.npy", np.zeros((6, 512), np.float16))        # one vector short of its ids
    line = one_problem_line(dalil("check", "--db", db))
    assert "shard 00001: 6 vectors of (512,) for 7 passage ids and 7 document rows" in line
