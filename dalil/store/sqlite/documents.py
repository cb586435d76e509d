"""Reading documents, their messages and pages; archive status."""
from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable, Sequence


class SQLiteDocuments:
    # --- read ------------------------------------------------------------------
    def document(self, doc_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        if row is None:
            return None
        doc = _document_row(row)
        doc["messages"] = self.messages_of(doc_id)
        doc["pages"] = [dict(p) | {"exemptions": json.loads(p["exemptions"])} for p in self.db.execute(
            "SELECT * FROM pages WHERE doc_id=? ORDER BY number", (doc_id,))]
        doc["children"] = [r[0] for r in self.db.execute(
            "SELECT doc_id FROM documents WHERE parent_id=? ORDER BY id", (doc_id,))]
        return doc

    def has_document(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE doc_id=?", (doc_id,)).fetchone() is not None

    def documents_by_ids(self, doc_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        ids = list(doc_ids)
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            q = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT * FROM documents WHERE doc_id IN ({q})", chunk):
                out[row["doc_id"]] = _document_row(row)
        return out

    def doc_ids_of(self, rows: Sequence[int]) -> dict[int, str]:
        if not len(rows):
            return {}
        # One statement whatever the number of rows (a result set can hold thousands): the ids
        # travel as one JSON array instead of chunks of bound variables.
        return dict(self.db.execute("SELECT id, doc_id FROM documents WHERE id IN (SELECT value FROM json_each(?))",
                                    [json.dumps([int(r) for r in rows])]).fetchall())

    def status(self) -> dict[str, Any]:
        db = self.db
        by_status = {"ok": 0, "duplicate": 0, "failed": 0}
        for status, n in db.execute("SELECT status, count(*) FROM ledger GROUP BY status"):
            by_status[status] = by_status.get(status, 0) + n
        by_release = {r or "(none)": n for r, n in db.execute(
            "SELECT release, count(*) FROM documents GROUP BY release ORDER BY release")}
        by_format = {f: n for f, n in db.execute(
            "SELECT source_format, count(*) FROM documents GROUP BY source_format ORDER BY 2 DESC")}
        return {
            "documents": db.execute("SELECT count(*) FROM documents").fetchone()[0],
            "messages": db.execute("SELECT count(*) FROM messages").fetchone()[0],
            "by_status": by_status,
            "by_release": by_release,
            "by_format": by_format,
            "failures": self.failed_inputs(),
        }

    def failed_inputs(self) -> list[dict[str, Any]]:
        return [{"path": r["path"] + (f"!{r['member']}" if r["member"] else ""), "reason": r["reason"],
                 "root": r["root"]}
                for r in self.db.execute("SELECT * FROM ledger WHERE status='failed' ORDER BY id")]

    def first_doc_id(self) -> str | None:
        row = self.db.execute("SELECT doc_id FROM documents LIMIT 1").fetchone()
        return row[0] if row else None

    # --- reads for claim tracing -------------------------------------------------------------
    def document_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM documents").fetchone()[0]

    def language_counts(self) -> dict[str, int]:
        return dict(self.db.execute(
            "SELECT lang, count(*) FROM documents WHERE lang IS NOT NULL GROUP BY lang").fetchall())

    def index_vocabulary(self, min_docs: int) -> list[tuple[str, int]]:
        return [(t, d) for t, d in self.db.execute("SELECT term, doc FROM docs_vocab WHERE doc >= ?", (min_docs,))]

    def passages_of(self, doc_ids: list[str]) -> dict[str, list[tuple[int, int | None, int, int]]]:
        out: dict[str, list[tuple[int, int | None, int, int]]] = {}
        q = ",".join("?" * len(doc_ids))
        for pid, doc_id, page, s, e in self.db.execute(
                f"SELECT id, doc_id, page, start, end FROM passages WHERE doc_id IN ({q}) ORDER BY doc_id, seq",
                doc_ids):
            out.setdefault(doc_id, []).append((pid, page, s, e))
        return out

    def messages_of(self, doc_id: str) -> list[dict[str, Any]]:
        return [_message_row(m) for m in self.db.execute(
            "SELECT * FROM messages WHERE doc_id=? ORDER BY idx", (doc_id,))]

    def message_documents(self, senders: list[str] | None = None, recipients: list[str] | None = None,
                          days: tuple[str, str] | None = None, limit: int = 20000) -> dict[str, int]:
        sql = "SELECT DISTINCT d.doc_id, d.id FROM messages m JOIN documents d ON d.doc_id = m.doc_id WHERE 1"
        args: list[Any] = []
        if recipients is not None:
            marks = ",".join("?" * len(recipients))
            sql += (f" AND (EXISTS (SELECT 1 FROM json_each(m.recipients) WHERE value IN ({marks}))"
                    f" OR EXISTS (SELECT 1 FROM json_each(m.cc) WHERE value IN ({marks})))")
            args += recipients + recipients
        if senders is not None:
            sql += f" AND m.sender IN ({','.join('?' * len(senders))})"
            args += senders
        if days is not None:
            sql += " AND substr(m.date, 1, 10) BETWEEN ? AND ?"
            args += list(days)
        return dict(self.db.execute(sql + f" LIMIT {int(limit)}", args).fetchall())



def _document_row(row: sqlite3.Row) -> dict[str, Any]:
    d = dict(row)
    for key in ("exemptions", "classification", "meta"):
        d[key] = json.loads(d[key]) if d[key] else ([] if key == "exemptions" else {})
    return d


def _message_row(row: sqlite3.Row) -> dict[str, Any]:
    m = dict(row)
    for key in ("recipients", "cc", "bcc", "attachments", "extra"):
        m[key] = json.loads(m[key])
    return m

