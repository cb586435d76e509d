"""Writing an ingest: documents with their rows, and the ledger of inputs."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from dalil.model import PreparedDocument


class IngestStore(ABC):
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
