"""SQLite: integrity of an archive (PRAGMA quick_check / integrity_check, the FTS5 index's own
check, counts and orphans) and its repairs."""
from __future__ import annotations

import sqlite3

from typing import Iterator

from dalil.store.base.integrity import CHILD_TABLES, combine_digests, digest_rows

# The content of each table for `content_digest`: surrogate row ids left out (or replaced by the
# natural key they stand for), and the ledger's timestamps.  Person ids and cluster numbers are
# computed by the intel passes, not assigned by the engine, so they are content.
DIGEST = {
    "documents": "SELECT doc_id, source_format, title, case_no, release, release_date, disposition, exemptions, "
                 "classification, lang, parent_id, parent_path, meta, n_pages, n_messages, date, sender, subject, "
                 "text, raw, html, content_hash, path, status, reason FROM documents",
    "messages": "SELECT doc_id, idx, sender, recipients, cc, bcc, date, date_raw, subject, attachments, importance, "
                "start, body_start, end, message_id, in_reply_to, extra FROM messages",
    "correspondents": "SELECT c.doc_id, m.idx, c.role, c.raw, c.name, c.address FROM correspondents c "
                      "LEFT JOIN messages m ON m.id = c.message",
    "pages": "SELECT doc_id, number, start, end, byte_start, byte_end, status, exemptions FROM pages",
    "passages": "SELECT doc_id, seq, page, start, end, byte_start, byte_end FROM passages",
    "exemptions": "SELECT doc_id, code FROM exemptions",
    "ledger": "SELECT path, member, root, content_hash, size, reader, status, reason, doc_id, release FROM ledger",
    "terms": "SELECT term, skel, df FROM terms",
    "fulltext": "SELECT d.doc_id, s.sz FROM docs_fts_docsize s LEFT JOIN documents d ON d.id = s.id",
    "fulltext_terms": "SELECT term, doc, cnt FROM docs_vocab",
    "persons": "SELECT id, name, sent, received, first, last, withheld FROM persons",
    "person_forms": "SELECT form, person, method, confidence, n FROM person_forms",
    "person_keys": "SELECT key, person FROM person_keys",
    "message_keys": "SELECT doc_id, idx, person, minute, subject FROM message_keys",
    "dupe_pairs": "SELECT a, b, similarity FROM dupe_pairs",
    "dupe_clusters": "SELECT doc_id, cluster FROM dupe_clusters",
    "copy_pairs": "SELECT a, b, share FROM copy_pairs",
}

_ORPHAN = "FROM {t} WHERE doc_id IS NOT NULL AND doc_id NOT IN (SELECT doc_id FROM documents)"


class SQLiteIntegrity:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""

    def storage_problems(self, full: bool = False) -> list[str]:
        try:
            rows = self.db.execute("PRAGMA integrity_check(20)" if full else "PRAGMA quick_check(20)").fetchall()
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        lines = [r[0] for r in rows]
        return [] if lines == ["ok"] else lines

    def fulltext_problems(self) -> list[str]:
        try:
            # On a contentless table this checks the index's own structure (there is no content to compare).
            self.db.execute("INSERT INTO docs_fts(docs_fts, rank) VALUES('integrity-check', 0)")
        except sqlite3.DatabaseError as exc:
            if "readonly" in str(exc) or "read-only" in str(exc):
                return self._fulltext_readable()
            return [str(exc)]
        return []

    def _fulltext_readable(self) -> list[str]:
        """On a read-only archive: every structure record of the index must at least be readable."""
        try:
            self.db.execute("SELECT count(*), sum(length(block)) FROM docs_fts_data").fetchone()
            self.db.execute("SELECT count(*) FROM docs_vocab").fetchone()
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return []

    def integrity_counts(self) -> dict[str, int]:
        db = self.db
        one = lambda sql: db.execute(sql).fetchone()[0]   # noqa: E731
        counts = {
            "documents": one("SELECT count(*) FROM documents"),
            "fulltext_rows": one("SELECT count(*) FROM docs_fts_docsize"),
            "passages": one("SELECT count(*) FROM passages"),
            "ledger": one("SELECT count(*) FROM ledger WHERE doc_id IS NOT NULL"),
            "fulltext_missing": one("SELECT count(*) FROM documents WHERE id NOT IN (SELECT id FROM docs_fts_docsize)"),
            "fulltext_orphans": one("SELECT count(*) FROM docs_fts_docsize WHERE id NOT IN (SELECT id FROM documents)"),
        }
        for table in CHILD_TABLES:
            counts[f"{table}_orphans"] = one("SELECT count(*) " + _ORPHAN.format(t=table))
        return counts

    def unindexed_documents(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT doc_id FROM documents WHERE id NOT IN (SELECT id FROM docs_fts_docsize) ORDER BY id")]

    def passages_up_to(self, passage_id: int) -> int:
        return self.db.execute("SELECT count(*) FROM passages WHERE id <= ?", (passage_id,)).fetchone()[0]

    def clear_fulltext(self) -> None:
        self.db.execute("INSERT INTO docs_fts(docs_fts) VALUES('delete-all')")

    def index_fulltext(self, doc_id: str, fields: tuple[str, str, str, str, str]) -> None:
        self.db.execute("INSERT INTO docs_fts (rowid, body, subject, sender, recipients, cc) "
                        "SELECT id, ?, ?, ?, ?, ? FROM documents WHERE doc_id=?", (*fields, doc_id))

    def all_doc_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT doc_id FROM documents ORDER BY id")]

    def drop_orphans(self) -> dict[str, int]:
        with self.db:
            return {t: self.db.execute("DELETE " + _ORPHAN.format(t=t)).rowcount for t in CHILD_TABLES}

    def content_digest(self) -> dict[str, str]:
        return combine_digests({t: digest_rows(self.db.execute(sql)) for t, sql in DIGEST.items()})

    def passage_keys(self) -> Iterator[tuple[int, str, int]]:
        yield from self.db.execute("SELECT id, doc_id, seq FROM passages")

    def intel_stale(self) -> bool:
        return self.db.execute("SELECT EXISTS (SELECT 1 FROM messages m WHERE NOT EXISTS "
                               "(SELECT 1 FROM message_keys k WHERE k.message = m.id))").fetchone()[0] == 1
