"""PostgreSQL: reading documents, their messages and pages; archive status."""
from __future__ import annotations

from typing import Any, Iterable

from psycopg.rows import dict_row

# Every column but the tsvector, in the SQLite table's order: a document is the same dict on both.
_DOCUMENT = ("id, doc_id, source_format, title, case_no, release, release_date, disposition, exemptions, "
             "classification, lang, parent_id, parent_path, meta, n_pages, n_messages, date, sender, "
             "subject, text, raw, html, content_hash, path, status, reason")


class PostgresDocuments:
    def document(self, doc_id: str) -> dict[str, Any] | None:
        with self.db.cursor(row_factory=dict_row) as cur:
            doc = cur.execute(f"SELECT {_DOCUMENT} FROM documents WHERE doc_id=%s", (doc_id,)).fetchone()
            if doc is None:
                return None
            doc["messages"] = cur.execute("SELECT * FROM messages WHERE doc_id=%s ORDER BY idx",
                                          (doc_id,)).fetchall()
            doc["pages"] = cur.execute("SELECT * FROM pages WHERE doc_id=%s ORDER BY number",
                                       (doc_id,)).fetchall()
            doc["children"] = [r["doc_id"] for r in cur.execute(
                "SELECT doc_id FROM documents WHERE parent_id=%s ORDER BY id", (doc_id,))]
        return doc

    def documents_by_ids(self, doc_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        with self.db.cursor(row_factory=dict_row) as cur:
            return {row["doc_id"]: row for row in cur.execute(
                f"SELECT {_DOCUMENT} FROM documents WHERE doc_id = ANY(%s)", (list(doc_ids),))}

    def status(self) -> dict[str, Any]:
        db = self.db
        by_status = {"ok": 0, "duplicate": 0, "failed": 0}
        for status, n in db.execute(
                'SELECT status, count(*) FROM ledger GROUP BY status ORDER BY status COLLATE "C"'):
            by_status[status] = by_status.get(status, 0) + n
        # Byte order with NULL first, as SQLite sorts: the JSON of `dalil status` is the same on both.
        by_release = {r or "(none)": n for r, n in db.execute(
            'SELECT release, count(*) FROM documents GROUP BY release ORDER BY release COLLATE "C" NULLS FIRST')}
        by_format = {f: n for f, n in db.execute(
            'SELECT source_format, count(*) FROM documents GROUP BY source_format '
            'ORDER BY 2 DESC, source_format COLLATE "C"')}
        return {
            "documents": db.execute("SELECT count(*) FROM documents").fetchone()[0],
            "messages": db.execute("SELECT count(*) FROM messages").fetchone()[0],
            "by_status": by_status,
            "by_release": by_release,
            "by_format": by_format,
            "failures": self.failed_inputs(),
        }

    def failed_inputs(self) -> list[dict[str, Any]]:
        return [{"path": path + (f"!{member}" if member else ""), "reason": reason, "root": root}
                for path, member, reason, root in self.db.execute(
                    "SELECT path, member, reason, root FROM ledger WHERE status='failed' ORDER BY id")]

    def first_doc_id(self) -> str | None:
        row = self.db.execute("SELECT doc_id FROM documents ORDER BY id LIMIT 1").fetchone()
        return row[0] if row else None

    def has_people(self) -> bool:
        return self.db.execute("SELECT 1 FROM persons LIMIT 1").fetchone() is not None
