"""The server store: PostgreSQL through a psycopg 3 connection pool, composed of one part per concern.

Phase 1 implements ingest and documents (with the schema, migrations and the tsvector index);
the methods of the other concerns raise NotImplementedError until their part is written.
"""
from __future__ import annotations

from abc import update_abstractmethods
from typing import Any, NoReturn

from dalil.store.base import CONCERNS, Store
from dalil.store.postgres.connection import PostgresConnection, SchemaError, exists, redact, upgrade
from dalil.store.postgres.documents import PostgresDocuments
from dalil.store.postgres.duplicates import PostgresDuplicate
from dalil.store.postgres.fulltext import PostgresFullText
from dalil.store.postgres.ingest import PostgresIngest
from dalil.store.postgres.people import PostgresPeople
from dalil.store.postgres.threads import PostgresThread
from dalil.store.postgres.vectors import PostgresVector


class PostgresStore(PostgresConnection, PostgresIngest, PostgresDocuments, PostgresFullText, PostgresVector,
                    PostgresPeople, PostgresThread, PostgresDuplicate, Store):
    """`Store` on a PostgreSQL database; see the parts for each concern."""

    # Phase 1: the schema, ingest and document reads.  Search, vectors, people, threads and
    # duplicates come next (docs/architecture.md, "PostgreSQL backend").
    concerns = frozenset({"ingest", "documents"})


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
