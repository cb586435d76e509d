"""SQLite: kept work — tags, flags and notes on documents, saved searches."""
from __future__ import annotations

import json
from typing import Any, Sequence


class SQLiteAnnotations:
    """Mixin of SQLiteStore; `self.db` is the thread's connection.  An archive of an older schema
    opened where it cannot be migrated (read-only) has no kept work: the reads answer empty."""

    def _has_kept(self) -> bool:
        return self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'doc_tags'").fetchone() is not None

    def _writable(self) -> None:
        if not self._has_kept():
            raise PermissionError(f"{self.path} is read-only here and predates kept work: "
                                  "open it where it can be written (or run `dalil db upgrade` there)")

    def set_tag(self, doc_id: str, tag: str, on: bool, at: str) -> bool:
        self._writable()
        with self.db as db:
            if on:
                cur = db.execute("INSERT OR IGNORE INTO doc_tags VALUES (?, ?, ?)", (doc_id, tag, at))
            else:
                cur = db.execute("DELETE FROM doc_tags WHERE doc_id = ? AND tag = ?", (doc_id, tag))
            return cur.rowcount > 0

    def set_flag(self, doc_id: str, flag: str, on: bool, at: str) -> bool:
        self._writable()
        with self.db as db:
            if on:
                cur = db.execute("INSERT OR IGNORE INTO doc_flags VALUES (?, ?, ?)", (doc_id, flag, at))
            else:
                cur = db.execute("DELETE FROM doc_flags WHERE doc_id = ? AND flag = ?", (doc_id, flag))
            return cur.rowcount > 0

    def set_note(self, doc_id: str, note: str, at: str) -> None:
        self._writable()
        with self.db as db:
            if note:
                db.execute("INSERT OR REPLACE INTO doc_notes VALUES (?, ?, ?)", (doc_id, note, at))
            else:
                db.execute("DELETE FROM doc_notes WHERE doc_id = ?", (doc_id,))

    def annotations_of(self, doc_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not doc_ids or not self._has_kept():
            return {}
        ids = json.dumps(list(doc_ids))
        inside = "doc_id IN (SELECT value FROM json_each(?))"
        out: dict[str, dict[str, Any]] = {}

        def of(doc_id: str) -> dict[str, Any]:
            return out.setdefault(doc_id, {"tags": [], "starred": False, "read": False, "note": None,
                                           "noted_at": None})
        for doc_id, tag in self.db.execute(f"SELECT doc_id, tag FROM doc_tags WHERE {inside} ORDER BY doc_id, tag",
                                           [ids]):
            of(doc_id)["tags"].append(tag)
        for doc_id, flag in self.db.execute(f"SELECT doc_id, flag FROM doc_flags WHERE {inside}", [ids]):
            of(doc_id)[flag] = True
        for doc_id, note, at in self.db.execute(f"SELECT doc_id, note, at FROM doc_notes WHERE {inside}", [ids]):
            of(doc_id).update(note=note, noted_at=at)
        return out

    def flagged(self, flag: str, doc_ids: Sequence[str]) -> set[str]:
        if not doc_ids or not self._has_kept():
            return set()
        return {r[0] for r in self.db.execute(
            "SELECT doc_id FROM doc_flags WHERE flag = ? AND doc_id IN (SELECT value FROM json_each(?))",
            [flag, json.dumps(list(doc_ids))])}

    def tag_counts(self) -> list[tuple[str, int]]:
        if not self._has_kept():
            return []
        return [tuple(r) for r in self.db.execute(
            "SELECT tag, count(*) AS n FROM doc_tags GROUP BY tag ORDER BY n DESC, tag")]

    def add_saved_search(self, name: str, query: str, seen_row: int, at: str) -> bool:
        self._writable()
        with self.db as db:
            cur = db.execute("INSERT OR IGNORE INTO saved_searches (name, query, seen_row, created) VALUES (?, ?, ?, ?)",
                             (name, query, seen_row, at))
            return cur.rowcount > 0

    def saved_searches(self) -> list[dict[str, Any]]:
        if not self._has_kept():
            return []
        return [{"name": r[0], "query": r[1], "seen_row": r[2], "created": r[3], "seen_at": r[4]}
                for r in self.db.execute("SELECT name, query, seen_row, created, seen_at FROM saved_searches "
                                         "ORDER BY name")]

    def remove_saved_search(self, name: str) -> bool:
        self._writable()
        with self.db as db:
            return db.execute("DELETE FROM saved_searches WHERE name = ?", (name,)).rowcount > 0

    def mark_saved_seen(self, name: str, seen_row: int, at: str) -> None:
        self._writable()
        with self.db as db:
            db.execute("UPDATE saved_searches SET seen_row = ?, seen_at = ? WHERE name = ?", (seen_row, at, name))
