"""Threads: message keys and reply links between messages."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Iterable


class ThreadStore(ABC):
    """Typed methods of this concern; every backend implements all of them."""

    @abstractmethod
    def message_senders(self) -> list[tuple[int, str, int, str | None, str | None, int | None]]:
        """(message id, doc_id, idx, date, subject, sender's person or None) of every message."""

    @abstractmethod
    def replace_message_keys(self, rows: Iterable[tuple[int, str, int, int | None, str | None, str]]) -> None:
        """Replace the message keys (message, doc_id, idx, person, minute, subject) in one transaction."""

    @abstractmethod
    def document_keys(self, doc_id: str) -> list[dict[str, Any]]:
        """The keyed messages of one document in print order: {message, doc_id, idx, person,
        minute, norm (the key's subject), date, subject, sender}."""

    @abstractmethod
    def same_minute(self, person: int, minute: str, doc_id: str) -> list[tuple[str, str]]:
        """(doc_id, key subject) of the messages keyed to this sender and minute in other documents."""

    @abstractmethod
    def subject_keys(self, subject: str, limit: int) -> list[tuple[str, int | None, str | None]]:
        """(doc_id, person, minute) of at most `limit` messages keyed to this subject."""

    @abstractmethod
    def keyed_messages(self, doc_ids: Iterable[str] | None) -> list[tuple[int, int | None, str | None, str, str | None]]:
        """(message, person, minute, key subject, date) of the keyed messages of the given
        documents (all when None), by message id."""

    @abstractmethod
    def keyed_recipients(self, doc_ids: Iterable[str] | None) -> list[tuple[int, int | None]]:
        """(message, person or None) of each To and Cc correspondent of the keyed messages of the
        given documents (all when None)."""
