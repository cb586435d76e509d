"""The server store: PostgreSQL through a psycopg 3 connection pool, composed of one part per concern.

Every concern is implemented: ingest and documents (phase 1, with the schema and migrations), and
full-text search, vectors (the passages and their vectors in pgvector), people, threads,
duplicates, integrity (`dalil check`), annotations (kept work) and mentions.
`_not_yet` stays for a concern added to the interface before its PostgreSQL part is written: its
methods raise NotImplementedError and the concern drops out of `concerns`.
"""
from __future__ import annotations

from abc import update_abstractmethods
from typing import Any, NoReturn

from dalil.store.base import CONCERNS, Store
from dalil.store.postgres.access import PostgresAccess
from dalil.store.postgres.annotations import PostgresAnnotations
from dalil.store.postgres.connection import PostgresConnection, SchemaError, exists, redact, upgrade
from dalil.store.postgres.documents import PostgresDocuments
from dalil.store.postgres.duplicates import PostgresDuplicate
from dalil.store.postgres.fulltext import PostgresFullText
from dalil.store.postgres.ingest import PostgresIngest
from dalil.store.postgres.mentions import PostgresMention
from dalil.store.postgres.integrity import PostgresIntegrity
from dalil.store.postgres.people import PostgresPeople
from dalil.store.postgres.threads import PostgresThread
from dalil.store.postgres.vectors import PostgresVector


class PostgresStore(PostgresConnection, PostgresIngest, PostgresDocuments, PostgresFullText, PostgresVector,
                    PostgresPeople, PostgresThread, PostgresDuplicate, PostgresAnnotations, PostgresMention, PostgresIntegrity,
                    PostgresAccess, Store):
    """`Store` on a PostgreSQL database; see the parts for each concern."""

    # Full-text ranking differs from SQLite's BM25 (docs/architecture.md, "PostgreSQL backend").
    concerns = frozenset({"ingest", "documents", "fulltext", "vectors", "people", "threads", "duplicates",
                           "integrity", "annotations", "mentions", "access"})


def _not_yet(cls: type[Store]) -> type[Store]:
    """Give each interface method `cls` does not implement yet a body that says so, and leave in
    `cls.concerns` only the concerns it implements whole (what `Store.implements` answers)."""
    partial: set[str] = set()
    for name in sorted(cls.__abstractmethods__):
        concern = next((c for c, base in CONCERNS.items() if name in base.__abstractmethods__), "store")
        partial.add(concern)
        setattr(cls, name, _raiser(concern, name))
    cls.concerns = cls.concerns - partial
    update_abstractmethods(cls)
    return cls


def _raiser(concern: str, name: str):
    def not_implemented(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
        raise NotImplementedError(f"{name}() ({concern}) is not implemented on PostgreSQL yet")
    not_implemented.__name__ = name
    return not_implemented


_not_yet(PostgresStore)

__all__ = ["PostgresStore", "SchemaError", "exists", "redact", "upgrade"]
