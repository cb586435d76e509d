"""PostgreSQL: full-text search: term statistics, BM25 ranking, the OCR spelling vocabulary, facets over a set of documents."""
from __future__ import annotations


class PostgresFullText:
    """Mixin of PostgresStore; `self.db` is the thread's psycopg connection.  Not implemented yet
    (phase 1 of the backend): see `PostgresStore.concerns`."""
