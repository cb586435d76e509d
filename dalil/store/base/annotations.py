"""Kept work: what a reader adds to the archive — tags, stars, notes and read marks on documents,
and saved searches with the high-water mark (a documents.id) up to which their alerts were seen.

A document is named by its doc_id; a tag is stored as `normalize_tag` (dalil.search.query) gives
it; a flag is "starred" or "read".  Times are ISO strings given by the caller, so both backends
store the same rows.  These rows are the reader's, not the release's: ingest never touches them."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Sequence

FLAGS = ("starred", "read")


class AnnotationStore(ABC):
    """Typed methods of this concern; every backend implements all of them."""

    # --- tags, flags, notes on documents ---------------------------------------------------
    @abstractmethod
    def set_tag(self, doc_id: str, tag: str, on: bool, at: str) -> bool:
        """Add (`on`) or remove a tag of a document; True when that changed something."""

    @abstractmethod
    def set_flag(self, doc_id: str, flag: str, on: bool, at: str) -> bool:
        """Set or clear a flag (one of FLAGS) of a document; True when that changed something."""

    @abstractmethod
    def set_note(self, doc_id: str, note: str, at: str) -> None:
        """Replace the document's note (an empty note removes it)."""

    @abstractmethod
    def annotations_of(self, doc_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """doc_id → {tags (sorted), starred, read, note (or None), noted_at (or None)}, for those
        of `doc_ids` that have any annotation."""

    @abstractmethod
    def flagged(self, flag: str, doc_ids: Sequence[str]) -> set[str]:
        """Those of `doc_ids` that carry the flag."""

    @abstractmethod
    def tag_counts(self) -> list[tuple[str, int]]:
        """(tag, documents) of every tag in use, most used first, then by name."""

    # --- saved searches ---------------------------------------------------------------------
    @abstractmethod
    def add_saved_search(self, name: str, query: str, seen_row: int, at: str) -> bool:
        """Save a search under a new name, its alerts seen up to documents.id `seen_row`; False
        (and nothing saved) when the name is taken."""

    @abstractmethod
    def saved_searches(self) -> list[dict[str, Any]]:
        """Every saved search by name: {name, query, seen_row, created, seen_at}."""

    @abstractmethod
    def remove_saved_search(self, name: str) -> bool:
        """Delete a saved search; False when there is none by that name."""

    @abstractmethod
    def mark_saved_seen(self, name: str, seen_row: int, at: str) -> None:
        """Record that the saved search's alerts were seen up to documents.id `seen_row`."""
