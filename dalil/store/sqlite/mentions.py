"""SQLite: mentioned entities (tables `mentions`, `mention_keys`, `mentions_done`)."""
from __future__ import annotations

import json
from typing import Sequence

from dalil.store.base.mentions import MentionRow, MentionSource

_UNREAD = "NOT EXISTS (SELECT 1 FROM mentions_done r WHERE r.doc_id = d.doc_id AND r.model = ?)"


class SQLiteMention:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""

    _mention_tables: bool | None = None

    def _has_mentions(self) -> bool:
        """False for an archive of an older schema opened read-only (not migrated): it has no
        mentions, and the search facets must still work on it."""
        if not self._mention_tables:
            self._mention_tables = self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'mentions_done'").fetchone() is not None
        return self._mention_tables

    def mentions_pending(self, model: str) -> int:
        return self.db.execute(f"SELECT count(*) FROM documents d WHERE {_UNREAD}", (model,)).fetchone()[0]

    def mention_sources(self, model: str, limit: int) -> list[MentionSource]:
        docs = self.db.execute(f"SELECT d.doc_id, d.lang, d.text, json_extract(d.meta, '$.drop_spans') FROM documents d WHERE {_UNREAD} "
                               "ORDER BY d.id LIMIT ?", (model, limit)).fetchall()
        bodies: dict[str, list[tuple[int, int]]] = {}
        for doc_id, start, end in self.db.execute(
                "SELECT doc_id, body_start, end FROM messages WHERE doc_id IN (SELECT value FROM json_each(?)) "
                "AND body_start IS NOT NULL AND end > body_start ORDER BY doc_id, idx",
                [json.dumps([d[0] for d in docs])]):
            bodies.setdefault(doc_id, []).append((start, end))
        return [(d[0], d[1], d[2], bodies.get(d[0], []), [tuple(x) for x in json.loads(d[3] or "[]")])
                for d in docs]

    def save_mentions(self, model: str, doc_ids: Sequence[str], rows: Sequence[MentionRow],
                      keys: Sequence[tuple[str, str]]) -> None:
        db, ids = self.db, [(d,) for d in doc_ids]
        with db:
            db.executemany("DELETE FROM mentions WHERE doc_id = ?", ids)
            db.executemany("DELETE FROM mention_keys WHERE doc_id = ?", ids)
            db.executemany("INSERT INTO mentions VALUES (?,?,?,?,?,?,?)", rows)
            db.executemany("INSERT OR IGNORE INTO mention_keys (key, doc_id) VALUES (?,?)",
                           [(k, d) for d, k in keys])
            db.executemany("INSERT OR REPLACE INTO mentions_done VALUES (?,?)", [(d, model) for d in doc_ids])

    def clear_mentions(self) -> None:
        with self.db as db:
            for table in ("mentions", "mention_keys", "mentions_done"):
                db.execute(f"DELETE FROM {table}")

    def document_mentions(self, doc_id: str) -> list[tuple[str, str, str, int, int | None, str | None]]:
        if not self._has_mentions():
            return []
        return [tuple(r) for r in self.db.execute(
            "SELECT kind, label, form, n, person, place FROM mentions WHERE doc_id = ? "
            "ORDER BY n DESC, label", (doc_id,))]

    def mention_facet_rows(self) -> list[tuple[int, str, str]]:
        if not self._has_mentions():
            return []
        return [tuple(r) for r in self.db.execute(
            "SELECT d.id, m.kind, m.label FROM mentions m JOIN documents d ON d.doc_id = m.doc_id")]

    def mentions_state(self) -> int:
        if not self._has_mentions():
            return 0
        return self.db.execute("SELECT max(rowid) FROM mentions_done").fetchone()[0] or 0
