"""SQLite: duplicate clusters: MinHash signatures, clusters and their members."""
from __future__ import annotations

from typing import Any                  # noqa: F401


class SQLiteDuplicate:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""
