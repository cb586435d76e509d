"""PostgreSQL: integrity of an archive (`dalil check`) and the canonical digest of its content.

The engine's own checks: every dalil table read whole (a damaged page fails its read), indexes
left invalid by an interrupted build, and with `full` each B-tree index against its table —
through the `amcheck` extension (bt_index_check with heapallindexed) where the server has it,
else by counting each table's rows through its primary key against a sequential read.  The
full-text index is the `fts` tsvector of each document: a document without one is missing from
it, and no full-text row can outlive its document (fulltext_orphans is always 0).
"""
from __future__ import annotations

from typing import Any, Iterator

import psycopg

from dalil.store.base.integrity import CHILD_TABLES, combine_digests, digest_rows
from dalil.store.postgres.fts_query import tsvector_text
from dalil.store.postgres.ingest import _FTS_POSITIONS_LIMIT

# As dalil/store/sqlite/integrity.py DIGEST; the full-text index is the `fts` vector of each document.
DIGEST = {
    "documents": "SELECT doc_id, source_format, title, case_no, release, release_date, disposition, exemptions, "
                 "classification, lang, parent_id, parent_path, meta, n_pages, n_messages, date, sender, subject, "
                 "text, raw, html, content_hash, path, status, reason FROM documents",
    "messages": 'SELECT doc_id, idx, sender, recipients, cc, bcc, date, date_raw, subject, attachments, importance, '
                'start, body_start, "end", message_id, in_reply_to, extra FROM messages',
    "correspondents": "SELECT c.doc_id, m.idx, c.role, c.raw, c.name, c.address FROM correspondents c "
                      "LEFT JOIN messages m ON m.id = c.message",
    "pages": 'SELECT doc_id, number, start, "end", byte_start, byte_end, status, exemptions FROM pages',
    "passages": 'SELECT doc_id, seq, page, start, "end", byte_start, byte_end FROM passages',
    "exemptions": "SELECT doc_id, code FROM exemptions",
    "ledger": "SELECT path, member, root, content_hash, size, reader, status, reason, doc_id, release FROM ledger",
    "terms": "SELECT term, skel, df FROM terms",
    "fulltext": "SELECT doc_id, fts::text, fts_len FROM documents",
    "persons": "SELECT id, name, sent, received, first, last, withheld FROM persons",
    "person_forms": "SELECT form, person, method, confidence, n FROM person_forms",
    "person_keys": "SELECT key, person FROM person_keys",
    "message_keys": "SELECT doc_id, idx, person, minute, subject FROM message_keys",
    "dupe_pairs": "SELECT a, b, similarity FROM dupe_pairs",
    "dupe_clusters": "SELECT doc_id, cluster FROM dupe_clusters",
    "copy_pairs": "SELECT a, b, share FROM copy_pairs",
}


_ORPHAN = "FROM {t} WHERE doc_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.doc_id = {t}.doc_id)"


