"""The storage interface: one abstract class per concern, composed into `Store`.

Every SQL statement of dalil lives under `dalil/store/`.  Features (ingest, search, intel, trace)
are typed against `Store` and call its methods; a backend (SQLite now, PostgreSQL next) is a
folder of small parts implementing each concern, in the shape of Django's database backends.
"""
from __future__ import annotations

from abc import abstractmethod

from dalil.store.base.access import AccessStore
from dalil.store.base.annotations import AnnotationStore
from dalil.store.base.documents import DocumentStore
from dalil.store.base.duplicates import DuplicateStore
from dalil.store.base.fulltext import FullTextStore
from dalil.store.base.ingest import IngestStore
from dalil.store.base.integrity import IntegrityStore
from dalil.store.base.mentions import MentionStore
from dalil.store.base.people import PeopleStore
from dalil.store.base.threads import ThreadStore
from dalil.store.base.vectors import VectorStore


CONCERNS: dict[str, type] = {"ingest": IngestStore, "documents": DocumentStore, "fulltext": FullTextStore,
                             "vectors": VectorStore, "people": PeopleStore, "threads": ThreadStore,
                             "duplicates": DuplicateStore, "integrity": IntegrityStore,
                             "annotations": AnnotationStore, "mentions": MentionStore,
                             "access": AccessStore}


class Store(IngestStore, DocumentStore, FullTextStore, VectorStore, PeopleStore, ThreadStore, DuplicateStore,
            IntegrityStore, AnnotationStore, MentionStore, AccessStore):
    path: str
    readonly: bool
    # The concerns this backend implements; a backend being built lists fewer (its other methods
    # raise NotImplementedError), and callers ask `implements()` before an optional pass.
    concerns: frozenset[str] = frozenset(CONCERNS)

    def implements(self, *concerns: str) -> bool:
        """Whether this backend implements all of `concerns` (names of CONCERNS)."""
        return set(concerns) <= self.concerns

    @abstractmethod
    def close(self) -> None: ...


__all__ = ["CONCERNS", "Store", "AccessStore", "AnnotationStore", "DocumentStore", "DuplicateStore", "FullTextStore", "IngestStore", "IntegrityStore", "MentionStore", "PeopleStore",
           "ThreadStore", "VectorStore"]
