"""Passages for the dense index: which are embedded, their text spans, name tables."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Iterator


class VectorStore(ABC):
    @abstractmethod
    def passages_after(self, passage_id: int) -> int:
        """How many passages have an id above `passage_id` (those not embedded yet)."""

    @abstractmethod
    def passage_batches(self, passage_id: int, size: int) -> Iterator[list[tuple[int, int, str]]]:
        """(passage id, documents.id, passage text) of the passages above `passage_id`, in id
        order, `size` at a time (read as a stream)."""

    @abstractmethod
    def passage_span(self, passage_id: int) -> tuple[int | None, int, str, int] | None:
        """(page, start offset in its document's text, text, UTF-8 byte offset of its start) of a passage, or None."""
