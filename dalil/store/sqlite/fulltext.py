"""SQLite: full-text search: term statistics, BM25 ranking, the OCR spelling vocabulary, facets over a set of documents."""
from __future__ import annotations

from typing import Any                  # noqa: F401


class SQLiteFullText:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""