class PostgresIntegrity:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection."""

    def _tables(self) -> list[str]:
        """dalil's tables in this database (those of the migrations, not the schema_version book)."""
        return [r[0] for r in self.db.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.relname")]

    def _checked(self, sql: str, params: tuple = ()) -> str | None:
        """Run a read in its own transaction; the error's first line, or None when it succeeds."""
        db = self.db
        try:
            with db.transaction():
                db.execute(sql, params).fetchall()
        except psycopg.Error as exc:
            return " ".join(str(exc).split()) or type(exc).__name__
        return None

    def storage_problems(self, full: bool = False) -> list[str]:
        out: list[str] = []
        invalid = self.db.execute(
            "SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready) ORDER BY 1").fetchall()
        out += [f"index {name} is invalid (an interrupted build): rebuild it with REINDEX" for name, in invalid]
        for table in self._tables():
            # A sequential read of every row: a damaged page or TOAST chunk fails it.
            err = self._checked(f'SELECT count(*), sum(pg_column_size(t.*)) FROM "{table}" t')
            if err:
                out.append(f"table {table}: {err}")
        if full and not out:
            out += self._index_problems()
        return out[:20]

    def _index_problems(self) -> list[str]:
        db = self.db
        indexes = db.execute(
            "SELECT i.indexrelid::regclass::text, c.relname, i.indisprimary FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am a ON a.oid = ic.relam "
            "WHERE n.nspname = current_schema() AND a.amname = 'btree' ORDER BY 1").fetchall()
        out = []
        if db.execute("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'").fetchone():
            for index, _, _ in indexes:
                err = self._checked("SELECT bt_index_check(%s::regclass, true)", (index,))
                if err:
                    out.append(f"index {index}: {err}")
            return out
        for index, table, primary in indexes:
            if not primary:
                continue
            try:
                with db.transaction():
                    # Every row counted through the index (an index-only or index scan), then by a
                    # sequential read: a damaged or stale index disagrees.
                    db.execute("SELECT set_config('enable_seqscan', 'off', true), "
                               "set_config('enable_bitmapscan', 'off', true)")
                    cols = db.execute("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON "
                                      "a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
                                      "WHERE i.indexrelid = %s::regclass", (index,)).fetchone()[0]
                    by_index = db.execute(f'SELECT count(*) FROM "{table}" WHERE "{cols}" IS NOT NULL').fetchone()[0]
                    db.execute("SELECT set_config('enable_seqscan', 'on', true), "
                               "set_config('enable_indexscan', 'off', true), "
                               "set_config('enable_indexonlyscan', 'off', true)")
                    by_table = db.execute(f'SELECT count(*) FROM "{table}" WHERE "{cols}" IS NOT NULL').fetchone()[0]
            except psycopg.Error as exc:
                out.append(f"index {index}: {' '.join(str(exc).split())}")
                continue
            if by_index != by_table:
                out.append(f"index {index} holds {by_index} rows, its table {table} {by_table}")
        return out

    def fulltext_problems(self) -> list[str]:
        db = self.db
        row = db.execute("SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass('documents_fts')").fetchone()
        if row is None:
            return ["the full-text index documents_fts is missing"]
        if not row[0]:
            return ["the full-text index documents_fts is invalid (an interrupted build)"]
        if db.execute("SELECT 1 FROM pg_proc WHERE proname = 'gin_index_check'").fetchone():
            err = self._checked("SELECT gin_index_check('documents_fts'::regclass)")
            if err:
                return [err]
        return []

    def integrity_counts(self) -> dict[str, int]:
        one = lambda sql: self.db.execute(sql).fetchone()[0]   # noqa: E731
        counts = {
            "documents": one("SELECT count(*) FROM documents"),
            "fulltext_rows": one("SELECT count(*) FROM documents WHERE fts IS NOT NULL"),
            "passages": one("SELECT count(*) FROM passages"),
            "ledger": one("SELECT count(*) FROM ledger WHERE doc_id IS NOT NULL"),
            "fulltext_missing": one("SELECT count(*) FROM documents WHERE fts IS NULL"),
            "fulltext_orphans": 0,
        }
        for table in CHILD_TABLES:
            counts[f"{table}_orphans"] = one("SELECT count(*) " + _ORPHAN.format(t=table))
        return counts

    def unindexed_documents(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT doc_id FROM documents WHERE fts IS NULL ORDER BY id")]

    def passages_up_to(self, passage_id: int) -> int:
        return self.db.execute("SELECT count(*) FROM passages WHERE id <= %s", (passage_id,)).fetchone()[0]

    def clear_fulltext(self) -> None:
        self.db.execute("UPDATE documents SET fts = NULL, fts_len = 0")

    def index_fulltext(self, doc_id: str, fields: tuple[str, str, str, str, str]) -> None:
        fts, n = tsvector_text(fields, positions=len(fields[0] or "") <= _FTS_POSITIONS_LIMIT)
        self.db.execute("UPDATE documents SET fts = %s::tsvector, fts_len = %s WHERE doc_id = %s", (fts, n, doc_id))

    def all_doc_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT doc_id FROM documents ORDER BY id")]

    def drop_orphans(self) -> dict[str, int]:
        db = self.db
        with db.transaction():
            out = {t: db.execute("DELETE " + _ORPHAN.format(t=t)).rowcount for t in CHILD_TABLES}
        if not db.autocommit:
            db.commit()
        return out

    def content_digest(self) -> dict[str, str]:
        return combine_digests({t: digest_rows(self._stream(sql)) for t, sql in DIGEST.items()})

    def intel_stale(self) -> bool:
        return bool(self.db.execute("SELECT EXISTS (SELECT 1 FROM messages m WHERE NOT EXISTS "
                                    "(SELECT 1 FROM message_keys k WHERE k.message = m.id))").fetchone()[0])

    def passage_keys(self) -> Iterator[tuple[int, str, int]]:
        yield from self._stream("SELECT id, doc_id, seq FROM passages")

    def _stream(self, sql: str) -> Iterator[tuple[Any, ...]]:
        # A server-side cursor: the documents table is read in slices, not fetched whole.
        with self.db.transaction(), self.db.cursor(name="dalil_digest") as cur:
            cur.itersize = 500
            cur.execute(sql)
            yield from cur
