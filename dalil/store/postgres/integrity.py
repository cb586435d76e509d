"""PostgreSQL: the canonical digest of an archive's content (the other integrity checks are
SQLite's own: `dalil check` reads a file)."""
from __future__ import annotations

from typing import Any, Iterator

from dalil.store.base.integrity import combine_digests, digest_rows

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


class PostgresIntegrity:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection."""

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
