"""SQLite: threads: message keys and reply links between messages."""
from __future__ import annotations

from typing import Any                  # noqa: F401


class SQLiteThread:
    """Mixin of SQLiteStore; `self.db` is the thread's connection."""
