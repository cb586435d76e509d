"""The storage interface.  SQLite is the embedded default; a server backend can
implement the same methods later without the rest of dalil changing."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Iterable

from dalil.model import PreparedDocument


class Store(ABC):
    # --- ingest side -------------------------------------------------------
    @abstractmethod
    def seen_input(self, path: str, member: str, content_hash: str) -> bool:
        """True when this exact input (path, member, content) is already in the ledger."""

    @abstractmethod
    def doc_with_hash(self, doc_id: str, content_hash: str) -> str | None:
        """The stored document read from this content under this id, if any (a duplicate input)."""

    @abstractmethod
    def add_document(self, doc: PreparedDocument, content_hash: str | None, path: str | None,
                     raw: bytes | None) -> str:
        """Store a prepared document (its rows, made in a reader process); returns the doc_id
        actually used (`ID~2` when another content already holds the id)."""

    @abstractmethod
    def add_ledger(self, row: dict[str, Any]) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def finish_ingest(self) -> None:
        """Rebuild derived structures (spelling index, statistics) after an ingest."""

    # --- read side ---------------------------------------------------------
    @abstractmethod
    def document(self, doc_id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def status(self) -> dict[str, Any]: ...

    @abstractmethod
    def failed_inputs(self) -> list[dict[str, Any]]: ...

    @abstractmethod
    def documents_by_ids(self, doc_ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...
