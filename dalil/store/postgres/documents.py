"""PostgreSQL: reading documents, their messages and pages; archive status."""
from __future__ import annotations

from typing import Any, Iterable

from psycopg.rows import dict_row

# Every column but the tsvector, in the SQLite table's order: a document is the same dict on both.
_DOCUMENT = ("id, doc_id, source_format, title, case_no, release, release_date, disposition, exemptions, "
             "classification, lang, parent_id, parent_path, meta, n_pages, n_messages, date, sender, "
             "subject, text, raw, html, content_hash, path, status, reason, collection")


class PostgresDocuments:
    def document(self, doc_id: str) -> dict[str, Any] | None:
        with self.db.cursor(row_factory=dict_row) as cur:
            doc = cur.execute(f"SELECT {_DOCUMENT} FROM documents WHERE doc_id=%s", (doc_id,)).fetchone()
            if doc is None:
                return None
            doc["messages"] = self.messages_of(doc_id)
            doc["pages"] = cur.execute("SELECT * FROM pages WHERE doc_id=%s ORDER BY number",
                                       (doc_id,)).fetchall()
            doc["children"] = [r["doc_id"] for r in cur.execute(
                "SELECT doc_id FROM documents WHERE parent_id=%s ORDER BY id", (doc_id,))]
        return doc

    def has_document(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE doc_id=%s", (doc_id,)).fetchone() is not None

    def documents_by_ids(self, doc_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        with self.db.cursor(row_factory=dict_row) as cur:
            return {row["doc_id"]: row for row in cur.execute(
                f"SELECT {_DOCUMENT} FROM documents WHERE doc_id = ANY(%s)", (list(doc_ids),))}

    def doc_ids_of(self, rows: list[int]) -> dict[int, str]:
        """Row id (documents.id, as rankings carry it) → doc_id, for the rows that exist."""
        return dict(self.db.execute("SELECT id, doc_id FROM documents WHERE id = ANY(%s)", (list(rows),)).fetchall())


    def document_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM documents").fetchone()[0]

    def language_counts(self) -> dict[str, int]:
        return dict(self.db.execute('SELECT lang, count(*) FROM documents WHERE lang IS NOT NULL '
                                    'GROUP BY lang ORDER BY lang COLLATE "C"').fetchall())

    def index_vocabulary(self, min_docs: int) -> list[tuple[str, int]]:
        """(index term, documents holding it) of the terms in at least `min_docs` documents (the
        spelling table, refreshed from the tsvector vocabulary after each ingest)."""
        return self.db.execute('SELECT term, df FROM terms WHERE df >= %s ORDER BY term COLLATE "C"',
                               (min_docs,)).fetchall()

    def passages_of(self, doc_ids: list[str]) -> dict[str, list[tuple[int, int | None, int, int]]]:
        out: dict[str, list[tuple[int, int | None, int, int]]] = {}
        for pid, doc_id, page, s, e in self.db.execute(
                'SELECT id, doc_id, page, start, "end" FROM passages WHERE doc_id = ANY(%s) '
                'ORDER BY doc_id COLLATE "C", seq', (list(doc_ids),)):
            out.setdefault(doc_id, []).append((pid, page, s, e))
        return out

    def messages_of(self, doc_id: str) -> list[dict[str, Any]]:
        with self.db.cursor(row_factory=dict_row) as cur:
            return cur.execute("SELECT * FROM messages WHERE doc_id=%s ORDER BY idx", (doc_id,)).fetchall()

    def message_documents(self, senders: list[str] | None = None, recipients: list[str] | None = None,
                          days: tuple[str, str] | None = None, limit: int = 20000) -> dict[str, int]:
        sql = "SELECT DISTINCT d.doc_id, d.id FROM messages m JOIN documents d ON d.doc_id = m.doc_id WHERE true"
        args: list[Any] = []
        if recipients is not None:
            # jsonb ?| text[]: the array holds one of these strings, as json_each(...) IN (...) on SQLite.
            sql += " AND (m.recipients ?| %s OR m.cc ?| %s)"
            args += [list(recipients), list(recipients)]
        if senders is not None:
            sql += " AND m.sender = ANY(%s)"
            args.append(list(senders))
        if days is not None:
            sql += " AND substr(m.date, 1, 10) BETWEEN %s AND %s"
            args += list(days)
        return dict(self.db.execute(sql + " LIMIT %s", (*args, int(limit))).fetchall())

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
