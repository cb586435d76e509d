"""SQLite: the people index: correspondent forms, persons, aliases, roles, message keys."""
from __future__ import annotations

from typing import Any                  # noqa: F401


class SQLitePeople:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""
