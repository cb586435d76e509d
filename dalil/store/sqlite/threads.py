"""SQLite: threads: message keys and reply links between messages."""
from __future__ import annotations

import sqlite3
from typing import Any, Iterable


class SQLiteThread:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""

    def message_senders(self) -> list[tuple[int, str, int, str | None, str | None, int | None]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT m.id, m.doc_id, m.idx, m.date, m.subject, pf.person FROM messages m "
            "LEFT JOIN correspondents c ON c.message = m.id AND c.role = 'from' "
            "LEFT JOIN person_forms pf ON pf.form = c.raw")]

    def replace_message_keys(self, rows: Iterable[tuple[int, str, int, int | None, str | None, str]]) -> None:
        db = self.db
        with db:
            db.execute("DELETE FROM message_keys")
            db.executemany("INSERT INTO message_keys VALUES (?,?,?,?,?,?)", rows)

    def document_keys(self, doc_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT k.message, k.doc_id, k.idx, k.person, k.minute, k.subject, m.date, m.subject, m.sender "
            "FROM message_keys k JOIN messages m ON m.id = k.message WHERE k.doc_id=? ORDER BY k.idx",
            (doc_id,)).fetchall()
        return [{"message": r[0], "doc_id": r[1], "idx": r[2], "person": r[3], "minute": r[4], "norm": r[5],
                 "date": r[6], "subject": r[7], "sender": r[8]} for r in rows]

    def same_minute(self, person: int, minute: str, doc_id: str) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT doc_id, subject FROM message_keys WHERE person=? AND minute=? AND doc_id != ?",
            (person, minute, doc_id))]

    def subject_keys(self, subject: str, limit: int) -> list[tuple[str, int | None, str | None]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT doc_id, person, minute FROM message_keys WHERE subject=? LIMIT ?", (subject, limit))]

    def keyed_messages(self, doc_ids: Iterable[str] | None) -> list[tuple[int, int | None, str | None, str, str | None]]:
        where = scope(self.db, doc_ids, "k.doc_id")
        return [tuple(r) for r in self.db.execute(
            f"SELECT k.message, k.person, k.minute, k.subject, m.date FROM message_keys k "
            f"JOIN messages m ON m.id = k.message WHERE {where} ORDER BY k.message")]

    def keyed_recipients(self, doc_ids: Iterable[str] | None) -> list[tuple[int, int | None]]:
        where = scope(self.db, doc_ids, "k.doc_id")
        return [tuple(r) for r in self.db.execute(
            f"SELECT c.message, pf.person FROM message_keys k JOIN correspondents c ON c.message = k.message "
            f"LEFT JOIN person_forms pf ON pf.form = c.raw WHERE {where} AND c.role IN ('to', 'cc')")]


def scope(db: sqlite3.Connection, doc_ids: Iterable[str] | None, column: str) -> str:
    """Fill a temp table with the doc ids in scope; returns the SQL condition on `column` (all when None)."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS intel_scope (doc_id TEXT PRIMARY KEY) WITHOUT ROWID")
    # Committed at once: the DELETE opens a transaction, and one left open pins the connection's
    # view of the file (WAL), so a long-running server would never see later writes (an ingest,
    # a tag) on that thread's connection.
    with db:
        db.execute("DELETE FROM temp.intel_scope")
        if doc_ids is None:
            return "1"
        db.executemany("INSERT OR IGNORE INTO temp.intel_scope VALUES (?)", ((d,) for d in doc_ids))
    return f"{column} IN (SELECT doc_id FROM temp.intel_scope)"
