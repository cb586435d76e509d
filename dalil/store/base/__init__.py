"""The storage interface: one abstract class per concern, composed into `Store`.

Every SQL statement of dalil lives under `dalil/store/`.  Features (ingest, search, intel, trace)
are typed against `Store` and call its methods; a backend (SQLite now, PostgreSQL next) is a
folder of small parts implementing each concern, in the shape of Django's database backends.
"""
from __future__ import annotations

from abc import abstractmethod

from dalil.store.base.documents import DocumentStore
from dalil.store.base.duplicates import DuplicateStore
from dalil.store.base.fulltext import FullTextStore
from dalil.store.base.ingest import IngestStore
from dalil.store.base.integrity import IntegrityStore
from dalil.store.base.people import PeopleStore
from dalil.store.base.threads import ThreadStore
from dalil.store.base.vectors import VectorStore


class Store(IngestStore, DocumentStore, FullTextStore, VectorStore, PeopleStore, ThreadStore, DuplicateStore,
            IntegrityStore):
    path: str
    readonly: bool

    @abstractmethod
    def close(self) -> None: ...


__all__ = ["Store", "DocumentStore", "DuplicateStore", "FullTextStore", "IngestStore", "IntegrityStore", "PeopleStore",
           "ThreadStore", "VectorStore"]
