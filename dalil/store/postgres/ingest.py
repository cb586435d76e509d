"""PostgreSQL: writing an ingest: documents with their rows, and the ledger of inputs."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from dalil.model import PreparedDocument
from dalil.store.base.ingest import free_doc_id, variant_row
from dalil.store.postgres.fts_query import tsvector_text

_JSON_COLUMNS = (6, 7, 11)          # exemptions, classification, meta in the document row
_MESSAGE_JSON = (2, 3, 4, 8, 15)    # recipients, cc, bcc, attachments, extra in a message row
_PAGE_JSON = 6                      # exemptions in a page row
_JSON_NUL = re.compile(r"((?:^|[^\\])(?:\\\\)*)\\u0000")

# A tsvector holds at most 1 MB; a huge body is indexed without positions (still found, not phrased).
_FTS_POSITIONS_LIMIT = 200_000


def _text(value: Any) -> Any:
    # PostgreSQL text cannot hold NUL: it becomes U+FFFD (one code point, so offsets stay right).
    return value.replace("\x00", "\ufffd") if type(value) is str and "\x00" in value else value


def _json(value: str) -> str:
    return _JSON_NUL.sub(r"\1\\ufffd", value) if "\\u0000" in value else value


def _row(values: tuple, json_at: tuple[int, ...] = ()) -> tuple:
    out = [_text(v) for v in values]
    for i in json_at:
        if out[i] is not None:
            out[i] = _json(out[i])
    return tuple(out)


class PostgresIngest:
    def seen_input(self, path: str, member: str, content_hash: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM ledger WHERE path=%s AND member=%s AND content_hash=%s AND status!='failed'",
            (path, member, content_hash)).fetchone() is not None

    def doc_with_hash(self, doc_id: str, content_hash: str) -> str | None:
        row = self.db.execute("SELECT content_hash FROM documents WHERE doc_id=%s", (doc_id,)).fetchone()
        if row is None:
            return None
        if row[0] == content_hash:
            return doc_id
        # ILIKE: SQLite's LIKE, which the other backend uses, ignores ASCII case.
        row = self.db.execute("SELECT doc_id FROM documents WHERE content_hash=%s AND doc_id ILIKE %s "
                              "ORDER BY id LIMIT 1", (content_hash, doc_id + "~%")).fetchone()
        return row[0] if row else None

    def _taken(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE doc_id=%s", (doc_id,)).fetchone() is not None

    def add_document(self, doc: PreparedDocument, content_hash: str | None, path: str | None,
                     raw: bytes | None) -> str:
        db = self.db
        doc_id = free_doc_id(doc.doc_id, self._taken)
        row = variant_row(doc, doc_id)
        fts, fts_len = tsvector_text(doc.fts, positions=len(doc.fts[0]) <= _FTS_POSITIONS_LIMIT)
        db.execute(
            """INSERT INTO documents (doc_id, source_format, title, case_no, release, release_date,
               disposition, exemptions, classification, lang, parent_id, parent_path, meta, n_pages,
               n_messages, date, sender, subject, text, raw, html, content_hash, path, status, reason, fts,
               fts_len)
               VALUES (%s,%s,%s,%s,%s,%s,%s,%s::jsonb,%s::jsonb,%s,%s,%s,%s::jsonb,%s,%s,%s,%s,%s,%s,%s,%s,%s,
                       %s,%s,%s,%s::tsvector,%s)""",
            (_text(doc_id), *_row(row, _JSON_COLUMNS), _text(doc.text), raw, _text(doc.html), content_hash,
             _text(path), doc.status, _text(doc.reason), fts, fts_len))
        msg_rows: dict[int, int] = {}
        if doc.messages:
            with db.cursor() as cur:
                cur.executemany(
                    """INSERT INTO messages (doc_id, idx, sender, recipients, cc, bcc, date, date_raw, subject,
                       attachments, importance, start, body_start, "end", message_id, in_reply_to, extra)
                       VALUES (%s,%s,%s,%s::jsonb,%s::jsonb,%s::jsonb,%s,%s,%s,%s::jsonb,%s,%s,%s,%s,%s,%s,
                               %s::jsonb) RETURNING id""",
                    [(doc_id, *_row(m, _MESSAGE_JSON)) for m in doc.messages], returning=True)
                ids = []
                while True:
                    ids.append(cur.fetchone()[0])
                    if not cur.nextset():
                        break
            msg_rows = {m[0]: ids[i] for i, m in enumerate(doc.messages)}
        with db.cursor() as cur:
            if doc.correspondents:
                cur.executemany("INSERT INTO correspondents (message, doc_id, role, raw, name, address, pos) "
                                "VALUES (%s,%s,%s,%s,%s,%s,%s)",
                                [(msg_rows.get(idx), doc_id, role, *_row((raw_name, name, address)), pos)
                                 for pos, (idx, role, raw_name, name, address) in enumerate(doc.correspondents)])
            if doc.pages:
                cur.executemany("INSERT INTO pages VALUES (%s,%s,%s,%s,%s,%s,%s,%s::jsonb)",
                                [(doc_id, *_row(p, (_PAGE_JSON,))) for p in doc.pages])
            if doc.passages:
                cur.executemany('INSERT INTO passages (doc_id, seq, page, start, "end", byte_start, byte_end) '
                                "VALUES (%s,%s,%s,%s,%s,%s,%s)",
                                [(doc_id, seq, *row) for seq, row in enumerate(doc.passages)])
            if doc.exemptions:
                cur.executemany("INSERT INTO exemptions VALUES (%s,%s)",
                                [(doc_id, _text(c)) for c in doc.exemptions])
        return doc_id

    def add_ledger(self, row: dict[str, Any]) -> None:
        row = {"member": "", "root": None, "content_hash": None, "size": None, "reader": None,
               "reason": None, "doc_id": None, "release": None, **row}
        row = {k: _text(v) for k, v in row.items()}
        row["at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        # A failed or skipped input read again replaces its row (none to look for in most archives).
        if self._has_failed is None:
            self._has_failed = self.db.execute(
                "SELECT 1 FROM ledger WHERE status IN ('failed','skipped') LIMIT 1").fetchone() is not None
        if self._has_failed:
            self.db.execute("DELETE FROM ledger WHERE path=%s AND member=%s AND status IN ('failed','skipped')",
                            (row["path"], row["member"]))
        self._has_failed = self._has_failed or row["status"] in ("failed", "skipped")
        self.db.execute(
            """INSERT INTO ledger (path, member, root, content_hash, size, reader, status, reason, doc_id,
               release, at) VALUES (%(path)s, %(member)s, %(root)s, %(content_hash)s, %(size)s, %(reader)s,
               %(status)s, %(reason)s, %(doc_id)s, %(release)s, %(at)s) ON CONFLICT DO NOTHING""", row)

    def complete_container(self, path: str, content_hash: str) -> None:
        self.db.execute(
            """UPDATE ledger SET content_hash=%s WHERE id=(SELECT max(id) FROM ledger WHERE path=%s AND member=''
               AND content_hash IS NULL AND status='ok') AND NOT EXISTS (SELECT 1 FROM ledger WHERE path=%s
               AND status IN ('failed','skipped'))""", (content_hash, _text(path), _text(path)))

    def container_inputs(self, path: str, content_hash: str) -> int | None:
        if self.db.execute("SELECT 1 FROM ledger WHERE path=%s AND member='' AND content_hash=%s AND status='ok'",
                           (_text(path), content_hash)).fetchone() is None:
            return None
        return self.db.execute("SELECT count(DISTINCT member) FROM ledger WHERE path=%s AND member!='' "
                               "AND content_hash IS NOT NULL", (_text(path),)).fetchone()[0]

    def commit(self) -> None:
        self.db.commit()

    def finish_ingest(self) -> None:
        """Refresh the OCR spelling index from the tsvector vocabulary (only when terms were added)."""
        from dalil.text.ocr_spelling import skeleton
        db = self.db
        known = db.execute("SELECT count(*) FROM terms").fetchone()[0]
        # The column markers (`@to:word`, fts_query) are no words of the vocabulary.
        rows = db.execute("SELECT word, ndoc FROM ts_stat('SELECT fts FROM documents') "
                          "WHERE left(word, 1) != '@'").fetchall()
        if known and len(rows) == known:
            return
        with db.transaction():
            db.execute("DELETE FROM terms")
            with db.cursor() as cur:
                with cur.copy("COPY terms (term, skel, df) FROM STDIN") as copy:
                    for term, df in rows:
                        copy.write_row((term, skeleton(term), df))
