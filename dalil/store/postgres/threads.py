"""PostgreSQL: threads: message keys and reply links between messages."""
from __future__ import annotations

from typing import Any, Iterable


class PostgresThread:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection."""

    def message_senders(self) -> list[tuple[int, str, int, str | None, str | None, int | None]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT m.id, m.doc_id, m.idx, m.date, m.subject, pf.person FROM messages m "
            "LEFT JOIN correspondents c ON c.message = m.id AND c.role = 'from' "
            "LEFT JOIN person_forms pf ON pf.form = c.raw ORDER BY m.id, c.pos")]

    def replace_message_keys(self, rows: Iterable[tuple[int, str, int, int | None, str | None, str]]) -> None:
        db = self.db
        with db.transaction(), db.cursor() as cur:
            cur.execute("DELETE FROM message_keys")
            with cur.copy("COPY message_keys (message, doc_id, idx, person, minute, subject) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        if not db.autocommit:
            db.commit()

    def document_keys(self, doc_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT k.message, k.doc_id, k.idx, k.person, k.minute, k.subject, m.date, m.subject, m.sender "
            "FROM message_keys k JOIN messages m ON m.id = k.message WHERE k.doc_id=%s ORDER BY k.idx",
            (doc_id,)).fetchall()
        return [{"message": r[0], "doc_id": r[1], "idx": r[2], "person": r[3], "minute": r[4], "norm": r[5],
                 "date": r[6], "subject": r[7], "sender": r[8]} for r in rows]

    def same_minute(self, person: int, minute: str, doc_id: str) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT doc_id, subject FROM message_keys WHERE person=%s AND minute=%s AND doc_id != %s "
            "ORDER BY message", (person, minute, doc_id))]

    def subject_keys(self, subject: str, limit: int) -> list[tuple[str, int | None, str | None]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT doc_id, person, minute FROM message_keys WHERE subject=%s ORDER BY message LIMIT %s",
            (subject, limit))]

    def keyed_messages(self, doc_ids: Iterable[str] | None) -> list[tuple[int, int | None, str | None, str, str | None]]:
        where, params = scope(doc_ids, "k.doc_id")
        return [tuple(r) for r in self.db.execute(
            f"SELECT k.message, k.person, k.minute, k.subject, m.date FROM message_keys k "
            f"JOIN messages m ON m.id = k.message WHERE {where} ORDER BY k.message", params)]

    def keyed_recipients(self, doc_ids: Iterable[str] | None) -> list[tuple[int, int | None]]:
        where, params = scope(doc_ids, "k.doc_id")
        return [tuple(r) for r in self.db.execute(
            f"SELECT c.message, pf.person FROM message_keys k JOIN correspondents c ON c.message = k.message "
            f"LEFT JOIN person_forms pf ON pf.form = c.raw WHERE {where} AND c.role IN ('to', 'cc') "
            f"ORDER BY c.message, c.pos", params)]


def scope(doc_ids: Iterable[str] | None, column: str) -> tuple[str, list[Any]]:
    """SQL condition on `column` for the doc ids in scope (all when None), and its parameters:
    one array parameter, where SQLite fills a temp table."""
    if doc_ids is None:
        return "true", []
    return f"{column} = ANY(%s)", [list(dict.fromkeys(doc_ids))]
