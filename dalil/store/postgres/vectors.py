"""PostgreSQL: passages for the dense index: which are embedded, their text spans, name tables."""
from __future__ import annotations


class PostgresVector:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection.  Not implemented yet
    (phase 1 of the backend): see `PostgresStore.concerns`."""
