"""PostgreSQL: kept work — tags, flags and notes on documents, saved searches.  Text is ordered
by code point (COLLATE "C"), as SQLite orders it."""
from __future__ import annotations

from typing import Any, Sequence


class PostgresAnnotations:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection."""

    def _write(self, sql: str, params: Sequence[Any]) -> int:
        """Run one statement in its own transaction; the rows it touched."""
        db = self.db
        with db.transaction():
            n = db.execute(sql, params).rowcount
        if not db.autocommit:
            db.commit()
        return n

    def set_tag(self, doc_id: str, tag: str, on: bool, at: str) -> bool:
        if on:
            return self._write("INSERT INTO doc_tags VALUES (%s, %s, %s) ON CONFLICT DO NOTHING", (doc_id, tag, at)) > 0
        return self._write("DELETE FROM doc_tags WHERE doc_id = %s AND tag = %s", (doc_id, tag)) > 0

    def set_flag(self, doc_id: str, flag: str, on: bool, at: str) -> bool:
        if on:
            return self._write("INSERT INTO doc_flags VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                               (doc_id, flag, at)) > 0
        return self._write("DELETE FROM doc_flags WHERE doc_id = %s AND flag = %s", (doc_id, flag)) > 0

    def set_note(self, doc_id: str, note: str, at: str) -> None:
        if note:
            self._write("INSERT INTO doc_notes VALUES (%s, %s, %s) ON CONFLICT (doc_id) "
                        "DO UPDATE SET note = excluded.note, at = excluded.at", (doc_id, note, at))
        else:
            self._write("DELETE FROM doc_notes WHERE doc_id = %s", (doc_id,))

    def annotations_of(self, doc_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not doc_ids:
            return {}
        ids = list(doc_ids)
        out: dict[str, dict[str, Any]] = {}

        def of(doc_id: str) -> dict[str, Any]:
            return out.setdefault(doc_id, {"tags": [], "starred": False, "read": False, "note": None,
                                           "noted_at": None})
        for doc_id, tag in self.db.execute(
                'SELECT doc_id, tag FROM doc_tags WHERE doc_id = ANY(%s) ORDER BY doc_id COLLATE "C", tag COLLATE "C"',
                (ids,)):
            of(doc_id)["tags"].append(tag)
        for doc_id, flag in self.db.execute("SELECT doc_id, flag FROM doc_flags WHERE doc_id = ANY(%s)", (ids,)):
            of(doc_id)[flag] = True
        for doc_id, note, at in self.db.execute("SELECT doc_id, note, at FROM doc_notes WHERE doc_id = ANY(%s)",
                                                (ids,)):
            of(doc_id).update(note=note, noted_at=at)
        return out

    def flagged(self, flag: str, doc_ids: Sequence[str]) -> set[str]:
        if not doc_ids:
            return set()
        return {r[0] for r in self.db.execute("SELECT doc_id FROM doc_flags WHERE flag = %s AND doc_id = ANY(%s)",
                                              (flag, list(doc_ids)))}

    def tag_counts(self) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self.db.execute(
            'SELECT tag, count(*)::int AS n FROM doc_tags GROUP BY tag ORDER BY n DESC, tag COLLATE "C"')]

    def add_saved_search(self, name: str, query: str, seen_row: int, at: str) -> bool:
        return self._write("INSERT INTO saved_searches (name, query, seen_row, created) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                           (name, query, seen_row, at)) > 0

    def saved_searches(self) -> list[dict[str, Any]]:
        return [{"name": r[0], "query": r[1], "seen_row": r[2], "created": r[3], "seen_at": r[4]}
                for r in self.db.execute('SELECT name, query, seen_row, created, seen_at FROM saved_searches '
                                         'ORDER BY name COLLATE "C"')]

    def remove_saved_search(self, name: str) -> bool:
        return self._write("DELETE FROM saved_searches WHERE name = %s", (name,)) > 0

    def mark_saved_seen(self, name: str, seen_row: int, at: str) -> None:
        self._write("UPDATE saved_searches SET seen_row = %s, seen_at = %s WHERE name = %s", (seen_row, at, name))
