"""The embedded store: one SQLite file in WAL mode, composed of one part per concern."""
from __future__ import annotations

from dalil.store.base import Store
from dalil.store.sqlite.access import SQLiteAccess
from dalil.store.sqlite.annotations import SQLiteAnnotations
from dalil.store.sqlite.connection import SQLiteConnection, upgrade
from dalil.store.sqlite.documents import SQLiteDocuments
from dalil.store.sqlite.duplicates import SQLiteDuplicate
from dalil.store.sqlite.fulltext import SQLiteFullText
from dalil.store.sqlite.ingest import SQLiteIngest, serialize
from dalil.store.sqlite.integrity import SQLiteIntegrity
from dalil.store.sqlite.mentions import SQLiteMention
from dalil.store.sqlite.people import SQLitePeople
from dalil.store.sqlite.threads import SQLiteThread
from dalil.store.sqlite.vectors import SQLiteVector


class SQLiteStore(SQLiteConnection, SQLiteIngest, SQLiteDocuments, SQLiteFullText, SQLiteVector,
                  SQLitePeople, SQLiteThread, SQLiteDuplicate, SQLiteIntegrity, SQLiteAnnotations, SQLiteMention,
                  SQLiteAccess, Store):
    """`Store` on one SQLite file; see the parts for each concern."""


__all__ = ["SQLiteStore", "serialize", "upgrade"]
