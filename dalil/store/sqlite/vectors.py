"""SQLite: passages for the dense index: which are embedded, their text spans, name tables."""
from __future__ import annotations

from typing import Any                  # noqa: F401


class SQLiteVector:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""
