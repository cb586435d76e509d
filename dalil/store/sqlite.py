"""The embedded store: one SQLite file in WAL mode."""
from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timezone
from typing import Any, Iterable

from dalil.model import ParsedDocument, PreparedDocument
from dalil.store.base import Store
from dalil.store.schema import MIGRATIONS, SCHEMA_VERSION


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode     # json.dumps(..., ensure_ascii=False) builds one per call


def _j(value: Any) -> str:
    if not value:                   # most lists and dicts are empty: skip the encoder
        return "[]" if isinstance(value, list) else "{}" if isinstance(value, dict) else json.dumps(value)
    return _ENCODE(value)


_META = 11                          # position of `meta` in serialize()'s document values


class SQLiteStore(Store):
    def __init__(self, path: str, readonly: bool = False):
        self.path = path
        self._local = threading.local()
        self.readonly = readonly
        self._has_failed: bool | None = None       # any failed ledger row? (known after the first add)
        if not readonly:
            self._migrate()

    # One connection per thread: the web server answers from a thread pool.
    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            uri = f"file:{self.path}?mode=ro" if self.readonly else f"file:{self.path}"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
            conn.row_factory = sqlite3.Row
            if not self.readonly:
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA cache_size=-65536")
            conn.execute("PRAGMA mmap_size=1073741824")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _migrate(self) -> None:
        db = self.db
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"archive schema v{version} is newer than this dalil (v{SCHEMA_VERSION})")
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            with db:
                for sql in statements:
                    db.execute(sql)
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(number),))

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])

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

    def _free_doc_id(self, doc_id: str) -> str:
        candidate, n = doc_id, 1
        while self.db.execute("SELECT 1 FROM documents WHERE doc_id=?", (candidate,)).fetchone():
            n += 1
            candidate = f"{doc_id}~{n}"
        return candidate

    def add_document(self, doc: PreparedDocument, content_hash: str | None, path: str | None,
                     raw: bytes | None) -> str:
        db = self.db
        doc_id = self._free_doc_id(doc.doc_id)
        row = doc.document_row
        if doc_id != doc.doc_id:
            meta = json.loads(row[_META]) | {"variant_of": doc.doc_id}
            row = (*row[:_META], _j(meta), *row[_META + 1:])
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
        db.executemany("INSERT INTO correspondents VALUES (?,?,?,?,?,?)",
                       [(msg_rows.get(idx), doc_id, role, raw_name, name, address)
                        for idx, role, raw_name, name, address in doc.correspondents])
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
        # A failed input that is retried replaces its failed row (none to look for in most archives).
        if self._has_failed is None:
            self._has_failed = self.db.execute("SELECT 1 FROM ledger WHERE status='failed' LIMIT 1").fetchone() is not None
        if self._has_failed:
            self.db.execute("DELETE FROM ledger WHERE path=? AND member=? AND status='failed'",
                            (row["path"], row["member"]))
        self._has_failed = self._has_failed or row["status"] == "failed"
        self.db.execute(
            """INSERT OR IGNORE INTO ledger (path, member, root, content_hash, size, reader, status,
               reason, doc_id, release, at) VALUES (:path,:member,:root,:content_hash,:size,:reader,
               :status,:reason,:doc_id,:release,:at)""", row)

    def commit(self) -> None:
        self.db.commit()

    def finish_ingest(self) -> None:
        """Refresh the OCR spelling index from the FTS vocabulary (only new terms are added)."""
        from dalil.search.spelling import skeleton
        db = self.db
        known = db.execute("SELECT count(*) FROM terms").fetchone()[0]
        rows = db.execute("SELECT term, doc FROM docs_vocab").fetchall()
        if known and len(rows) == known:
            return
        with db:
            db.execute("DELETE FROM terms")
            db.executemany("INSERT INTO terms VALUES (?,?,?)",
                           ((t, skeleton(t), df) for t, df in rows))

    # --- read ------------------------------------------------------------------
    def document(self, doc_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        if row is None:
            return None
        doc = _document_row(row)
        doc["messages"] = [_message_row(m) for m in self.db.execute(
            "SELECT * FROM messages WHERE doc_id=? ORDER BY idx", (doc_id,))]
        doc["pages"] = [dict(p) | {"exemptions": json.loads(p["exemptions"])} for p in self.db.execute(
            "SELECT * FROM pages WHERE doc_id=? ORDER BY number", (doc_id,))]
        doc["children"] = [r[0] for r in self.db.execute(
            "SELECT doc_id FROM documents WHERE parent_id=? ORDER BY id", (doc_id,))]
        return doc

    def documents_by_ids(self, doc_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        ids = list(doc_ids)
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            q = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT * FROM documents WHERE doc_id IN ({q})", chunk):
                out[row["doc_id"]] = _document_row(row)
        return out

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
