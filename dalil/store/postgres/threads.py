"""PostgreSQL: threads: message keys and reply links between messages."""
from __future__ import annotations


class PostgresThread:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection.  Not implemented yet
    (phase 1 of the backend): see `PostgresStore.concerns`."""
