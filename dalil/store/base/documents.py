"""Reading documents, their messages and pages; archive status."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Iterable, Sequence


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
    def doc_ids_of(self, rows: Sequence[int]) -> dict[int, str]:
        """Row id (documents.id, as rankings carry it) → doc_id, for the rows that exist."""

    # --- reads for claim tracing -------------------------------------------------------------
    @abstractmethod
    def document_count(self) -> int:
        """The number of documents in the archive."""

    @abstractmethod
    def language_counts(self) -> dict[str, int]:
        """Language code → number of documents in it (documents of unknown language left out)."""

    @abstractmethod
    def index_vocabulary(self, min_docs: int) -> list[tuple[str, int]]:
        """(index term, number of documents holding it) of the terms in at least `min_docs` documents."""

    @abstractmethod
    def passages_of(self, doc_ids: list[str]) -> dict[str, list[tuple[int, int | None, int, int]]]:
        """doc_id → its passages in order, each (passage id, page or None, start, end) in characters."""

    @abstractmethod
    def messages_of(self, doc_id: str) -> list[dict[str, Any]]:
        """The parsed messages (headers and their spans) of a document, in order."""

    @abstractmethod
    def message_documents(self, senders: list[str] | None = None, recipients: list[str] | None = None,
                          days: tuple[str, str] | None = None, limit: int = 20000) -> dict[str, int]:
        """doc_id → documents.id of the documents holding a message sent by one of `senders`,
        addressed (To or Cc) to one of `recipients`, dated (its first ten characters) within the
        inclusive ISO range `days`; a condition that is None is not applied.  At most `limit`."""

