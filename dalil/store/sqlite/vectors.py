"""SQLite: passages for the dense index: which are embedded, their text spans, name tables."""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np


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

    # The vectors of a SQLite archive live in its vector files (dalil.search.dense.VectorIndex),
    # not in the database: it holds none, and refuses to take any.
    def holds_vectors(self) -> bool:
        return False

    def vector_meta(self) -> dict | None:
        return None

    def vector_passages(self) -> int:
        return 0

    def reset_vectors(self, signature: dict) -> None:
        raise _in_files()

    def add_vectors(self, passage_ids: Sequence[int], doc_rows: Sequence[int], vectors: np.ndarray,
                    seconds: float) -> None:
        raise _in_files()

    def vector_graph(self) -> bool:
        return False

    def ensure_vector_graph(self) -> bool:
        return False

    def nearest_passages(self, vector: np.ndarray, k: int, doc_rows: Sequence[int] | None = None,
                         exact: bool = False, ef_search: int = 600) -> list[tuple[int, int, float]]:
        return []

    def vector_batches(self, size: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        return iter(())


def _in_files() -> TypeError:
    return TypeError("a SQLite archive keeps its vectors in the vector files beside it, not in the database")
