"""PostgreSQL: the people index: correspondent forms, persons, aliases, roles, message keys."""
from __future__ import annotations


class PostgresPeople:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection.  Not implemented yet
    (phase 1 of the backend): see `PostgresStore.concerns`."""

    def has_people(self) -> bool:
        return self.db.execute("SELECT 1 FROM persons LIMIT 1").fetchone() is not None
