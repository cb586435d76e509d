"""SQLite: passages for the dense index: which are embedded, their text spans, name tables."""
from __future__ import annotations

from typing import Iterator


class SQLiteVector:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""

    def passages_after(self, passage_id: int) -> int:
        return self.db.execute("SELECT count(*) FROM passages WHERE id > ?", (passage_id,)).fetchone()[0]

    def passage_batches(self, passage_id: int, size: int) -> Iterator[list[tuple[int, int, str]]]:
        cur = self.db.execute(
            "SELECT p.id, d.id, substr(d.text, p.start + 1, p.end - p.start) FROM passages p "
            "JOIN documents d ON d.doc_id = p.doc_id WHERE p.id > ? ORDER BY p.id", (passage_id,))
        while True:
            rows = cur.fetchmany(size)
            if not rows:
                return
            yield [tuple(r) for r in rows]

    def passage_span(self, passage_id: int) -> tuple[int | None, int, str, int] | None:
        row = self.db.execute(
            "SELECT p.page, p.start, substr(d.text, p.start + 1, p.end - p.start), p.byte_start FROM passages p "
            "JOIN documents d ON d.doc_id = p.doc_id WHERE p.id = ?", (passage_id,)).fetchone()
        return tuple(row) if row else None
