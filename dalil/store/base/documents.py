"""Reading documents, their messages and pages; archive status."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Iterable


class DocumentStore(ABC):
    @abstractmethod
    def document(self, doc_id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def has_document(self, doc_id: str) -> bool:
        """True when a document with this id is stored."""

    @abstractmethod
    def status(self) -> dict[str, Any]: ...

    @abstractmethod
    def failed_inputs(self) -> list[dict[str, Any]]: ...

    @abstractmethod
    def documents_by_ids(self, doc_ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...

    @abstractmethod
    def first_doc_id(self) -> str | None:
        """The id of some stored document (for warming caches), or None in an empty archive."""

    @abstractmethod
    def doc_ids_of(self, rows: list[int]) -> dict[int, str]:
        """Row id (documents.id, as rankings carry it) → doc_id, for the rows that exist."""
