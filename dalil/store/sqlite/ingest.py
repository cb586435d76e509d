"""Writing an ingest: documents with their rows, and the ledger of inputs."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from dalil.model import ParsedDocument, PreparedDocument
from dalil.store.base.ingest import free_doc_id, variant_row
from dalil.text.ocr_spelling import skeleton


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode     # json.dumps(..., ensure_ascii=False) builds one per call


def _j(value: Any) -> str:
    if not value:                   # most lists and dicts are empty: skip the encoder
        return "[]" if isinstance(value, list) else "{}" if isinstance(value, dict) else json.dumps(value)
    return _ENCODE(value)




class SQLiteIngest:
    def seen_input(self, path: str, member: str, content_hash: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM ledger WHERE path=? AND member=? AND content_hash=? AND status!='failed'",
            (path, member, content_hash)).fetchone() is not None

    def doc_with_hash(self, doc_id: str, content_hash: str) -> str | None:
        """The stored document (or its ~N variant) read from this content with this id, if any."""
        row = self.db.execute("SELECT content_hash FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        if row is None:
            return None             # a ~N variant exists only beside the plain id: the usual case, one lookup
        if row[0] == content_hash:
            return doc_id
        row = self.db.execute("SELECT doc_id FROM documents WHERE content_hash=? AND doc_id LIKE ? LIMIT 1",
                              (content_hash, doc_id + "~%")).fetchone()
        return row[0] if row else None

    def _taken(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE doc_id=?", (doc_id,)).fetchone() is not None

    def add_document(self, doc: PreparedDocument, content_hash: str | None, path: str | None,
                     raw: bytes | None) -> str:
        db = self.db
        doc_id = free_doc_id(doc.doc_id, self._taken)
        row = variant_row(doc, doc_id)
        cur = db.execute(
            """INSERT INTO documents (doc_id, source_format, title, case_no, release, release_date,
               disposition, exemptions, classification, lang, parent_id, parent_path, meta, n_pages,
               n_messages, date, sender, subject, text, raw, html, content_hash, path, status, reason)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (doc_id, *row, doc.text, raw, doc.html, content_hash, path, doc.status, doc.reason))
        rowid = cur.lastrowid
        msg_rows: dict[int, int] = {}
        if doc.messages:
            db.executemany(
                """INSERT INTO messages (doc_id, idx, sender, recipients, cc, bcc, date, date_raw, subject,
                   attachments, importance, start, body_start, end, message_id, in_reply_to, extra)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                [(doc_id, *m) for m in doc.messages])
            # One writer, rowids assigned in order: the batch's ids are the last n.
            last = db.execute("SELECT last_insert_rowid()").fetchone()[0]
            first = last - len(doc.messages) + 1
            msg_rows = {m[0]: first + i for i, m in enumerate(doc.messages)}
        db.executemany("INSERT INTO correspondents (message, doc_id, role, raw, name, address, pos) "
                       "VALUES (?,?,?,?,?,?,?)",
                       [(msg_rows.get(idx), doc_id, role, raw_name, name, address, pos)
                        for pos, (idx, role, raw_name, name, address) in enumerate(doc.correspondents)])
        db.executemany("INSERT INTO pages VALUES (?,?,?,?,?,?,?,?)", [(doc_id, *p) for p in doc.pages])
        db.executemany("INSERT INTO passages (doc_id, seq, page, start, end, byte_start, byte_end) "
                       "VALUES (?,?,?,?,?,?,?)",
                       [(doc_id, seq, *row) for seq, row in enumerate(doc.passages)])
        db.executemany("INSERT INTO exemptions VALUES (?,?)", [(doc_id, c) for c in doc.exemptions])
        db.execute("INSERT INTO docs_fts (rowid, body, subject, sender, recipients, cc) VALUES (?,?,?,?,?,?)",
                   (rowid, *doc.fts))
        return doc_id

    def add_ledger(self, row: dict[str, Any]) -> None:
        row = {"member": "", "root": None, "content_hash": None, "size": None, "reader": None,
               "reason": None, "doc_id": None, "release": None, **row}
        row["at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        # A failed or skipped input read again replaces its row (none to look for in most archives).
        if self._has_failed is None:
            self._has_failed = self.db.execute(
                "SELECT 1 FROM ledger WHERE status IN ('failed','skipped') LIMIT 1").fetchone() is not None
        if self._has_failed:
            self.db.execute("DELETE FROM ledger WHERE path=? AND member=? AND status IN ('failed','skipped')",
                            (row["path"], row["member"]))
        self._has_failed = self._has_failed or row["status"] in ("failed", "skipped")
        self.db.execute(
            """INSERT OR IGNORE INTO ledger (path, member, root, content_hash, size, reader, status,
               reason, doc_id, release, at) VALUES (:path,:member,:root,:content_hash,:size,:reader,
               :status,:reason,:doc_id,:release,:at)""", row)

    def complete_container(self, path: str, content_hash: str) -> None:
        self.db.execute(
            """UPDATE ledger SET content_hash=? WHERE id=(SELECT max(id) FROM ledger WHERE path=? AND member=''
               AND content_hash IS NULL AND status='ok') AND NOT EXISTS (SELECT 1 FROM ledger WHERE path=?
               AND status IN ('failed','skipped'))""", (content_hash, path, path))

    def container_inputs(self, path: str, content_hash: str) -> int | None:
        if self.db.execute("SELECT 1 FROM ledger WHERE path=? AND member='' AND content_hash=? AND status='ok'",
                           (path, content_hash)).fetchone() is None:
            return None
        return self.db.execute("SELECT count(DISTINCT member) FROM ledger WHERE path=? AND member!='' "
                               "AND content_hash IS NOT NULL", (path,)).fetchone()[0]

    def commit(self) -> None:
        self.db.commit()

    def finish_ingest(self) -> None:
        """Refresh the OCR spelling index from the FTS vocabulary (only new terms are added)."""
        db = self.db
        # The documents the index was last refreshed for: when they are the same (a re-ingest that
        # added nothing), the vocabulary is not read again (a second over a large archive).
        docs = "{}:{}".format(*db.execute("SELECT max(id), count(*) FROM documents").fetchone())
        known = db.execute("SELECT count(*) FROM terms").fetchone()[0]
        if db.execute("SELECT 1 FROM meta WHERE key='terms_for' AND value=?", (f"{docs}:{known}",)).fetchone():
            return
        rows = db.execute("SELECT term, doc FROM docs_vocab").fetchall()
        with db:
            if not known or len(rows) != known:
                db.execute("DELETE FROM terms")
                db.executemany("INSERT INTO terms VALUES (?,?,?)",
                               ((t, skeleton(t), df) for t, df in rows))
            stamp = f"{docs}:{len(rows)}"
            db.execute("INSERT OR REPLACE INTO meta VALUES ('terms_for', ?)", (stamp,))


def serialize(doc: ParsedDocument, index: dict[str, Any]) -> dict[str, Any]:
    """Row values of a document, its messages and pages (JSON encoded), computed in the ingest worker."""
    top = doc.messages[0] if doc.messages else None
    page_bytes = index.get("page_bytes", {})
    return {
        "document": (doc.source_format, doc.title, doc.case, doc.release, doc.release_date, doc.disposition,
                     _j(doc.exemptions), _j(doc.classification), doc.lang, doc.parent_id, doc.parent_path,
                     _j(doc.meta), len(doc.pages), len(doc.messages), index.get("date"),
                     top.sender if top else None, top.subject if top else doc.title),
        "messages": [(m.index, m.sender, _j(m.to), _j(m.cc), _j(m.bcc), m.date, m.date_raw, m.subject,
                      _j(m.attachments), m.importance, m.start, m.body_start, m.end, m.message_id,
                      m.in_reply_to, _j(m.extra)) for m in doc.messages],
        "pages": [(p.number, p.start, p.end, *page_bytes.get(p.number, (p.start, p.end)), p.status,
                   _j(p.exemptions)) for p in doc.pages],
    }
