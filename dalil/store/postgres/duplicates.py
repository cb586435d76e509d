"""PostgreSQL: duplicate clusters: MinHash signatures, clusters and their members."""
from __future__ import annotations


class PostgresDuplicate:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection.  Not implemented yet
    (phase 1 of the backend): see `PostgresStore.concerns`."""
