"""Reading documents, their messages and pages; archive status."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Iterable


class DocumentStore(ABC):
    @abstractmethod
    def document(self, doc_id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def status(self) -> dict[str, Any]: ...

    @abstractmethod
    def failed_inputs(self) -> list[dict[str, Any]]: ...

    @abstractmethod
    def documents_by_ids(self, doc_ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...

    @abstractmethod
    def doc_ids_of(self, rows: list[int]) -> dict[int, str]:
        """Row id (documents.id, as rankings carry it) → doc_id, for the rows that exist."""
