"""PostgreSQL: passages for the dense index: which are embedded, their text spans.

The vectors themselves stay in the archive's vector files (dalil.search.dense reads them from
there on either backend); pgvector holds none yet."""
from __future__ import annotations

from typing import Iterator

_SPAN = 'substr(d.text, p.start + 1, p."end" - p.start)'


class PostgresVector:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection."""

    def passages_after(self, passage_id: int) -> int:
        return self.db.execute("SELECT count(*) FROM passages WHERE id > %s", (passage_id,)).fetchone()[0]

    def passage_batches(self, passage_id: int, size: int) -> Iterator[list[tuple[int, int, str]]]:
        # One page of `size` per query, resumed after the last id: a stream in any transaction mode.
        while True:
            rows = [tuple(r) for r in self.db.execute(
                f"SELECT p.id, d.id, {_SPAN} FROM passages p JOIN documents d ON d.doc_id = p.doc_id "
                f"WHERE p.id > %s ORDER BY p.id LIMIT %s", (passage_id, size))]
            if not rows:
                return
            yield rows
            passage_id = rows[-1][0]

    def passage_span(self, passage_id: int) -> tuple[int | None, int, str, int] | None:
        row = self.db.execute(
            f"SELECT p.page, p.start, {_SPAN}, p.byte_start FROM passages p JOIN documents d ON d.doc_id = p.doc_id "
            f"WHERE p.id = %s", (passage_id,)).fetchone()
        return tuple(row) if row else None
