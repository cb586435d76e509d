"""Integrity of an archive: the engine's own checks, counts that must agree, rows whose document is
gone, and the repairs that follow from them (`dalil check`)."""
from __future__ import annotations

from abc import ABC, abstractmethod

# Tables whose rows belong to one document (by doc_id); a row of them without its document is an orphan.
CHILD_TABLES = ("messages", "correspondents", "pages", "passages", "exemptions", "ledger")


class IntegrityStore(ABC):
    @abstractmethod
    def storage_problems(self, full: bool = False) -> list[str]:
        """What the database engine finds wrong in its own file (pages, b-trees, indexes; `full`
        also compares every index with its table); [] when the file is sound."""

    @abstractmethod
    def fulltext_problems(self) -> list[str]:
        """What the full-text index finds wrong in its own structure; [] when sound."""

    @abstractmethod
    def integrity_counts(self) -> dict[str, int]:
        """Counts that must agree: documents, fulltext_rows, passages, ledger (rows naming a
        document), fulltext_missing (documents without a full-text row), fulltext_orphans
        (full-text rows without a document) and `<table>_orphans` for each of CHILD_TABLES."""

    @abstractmethod
    def unindexed_documents(self) -> list[str]:
        """Doc ids of the documents that have no full-text row."""

    @abstractmethod
    def passages_up_to(self, passage_id: int) -> int:
        """How many passages have an id at most `passage_id` (what a vector index built up to it holds)."""

    @abstractmethod
    def clear_fulltext(self) -> None:
        """Empty the full-text index, before it is rebuilt from the documents."""

    @abstractmethod
    def index_fulltext(self, doc_id: str, fields: tuple[str, str, str, str, str]) -> None:
        """Index one stored document: fields are (body, subject, sender, recipients, cc) as prepared."""

    @abstractmethod
    def all_doc_ids(self) -> list[str]:
        """Every stored doc id, in storage order."""

    @abstractmethod
    def drop_orphans(self) -> dict[str, int]:
        """Delete the rows of CHILD_TABLES whose document is gone; rows deleted per table."""
